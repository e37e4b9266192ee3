/**
 * The figures of one fault experiment, computed from what the crew left behind — the ledger,
 * the tickets, the restarts, the notifications, the lock history — never from what the crew
 * says about itself. Pure: the experiments collect, this counts.
 */

/** A fault the suite injected: it must become exactly one incident that reaches a final state. */
export interface InjectedFault {
  /** The report's dedup key (`opscrew incident inject --dedup-key`): how its incident is found. */
  readonly dedup_key: string;
  readonly service: string;
  readonly symptom: string;
  /** Epoch ms. */
  readonly injected_at: number;
}

/** An incident as the ledger holds it, reduced to what the figures need. */
export interface LedgerIncident {
  readonly incident_id: string;
  readonly service: string;
  readonly phase: string;
  readonly dedup_keys: readonly string[];
  /** Epoch ms. */
  readonly detected_at: number;
  /**
   * When it was reopened (epoch ms, from its history): each recurrence is a new attempt that
   * may restart the service once more. Absent: never.
   */
  readonly reopened_at?: readonly number[];
}

/** A ticket in the tracker (the local one, or the Jira contract server's issue). */
export interface TicketSeen {
  readonly key: string;
  /** The incident it is for; null when it names none of the run's incidents. */
  readonly incident_id: string | null;
}

/** One restart of a shop service (the shop supervisor's counter moved). */
export interface RestartSeen {
  readonly service: string;
  /** Epoch ms. */
  readonly at: number;
}

/** One copy of a notification as the receiver got it. */
export interface NotificationSeen {
  /** What makes two copies the same message: the idempotency key, or incident + kind. */
  readonly identity: string;
  /**
   * The receiver processed this copy but the sender cannot have known (it timed out on the
   * success, or the connection dropped after processing): a repeat of it is the at-least-once
   * case a webhook without idempotency cannot avoid, counted apart.
   */
  readonly unconfirmed: boolean;
}

/** One write to the `locks` bucket as a watcher saw it, in order. */
export interface LockWrite {
  readonly key: string;
  readonly op: 'put' | 'del';
  readonly holder?: string;
  /** Epoch ms (the lease's own fields). */
  readonly acquired_at?: number;
  readonly expires_at?: number;
  /** Epoch ms, when the watcher saw it. */
  readonly at: number;
}

export interface AccountingInput {
  readonly injected: readonly InjectedFault[];
  readonly incidents: readonly LedgerIncident[];
  readonly tickets?: readonly TicketSeen[];
  readonly restarts?: readonly RestartSeen[];
  readonly notifications?: readonly NotificationSeen[];
  readonly locks?: readonly LockWrite[];
  /** Incidents detected in this window (epoch ms) carrying no injected key are unattributed. */
  readonly window?: { readonly from: number; readonly to: number };
}

export interface FaultFigures {
  incidents_injected: number;
  ended_done: number;
  ended_escalated: number;
  lost: number;
  duplicate_incidents: number;
  duplicate_tickets: number;
  duplicate_restarts: number;
  duplicate_notifications: number;
  /** Repeats of an unconfirmed delivery: allowed, at most at_least_once_bound. */
  at_least_once_repeats: number;
  at_least_once_bound: number;
  /** Two holders of one lock at once (a write by a new holder while the previous lease lived). */
  lock_overlaps: number;
  /** Incidents in the window that no injected fault explains (a false alarm, or the crew's own). */
  unattributed_incidents: number;
  /** What the figures were counted from (a zero above means something only if these are not). */
  tickets_seen: number;
  restarts_seen: number;
  notifications_seen: number;
  /** One line per problem found, for the report. */
  problems: string[];
}

const DONE_PHASES: ReadonlySet<string> = new Set(['resolved']);
const ESCALATED_PHASES: ReadonlySet<string> = new Set(['escalated']);

export function isFinalPhase(phase: string): boolean {
  return DONE_PHASES.has(phase) || ESCALATED_PHASES.has(phase);
}

