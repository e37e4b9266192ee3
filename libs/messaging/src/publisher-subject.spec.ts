import { subjectMatches } from '@opscrew/contracts';
import fc from 'fast-check';
import { BUS_USERS, isBusUser } from './bus-user';
import { attributedSubject, splitPublisher } from './publisher-subject';
import { SubjectMapper } from './subject-mapper';
import { consumerWireFilter } from './topology.provisioner';

/** A subject token as the contracts allow them ([A-Za-z0-9_-]). */
const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const logical = fc.array(token, { minLength: 1, maxLength: 5 }).map((tokens) => tokens.join('.'));
const user = fc.constantFrom(...BUS_USERS);

describe('publisher subjects', () => {
  it('names the publisher last and splits it off again, for any logical subject and user', () => {
    fc.assert(
      fc.property(logical, user, (subject, publisher) => {
        const wire = attributedSubject(subject, publisher);
        expect(wire).toBe(`${subject}.${publisher}`);
        expect(splitPublisher(wire)).toEqual({ logical: subject, publisher });
      }),
    );
  });

  it('reads a subject whose last token is no bus user as unattributed, whole', () => {
    fc.assert(
      fc.property(
        logical.filter((subject) => !isBusUser(subject.split('.').pop())),
        (subject) => {
          expect(attributedSubject(subject, null)).toBe(subject);
          expect(splitPublisher(subject)).toEqual({ logical: subject, publisher: null });
        },
      ),
    );
  });

  it('needs something before the publisher token: a lone user name is a subject, not a sender', () => {
    expect(splitPublisher('reporter')).toEqual({ logical: 'reporter', publisher: null });
    expect(splitPublisher('incident.reported')).toEqual({
      logical: 'incident.reported',
      publisher: null,
    });
    expect(splitPublisher('heartbeat.atlas.atlas')).toEqual({
      logical: 'heartbeat.atlas',
      publisher: 'atlas',
    });
    expect(splitPublisher('audit.jira-resolver.cli')).toEqual({
      logical: 'audit.jira-resolver',
      publisher: 'cli',
    });
  });

  it('refuses an empty token', () => {
    expect(() => attributedSubject('incident..detected', 'cli')).toThrow(/empty token/);
    expect(() => attributedSubject('', 'cli')).toThrow(/empty token/);
  });

  it('maps through the namespace both ways; outside it there is nothing to attribute', () => {
    fc.assert(
      fc.property(logical, fc.option(user, { nil: null }), (subject, publisher) => {
        fc.pre(publisher !== null || !isBusUser(subject.split('.').pop()));
        const mapper = new SubjectMapper('ns', 'OPS');
        const wire = mapper.toPublishWire(subject, publisher);
        expect(wire).toBe(`ns.${attributedSubject(subject, publisher)}`);
        expect(mapper.fromWire(wire)).toEqual({ logical: subject, publisher });
      }),
    );
    expect(new SubjectMapper('ns', 'OPS').fromWire('other.incident.detected.cli')).toBeNull();
    expect(new SubjectMapper(undefined, 'OPS').fromWire('incident.detected.cli')).toEqual({
      logical: 'incident.detected',
      publisher: 'cli',
    });
  });

  it('gives an exact consumer filter the publisher token; a family filter matches as it is', () => {
    fc.assert(
      fc.property(logical, user, (subject, publisher) => {
        const mapper = new SubjectMapper('ns', 'OPS');
        const wire = mapper.toPublishWire(subject, publisher);
        expect(subjectMatches(consumerWireFilter(mapper, subject), wire)).toBe(true);
        const family = `${subject.split('.')[0] ?? ''}.>`;
        expect(subjectMatches(consumerWireFilter(mapper, family), wire)).toBe(true);
      }),
    );
    const mapper = new SubjectMapper('ns', 'OPS');
    expect(consumerWireFilter(mapper, 'incident.detected')).toBe('ns.incident.detected.*');
    expect(consumerWireFilter(mapper, 'incident.>')).toBe('ns.incident.>');
    // A bare subject reaches only family filters (that is why ops-monitor-reports reads one).
    expect(subjectMatches('ns.incident.reported.*', 'ns.incident.reported')).toBe(false);
    expect(subjectMatches('ns.incident.>', 'ns.incident.reported')).toBe(true);
  });
});
