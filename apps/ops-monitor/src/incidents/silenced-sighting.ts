import { errorMessage, NOTE_MAX_LENGTH, type SilenceRecord } from '@opscrew/contracts';
import { type SilenceStore } from '@opscrew/messaging';
import { type Sighting } from './sighting';

type Silenceable = Pick<Sighting, 'informational' | 'severity' | 'detail'>;

/**
 * A sighting on a service in a maintenance window (/silence): recorded like one under a
 * deliberate-work lock — informational, severity info, so it opens (or folds into) an
 * informational incident that gets no ticket, no page and no remediation. Its fingerprint is the
 * informational one (`<service>.informational`), so when the window ends the next sighting opens
 * a normal incident instead of being folded into the silenced one: the service is evaluated again.
 */
export function underSilence<S extends Silenceable>(sighting: S, silence: SilenceRecord): S {
  if (sighting.informational) return sighting;
  return {
    ...sighting,
    informational: true,
    severity: 'info',
    detail: `${sighting.detail} — ${silenceNote(silence)}`.slice(0, NOTE_MAX_LENGTH),
  };
}

/** One phrase for the record: until when, who, why. */
export function silenceNote(silence: SilenceRecord): string {
  return (
    `service silenced until ${silence.until} by ${silence.by.name} (${silence.by.via})` +
    (silence.reason ? ` for "${silence.reason}"` : '') +
    ': recorded, no ticket, no restart'
  );
}

/**
 * The windows on at `now`, by service. A store that cannot be read silences nothing: a fault
 * ticketed during maintenance is noise, a fault hidden by a broken store is an outage.
 */
export async function silencedServices(
  store: Pick<SilenceStore, 'active'> | undefined,
  now: Date,
  onError: (message: string) => void,
): Promise<ReadonlyMap<string, SilenceRecord>> {
  if (store === undefined) return new Map();
  try {
    return new Map((await store.active(now)).map((silence) => [silence.service, silence]));
  } catch (error) {
    onError(`silences not readable (${errorMessage(error)}): nothing is treated as silenced`);
    return new Map();
  }
}
