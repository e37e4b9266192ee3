/**
 * The OpenTelemetry demo's 1.x flag names and their 3.0 names. The seed (and
 * older demo deployments) use the 1.x names; flag files since 2.0 the new ones.
 */
export const FLAG_ALIASES: Readonly<Record<string, string>> = {
  adServiceFailure: 'adFailure',
  adServiceHighCpu: 'adHighCpu',
  adServiceManualGc: 'adManualGc',
  cartServiceFailure: 'cartFailure',
  paymentServiceFailure: 'paymentFailure',
  paymentServiceUnreachable: 'paymentUnreachable',
  recommendationServiceCacheFailure: 'recommendationCacheFailure',
};

/** The current (3.0) name of a flag: a 1.x alias is translated, anything else is kept. */
export function canonicalFlagName(name: string): string {
  return FLAG_ALIASES[name] ?? name;
}

/**
 * Which key of a flag file `requested` means: the name itself when the file
 * has it, else its 3.0 name, else its 1.x name (a 1.12 file addressed with a
 * 3.0 name). Undefined when the file knows none of them.
 */
export function resolveFlagKey(
  requested: string,
  present: (key: string) => boolean,
): string | undefined {
  if (present(requested)) return requested;
  const canonical = canonicalFlagName(requested);
  if (present(canonical)) return canonical;
  for (const [legacy, current] of Object.entries(FLAG_ALIASES)) {
    if (current === canonical && present(legacy)) return legacy;
  }
  return undefined;
}
