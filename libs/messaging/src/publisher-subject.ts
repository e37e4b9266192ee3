import { type BusUser, isBusUser } from './bus-user';

/**
 * Who sent an event is part of its subject: every crew publish goes to `<logical>.<publisher>`
 * (`incident.detected.ops-monitor`), where the publisher is the NATS user it connects as.
 *
 * Why the subject: NATS 2.9 does not stamp the publishing user on a message (no header, no
 * metadata a consumer could trust; any header is the sender's own word). What the server does
 * enforce is which subjects a user may publish to (bus-permissions.ts grants each user only
 * `<logical>.<itself>`), so the subject's last token is the one statement about the sender the
 * server has checked. A payload field such as `source` is a claim, checked against it on receipt
 * (publisher-identity.ts). On an open server (no authorization) the token is a claim too: only
 * the generated users make it a proof.
 *
 * Outside systems keep publishing the bare logical subject `incident.reported`: they are
 * unattributed (publisher null), which is accepted for that subject only.
 */
export interface AttributedSubject {
  /** The logical subject the handlers know (`incident.detected`). */
  readonly logical: string;
  /** The publishing user, or null when the subject names none (unattributed). */
  readonly publisher: BusUser | null;
}

/** The subject `publisher` publishes `logical` on; null: the bare logical subject (unattributed). */
export function attributedSubject(logical: string, publisher: BusUser | null): string {
  if (logical === '' || logical.split('.').some((token) => token === '')) {
    throw new Error(`bus: cannot publish on subject "${logical}": empty token`);
  }
  return publisher === null ? logical : `${logical}.${publisher}`;
}

/**
 * Splits a received (namespace-stripped) subject: when its last token is a bus user and
 * something precedes it, that token is the publisher and the rest the logical subject; otherwise
 * the whole subject is logical and the publisher is null (unattributed).
 */
export function splitPublisher(subject: string): AttributedSubject {
  const dot = subject.lastIndexOf('.');
  if (dot > 0) {
    const last = subject.slice(dot + 1);
    if (isBusUser(last)) return { logical: subject.slice(0, dot), publisher: last };
  }
  return { logical: subject, publisher: null };
}

/**
 * The only logical subjects accepted unattributed (bare, no publisher token): reports from
 * outside the crew (a probe, a CI job, an Alertmanager bridge) publishing plain
 * `incident.reported`, as they always did. Everything else must name its publisher.
 */
export const UNATTRIBUTED_SUBJECTS: readonly string[] = ['incident.reported'];

/** Only `reporter` (the outside world's user) may publish those bare. */
export const UNATTRIBUTED_PUBLISHER: BusUser = 'reporter';
