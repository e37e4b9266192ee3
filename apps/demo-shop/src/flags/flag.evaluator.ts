import { type FlagValue, type ParsedFlagFile } from './flagd-file.parser';

/**
 * Evaluates a flag the way flagd does when no targeting applies: an ENABLED
 * flag serves `variants[defaultVariant]`; a DISABLED flag, a missing one or a
 * null defaultVariant yields undefined ("use the code default" = off).
 *
 * Targeting rules are ignored on purpose: the shop has no evaluation context
 * (user, session) to feed them, and the demo switches failures by changing
 * `defaultVariant`. The 3.0 file's `productCatalogFailure` targeting (which
 * answers "off" for every product) is therefore not applied; the product the
 * flag concerns is fixed in the service, as in the demo's 1.x/2.x code.
 */
export function evaluateFlag(file: ParsedFlagFile, name: string): FlagValue | undefined {
  const flag = file.flags.get(name);
  if (flag === undefined || flag.state !== 'ENABLED' || flag.defaultVariant === null) {
    return undefined;
  }
  return flag.variants[flag.defaultVariant];
}
