import { SUBJECTS } from '@opscrew/contracts';
import { busPattern } from './bus-event.decorator';
import { BusRouteError, planRoutes, type RoutableHandler } from './bus-routes';

function handler(name: string, extra: Partial<RoutableHandler> = {}): RoutableHandler {
  return { isEventHandler: true, extras: { jetstream: true, handler: name }, ...extra };
}

function plan(entries: [string, RoutableHandler][], allowed?: Parameters<typeof planRoutes>[1]) {
  return planRoutes(new Map(entries), allowed);
}

describe('planRoutes', () => {
  it('maps a durable handler and per-subject handlers to their durables', () => {
    const ledger = handler('Bus.ledger');
    const resolved = handler('Bus.resolved');
    const escalated = handler('Bus.escalated');
    const routes = plan([
      [busPattern('atlas-ledger'), ledger],
      [busPattern('atlas-postmortems', SUBJECTS.incidentResolved), resolved],
      [busPattern('atlas-postmortems', SUBJECTS.incidentEscalated), escalated],
    ]);
    expect(routes).toHaveLength(2);
    const [first, second] = routes;
    expect(first).toMatchObject({ durable: 'atlas-ledger', all: ledger });
    expect(first?.bySubject.size).toBe(0);
    expect(second?.durable).toBe('atlas-postmortems');
    expect(second?.all).toBeNull();
    expect(second?.bySubject.get(SUBJECTS.incidentResolved)).toBe(resolved);
    expect(second?.bySubject.get(SUBJECTS.incidentEscalated)).toBe(escalated);
  });

  it('has no route when nothing is handled', () => {
    expect(plan([])).toEqual([]);
  });

  it('refuses a pattern that names no bus consumer, naming the handler and pattern', () => {
    expect(() => plan([['incident.detected', handler('Foo.bar')]])).toThrow(BusRouteError);
    expect(() => plan([['incident.detected', handler('Foo.bar')]])).toThrow(
      /Foo\.bar \(pattern "incident\.detected"\) names no bus consumer/,
    );
  });

  it('refuses an undeclared durable', () => {
    expect(() => plan([['jetstream:atlas-nope', handler('Foo.bar')]])).toThrow(
      /Foo\.bar .*unknown consumer "atlas-nope" \(declared: jira-resolver-incidents/,
    );
  });

  it('refuses a durable this app may not pull', () => {
    expect(() =>
      plan([[busPattern('jira-resolver-incidents'), handler('Foo.bar')]], ['atlas-ledger']),
    ).toThrow(
      /handles jira-resolver-incidents, which this app does not consume \(its durables: atlas-ledger\)/,
    );
  });

  it('refuses a subject the durable never delivers, or acks unread', () => {
    expect(() =>
      plan([[busPattern('atlas-ledger', SUBJECTS.lockReleased), handler('Foo.bar')]]),
    ).toThrow(/atlas-ledger \(filter incident\.>\) never delivers lock\.released/);
    expect(() =>
      plan([[busPattern('atlas-ledger', SUBJECTS.incidentReported), handler('Foo.bar')]]),
    ).toThrow(/atlas-ledger acks incident\.reported unread/);
    expect(() => plan([['jetstream:atlas-ledger:incident.nope', handler('Foo.bar')]])).toThrow(
      /"incident\.nope" is not an event subject/,
    );
  });

  it('refuses request-response handlers, bare @EventPattern handlers and doubled handlers', () => {
    expect(() =>
      plan([[busPattern('atlas-ledger'), handler('Foo.ask', { isEventHandler: false })]]),
    ).toThrow(/Foo\.ask .*is a @MessagePattern/);
    expect(() =>
      plan([[busPattern('atlas-ledger'), { isEventHandler: true, extras: {} }]]),
    ).toThrow(/a handler .*not declared with @OnBusEvent/);
    expect(() =>
      plan([[busPattern('atlas-ledger'), handler('Foo.a', { next: handler('Foo.b') })]]),
    ).toThrow(/more than one handler/);
  });

  it('refuses a durable handler beside subject handlers of the same durable', () => {
    expect(() =>
      plan([
        [busPattern('atlas-postmortems', SUBJECTS.incidentResolved), handler('Foo.a')],
        [busPattern('atlas-postmortems'), handler('Foo.b')],
      ]),
    ).toThrow(/Foo\.b .*already has a handler/);
    expect(() =>
      plan([
        [busPattern('atlas-postmortems'), handler('Foo.b')],
        [busPattern('atlas-postmortems', SUBJECTS.incidentResolved), handler('Foo.a')],
      ]),
    ).toThrow(/Foo\.a .*already has a handler for all its events/);
  });
});