export function account(input: AccountingInput): FaultFigures {
  const problems: string[] = [];
  const byKey = new Map<string, LedgerIncident[]>();
  for (const incident of input.incidents) {
    for (const key of incident.dedup_keys) {
      const list = byKey.get(key) ?? [];
      if (!list.some((known) => known.incident_id === incident.incident_id)) list.push(incident);
      byKey.set(key, list);
    }
  }

  let done = 0;
  let escalated = 0;
  let lost = 0;
  let duplicateIncidents = 0;
  const ours = new Map<string, LedgerIncident>();
  for (const fault of input.injected) {
    const found = byKey.get(fault.dedup_key) ?? [];
    for (const incident of found) ours.set(incident.incident_id, incident);
    if (found.length === 0) {
      lost += 1;
      problems.push(`lost: ${fault.dedup_key} (${fault.service}) never became an incident`);
      continue;
    }
    if (found.length > 1) {
      duplicateIncidents += found.length - 1;
      problems.push(
        `duplicate incidents for ${fault.dedup_key}: ${found.map((i) => i.incident_id).join(', ')}`,
      );
    }
    const final = found.find((incident) => isFinalPhase(incident.phase));
    if (final === undefined) {
      lost += 1;
      problems.push(
        `lost: ${found.map((i) => `${i.incident_id} (${i.phase})`).join(', ')} never reached a final state`,
      );
    } else if (DONE_PHASES.has(final.phase)) done += 1;
    else escalated += 1;
  }

  const duplicateTickets = countTicketDuplicates(input.tickets ?? [], ours, problems);
  const duplicateRestarts = countRestartDuplicates(
    input.restarts ?? [],
    [...ours.values()],
    problems,
  );
  const notifications = countNotificationRepeats(input.notifications ?? [], problems);
  const lockOverlaps = countLockOverlaps(input.locks ?? [], problems);

  let unattributed = 0;
  if (input.window) {
    const { from, to } = input.window;
    for (const incident of input.incidents) {
      if (ours.has(incident.incident_id)) continue;
      if (incident.detected_at < from || incident.detected_at > to) continue;
      unattributed += 1;
      problems.push(
        `unattributed incident ${incident.incident_id} (${incident.service}, ${incident.phase})`,
      );
    }
  }

  return {
    incidents_injected: input.injected.length,
    ended_done: done,
    ended_escalated: escalated,
    lost,
    duplicate_incidents: duplicateIncidents,
    duplicate_tickets: duplicateTickets,
    duplicate_restarts: duplicateRestarts,
    duplicate_notifications: notifications.duplicates,
    at_least_once_repeats: notifications.repeats,
    at_least_once_bound: notifications.bound,
    lock_overlaps: lockOverlaps,
    unattributed_incidents: unattributed,
    tickets_seen: (input.tickets ?? []).filter(
      (ticket) => ticket.incident_id !== null && ours.has(ticket.incident_id),
    ).length,
    restarts_seen: (input.restarts ?? []).length,
    notifications_seen: (input.notifications ?? []).length,
    problems,
  };
}

/** Tickets beyond the first for one of our incidents. */
function countTicketDuplicates(
  tickets: readonly TicketSeen[],
  ours: ReadonlyMap<string, LedgerIncident>,
  problems: string[],
): number {
  const perIncident = new Map<string, string[]>();
  for (const ticket of tickets) {
    if (ticket.incident_id === null || !ours.has(ticket.incident_id)) continue;
    perIncident.set(ticket.incident_id, [
      ...(perIncident.get(ticket.incident_id) ?? []),
      ticket.key,
    ]);
  }
  let duplicates = 0;
  for (const [incident, keys] of perIncident) {
    if (keys.length <= 1) continue;
    duplicates += keys.length - 1;
    problems.push(`duplicate tickets for ${incident}: ${keys.join(', ')}`);
  }
  return duplicates;
}

/**
 * Restarts beyond the first per attempt of an incident: an attempt starts at its detection and
 * at each reopening (a recurrence is worked again and may restart once more), and a restart
 * belongs to the attempt of its service that started last before it (the experiments work one
 * incident per service at a time).
 */
