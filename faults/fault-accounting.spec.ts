import fc from 'fast-check';
import {
  account,
  figuresPass,
  type InjectedFault,
  type LedgerIncident,
  type LockWrite,
  lockTakeovers,
} from './fault-accounting';

const T0 = Date.parse('2026-12-07T08:00:00Z');

function fault(n: number): InjectedFault {
  return {
    dedup_key: `faults-${n}`,
    service: `svc${n}`,
    symptom: 'high_error_rate',
    injected_at: T0 + n * 1000,
  };
}

function incident(n: number, phase = 'resolved', id = `INC-${n}`): LedgerIncident {
  return {
    incident_id: id,
    service: `svc${n}`,
    phase,
    dedup_keys: [`faults-${n}`],
    detected_at: T0 + n * 1000 + 500,
  };
}

describe('fault accounting', () => {
  it('counts a clean run: every fault one incident, one ticket, one restart, one message', () => {
    const figures = account({
      injected: [fault(1), fault(2)],
      incidents: [incident(1), incident(2, 'escalated')],
      tickets: [
        { key: 'OPS-1', incident_id: 'INC-1' },
        { key: 'OPS-2', incident_id: 'INC-2' },
      ],
      restarts: [
        { service: 'svc1', at: T0 + 5000 },
        { service: 'svc2', at: T0 + 6000 },
      ],
      notifications: [
        { identity: 'triage:INC-1', unconfirmed: false },
        { identity: 'triage:INC-2', unconfirmed: false },
      ],
    });
    expect(figures).toMatchObject({
      incidents_injected: 2,
      ended_done: 1,
      ended_escalated: 1,
      lost: 0,
      duplicate_incidents: 0,
      duplicate_tickets: 0,
      duplicate_restarts: 0,
      duplicate_notifications: 0,
      problems: [],
    });
    expect(figuresPass(figures)).toBe(true);
  });

  it('finds a fault that never became an incident and one that never ended as lost', () => {
    const figures = account({
      injected: [fault(1), fault(2)],
      incidents: [incident(2, 'actioned')],
    });
    expect(figures.lost).toBe(2);
    expect(figures.problems.join('\n')).toMatch(/faults-1.*never became an incident/);
    expect(figures.problems.join('\n')).toMatch(/INC-2 \(actioned\) never reached a final state/);
    expect(figuresPass(figures)).toBe(false);
  });

  it('finds two incidents for one fault, two tickets for one incident and a second restart', () => {
    const figures = account({
      injected: [fault(1)],
      incidents: [incident(1), incident(1, 'resolved', 'INC-1b')],
      tickets: [
        { key: 'OPS-1', incident_id: 'INC-1' },
        { key: 'OPS-2', incident_id: 'INC-1' },
        { key: 'OPS-3', incident_id: null },
      ],
      restarts: [
        { service: 'svc1', at: T0 + 3000 },
        { service: 'svc1', at: T0 + 4000 },
        // Before any incident of the service: nobody's restart.
        { service: 'svc1', at: T0 },
      ],
    });
    expect(figures.duplicate_incidents).toBe(1);
    expect(figures.duplicate_tickets).toBe(1);
    expect(figures.duplicate_restarts).toBe(1);
    expect(figuresPass(figures)).toBe(false);
  });

  it('allows one restart per attempt: a reopened incident may be restarted again, once', () => {
    const reopened: LedgerIncident = { ...incident(1), reopened_at: [T0 + 60_000] };
    const figures = account({
      injected: [fault(1), { ...fault(1), dedup_key: 'faults-1-again', injected_at: T0 + 59_000 }],
      incidents: [{ ...reopened, dedup_keys: ['faults-1', 'faults-1-again'] }],
      restarts: [
        { service: 'svc1', at: T0 + 5000 },
        // The recurrence's own restart, and then one too many for it.
        { service: 'svc1', at: T0 + 70_000 },
        { service: 'svc1', at: T0 + 71_000 },
      ],
    });
    expect(figures.duplicate_restarts).toBe(1);
    expect(figures.problems).toEqual(['INC-1 (reopening 1): 2 restarts']);
    // Without the reopening the same restarts are two too many for one attempt.
    const flat = account({
      injected: [fault(1)],
      incidents: [incident(1)],
      restarts: [
        { service: 'svc1', at: T0 + 5000 },
        { service: 'svc1', at: T0 + 70_000 },
        { service: 'svc1', at: T0 + 71_000 },
      ],
    });
    expect(flat.duplicate_restarts).toBe(2);
  });

  it('counts a repeat after an unconfirmed delivery as at-least-once, any other as a duplicate', () => {
    const figures = account({
      injected: [],
      incidents: [],
      notifications: [
        { identity: 'a', unconfirmed: true },
        { identity: 'a', unconfirmed: false },
        { identity: 'b', unconfirmed: false },
        { identity: 'b', unconfirmed: false },
      ],
    });
    expect(figures.at_least_once_repeats).toBe(1);
    expect(figures.at_least_once_bound).toBe(1);
    expect(figures.duplicate_notifications).toBe(1);
  });

  it('finds a second holder while the first lease lives, not a renew nor a takeover after expiry', () => {
    const lease = (holder: string, from: number, until: number): LockWrite => ({
      key: 'service.cart',
      op: 'put',
      holder,
      acquired_at: from,
      expires_at: until,
      at: from,
    });
    const cleanWrites: LockWrite[] = [
      lease('a', T0, T0 + 60_000),
      lease('a', T0, T0 + 90_000),
      lease('b', T0 + 90_000, T0 + 150_000),
      { key: 'service.cart', op: 'del', at: T0 + 100_000 },
      lease('c', T0 + 100_000, T0 + 160_000),
    ];
    const clean = account({ injected: [], incidents: [], locks: cleanWrites });
    expect(clean.lock_overlaps).toBe(0);
    // b took a's lease after it expired; c took it after a release (not a takeover).
    expect(lockTakeovers(cleanWrites)).toBe(1);
    const overlapping = account({
      injected: [],
      incidents: [],
      locks: [lease('a', T0, T0 + 60_000), lease('b', T0 + 30_000, T0 + 90_000)],
    });
    expect(overlapping.lock_overlaps).toBe(1);
  });

  it('names incidents in the window that no fault explains', () => {
    const figures = account({
      injected: [fault(1)],
      incidents: [
        incident(1),
        { ...incident(9), dedup_keys: [] },
        { ...incident(8), dedup_keys: [], detected_at: T0 - 60_000 },
      ],
      window: { from: T0, to: T0 + 60_000 },
    });
    expect(figures.unattributed_incidents).toBe(1);
    // Unattributed incidents are reported, not a loss or a duplicate.
    expect(figuresPass(figures)).toBe(true);
  });

  it('property: duplicated copies are counted exactly, whatever the order of the ledger', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ copies: fc.integer({ min: 1, max: 4 }), final: fc.boolean() }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.integer(),
        (plan, seed) => {
          const injected = plan.map((_, n) => fault(n));
          const incidents: LedgerIncident[] = plan.flatMap((entry, n) =>
            Array.from({ length: entry.copies }, (_, copy) =>
              incident(n, entry.final ? 'resolved' : 'triaged', `INC-${n}-${copy}`),
            ),
          );
          const shuffled = [...incidents].sort(
            (a, b) => hash(a.incident_id, seed) - hash(b.incident_id, seed),
          );
          const figures = account({ injected, incidents: shuffled });
          const expectedDuplicates = plan.reduce((sum, entry) => sum + entry.copies - 1, 0);
          const expectedLost = plan.filter((entry) => !entry.final).length;
          expect(figures.duplicate_incidents).toBe(expectedDuplicates);
          expect(figures.lost).toBe(expectedLost);
          expect(figures.ended_done).toBe(plan.length - expectedLost);
          expect(figuresPass(figures)).toBe(expectedDuplicates === 0 && expectedLost === 0);
        },
      ),
    );
  });

  it('property: repeats never exceed the unconfirmed copies when counted as at-least-once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ identity: fc.constantFrom('a', 'b', 'c'), unconfirmed: fc.boolean() }),
        ),
        (copies) => {
          const figures = account({ injected: [], incidents: [], notifications: copies });
          expect(figures.at_least_once_repeats).toBeLessThanOrEqual(figures.at_least_once_bound);
          const distinct = new Set(copies.map((copy) => copy.identity)).size;
          expect(figures.at_least_once_repeats + figures.duplicate_notifications).toBe(
            copies.length - distinct,
          );
        },
      ),
    );
  });
});

/** A deterministic shuffle key. */
function hash(text: string, seed: number): number {
  let value = seed | 0;
  for (const char of text) value = (Math.imul(value, 31) + char.charCodeAt(0)) | 0;
  return value;
}