function countRestartDuplicates(
  restarts: readonly RestartSeen[],
  incidents: readonly LedgerIncident[],
  problems: string[],
): number {
  const attempts = incidents.flatMap((incident) =>
    [incident.detected_at, ...(incident.reopened_at ?? [])].map((at, index) => ({
      key: index === 0 ? incident.incident_id : `${incident.incident_id} (reopening ${index})`,
      service: incident.service,
      at,
    })),
  );
  const perAttempt = new Map<string, number>();
  for (const restart of restarts) {
    const owner = attempts
      .filter((attempt) => attempt.service === restart.service && attempt.at <= restart.at)
      .sort((a, b) => b.at - a.at)[0];
    if (owner === undefined) continue;
    perAttempt.set(owner.key, (perAttempt.get(owner.key) ?? 0) + 1);
  }
  let duplicates = 0;
  for (const [attempt, count] of perAttempt) {
    if (count <= 1) continue;
    duplicates += count - 1;
    problems.push(`${attempt}: ${count} restarts`);
  }
  return duplicates;
}

/**
 * Copies beyond the first of one message. A repeat that follows an unconfirmed copy is the
 * at-least-once case (counted apart, each unconfirmed copy explains at most one repeat); any
 * other repeat is a duplicate.
 */
function countNotificationRepeats(
  notifications: readonly NotificationSeen[],
  problems: string[],
): { duplicates: number; repeats: number; bound: number } {
  const groups = new Map<string, NotificationSeen[]>();
  for (const copy of notifications)
    groups.set(copy.identity, [...(groups.get(copy.identity) ?? []), copy]);
  let duplicates = 0;
  let repeats = 0;
  let bound = 0;
  for (const [identity, copies] of groups) {
    bound += copies.filter((copy) => copy.unconfirmed).length;
    let excuses = 0;
    for (const [index, copy] of copies.entries()) {
      if (index > 0) {
        if (excuses > 0) {
          excuses -= 1;
          repeats += 1;
        } else {
          duplicates += 1;
          problems.push(`duplicate notification ${identity} (copy ${index + 1})`);
        }
      }
      if (copy.unconfirmed) excuses += 1;
    }
  }
  return { duplicates, repeats, bound };
}

/**
 * A put by another holder while the previous holder's lease still lived (not deleted, not
 * expired by its own expires_at) is two holders at once. A renew by the same holder is not.
 */
function countLockOverlaps(writes: readonly LockWrite[], problems: string[]): number {
  const current = new Map<string, LockWrite>();
  let overlaps = 0;
  for (const write of writes) {
    if (write.op === 'del') {
      current.delete(write.key);
      continue;
    }
    const previous = current.get(write.key);
    const takenAt = write.acquired_at ?? write.at;
    if (
      previous !== undefined &&
      previous.holder !== write.holder &&
      (previous.expires_at ?? Number.POSITIVE_INFINITY) > takenAt
    ) {
      overlaps += 1;
      problems.push(
        `lock ${write.key}: ${write.holder ?? '?'} took it at ${new Date(takenAt).toISOString()} while ${previous.holder ?? '?'} held it until ${new Date(previous.expires_at ?? takenAt).toISOString()}`,
      );
    }
    current.set(write.key, write);
  }
  return overlaps;
}

/** True when nothing was lost or duplicated (at-least-once repeats within their bound pass). */
export function figuresPass(figures: FaultFigures): boolean {
  return (
    figures.lost === 0 &&
    figures.duplicate_incidents === 0 &&
    figures.duplicate_tickets === 0 &&
    figures.duplicate_restarts === 0 &&
    figures.duplicate_notifications === 0 &&
    figures.lock_overlaps === 0 &&
    figures.at_least_once_repeats <= figures.at_least_once_bound
  );
}

/**
 * Leases a new holder took over from a previous one that neither released nor renewed it (the
 * crashed holder's lease, after its expiry). Zero means every crashed holder's work was
 * resumed under its own lease (same revision, fenced) or the lease was released first.
 */
export function lockTakeovers(writes: readonly LockWrite[]): number {
  const current = new Map<string, LockWrite>();
  let takeovers = 0;
  for (const write of writes) {
    if (write.op === 'del') {
      current.delete(write.key);
      continue;
    }
    const previous = current.get(write.key);
    if (previous !== undefined && previous.holder !== write.holder) takeovers += 1;
    current.set(write.key, write);
  }
  return takeovers;
}
