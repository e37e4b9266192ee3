import {
  AGENT_NAMES,
  auditSubject,
  deadLetterSubject,
  EVENT_SOURCES,
  FIXED_SUBJECTS,
  heartbeatSubject,
  subjectMatches,
} from '@opscrew/contracts';
import { BUS_GRANTS, userPermissions } from './bus-permissions';
import { BUS_USERS } from './bus-user';
import { publisherForSource } from './event-publisher.service';
import { checkSender, publishersOf, SOURCE_CLAIMS } from './publisher-identity';
import { attributedSubject } from './publisher-subject';
import { SubjectMapper } from './subject-mapper';
import { CONSUMER_NAMES } from './topology';

const plain = new SubjectMapper(undefined, 'OPS');

/** Every logical subject the crew uses: fixed ones and an instance of each family. */
const SUBJECTS_IN_USE = [
  ...FIXED_SUBJECTS,
  ...AGENT_NAMES.map((agent) => heartbeatSubject(agent)),
  ...AGENT_NAMES.map((agent) => auditSubject(agent)),
  ...CONSUMER_NAMES.map((consumer) => deadLetterSubject(consumer)),
  'report.daily',
  'report.data-quality',
];

describe('the source table (who may publish what)', () => {
  it('lists every publisher BUS_GRANTS names for a subject, and nobody else', () => {
    for (const user of BUS_USERS)
      for (const granted of BUS_GRANTS[user].publishes) {
        const example = granted.replace(/>$/, 'example');
        expect({ example, user, listed: publishersOf(example).includes(user) }).toEqual({
          example,
          user,
          listed: true,
        });
      }
    expect(publishersOf('incident.detected')).toEqual(['ops-monitor', 'jira-resolver']);
    expect(publishersOf('incident.reported')).toEqual(['ops-monitor', 'cli', 'reporter']);
    expect(publishersOf('incident.resolved')).toEqual(['jira-resolver']);
    expect(publishersOf('remediation.started')).toEqual(['jira-resolver']);
    expect(publishersOf('report.daily')).toEqual([
      'atlas',
      'ops-monitor',
      'jira-resolver',
      'demo-controller',
    ]);
    expect(publishersOf('audit.jira-resolver')).toEqual(['atlas', 'jira-resolver', 'cli']);
    expect(publishersOf('lock.acquired')).toEqual(['jira-resolver', 'demo-controller']);
    expect(publishersOf('nothing.here')).toEqual([]);
  });

  it('adds what every process does anyway: an agent its heartbeat, a consumer owner its dead letters', () => {
    for (const agent of AGENT_NAMES) expect(publishersOf(heartbeatSubject(agent))).toEqual([agent]);
    for (const consumer of CONSUMER_NAMES) {
      const owner = BUS_USERS.filter((user) => BUS_GRANTS[user].consumes.includes(consumer));
      expect(publishersOf(deadLetterSubject(consumer))).toEqual(owner);
    }
  });

  it('agrees with the server: a user is listed for a subject exactly when it may publish `<subject>.<itself>`', () => {
    for (const user of BUS_USERS) {
      const allowed = userPermissions(user, plain).publish;
      for (const subject of SUBJECTS_IN_USE) {
        const wire = attributedSubject(subject, user);
        expect({
          user,
          subject,
          listed: publishersOf(subject).includes(user),
        }).toEqual({
          user,
          subject,
          listed: allowed.some((pattern) => subjectMatches(pattern, wire)),
        });
      }
    }
  });
});

describe('source claims', () => {
  it('maps each agent and the CLI to that very user; a process’s own claim always matches it', () => {
    for (const user of [...AGENT_NAMES, 'cli'] as const)
      expect(SOURCE_CLAIMS[user]).toEqual([user]);
    for (const source of EVENT_SOURCES) {
      if (source === 'human') continue;
      expect(SOURCE_CLAIMS[source]).toContain(publisherForSource(source));
    }
  });

  it('accepts a genuine event: the publisher may send the subject and is who it claims', () => {
    expect(checkSender('incident.detected', 'ops-monitor', 'ops-monitor')).toEqual({ ok: true });
    // jira-resolver's todo-ticket poller opens human-filed tickets as itself.
    expect(checkSender('incident.detected', 'jira-resolver', 'jira-resolver')).toEqual({
      ok: true,
    });
    expect(checkSender('incident.reported', null, 'external')).toEqual({ ok: true });
    expect(checkSender('incident.reported', 'reporter', 'external')).toEqual({ ok: true });
    expect(checkSender('incident.reported', 'ops-monitor', 'external')).toEqual({ ok: true });
    expect(checkSender('incident.reported', 'cli', 'cli')).toEqual({ ok: true });
    expect(checkSender('audit.jira-resolver', 'cli', 'cli')).toEqual({ ok: true });
    expect(checkSender('heartbeat.atlas', 'atlas', 'atlas')).toEqual({ ok: true });
  });

  it('refuses a forged incident.detected however it is sent (the issue’s case)', () => {
    for (const publisher of ['reporter', 'demo-controller', 'cli', 'atlas', null] as const)
      expect(checkSender('incident.detected', publisher, 'ops-monitor')).toMatchObject({
        ok: false,
      });
    expect(checkSender('incident.detected', 'jira-resolver', 'ops-monitor')).toEqual({
      ok: false,
      reason: 'incident.detected: claims source "ops-monitor" but was published by jira-resolver',
    });
    expect(checkSender('incident.detected', null, 'ops-monitor')).toEqual({
      ok: false,
      reason:
        'incident.detected: unattributed (no publisher token), accepted only on incident.reported; claims source "ops-monitor"',
    });
    expect(checkSender('incident.detected', 'reporter', 'ops-monitor')).toEqual({
      ok: false,
      reason:
        'incident.detected: published by reporter, which does not publish it (BUS_GRANTS); claims source "ops-monitor"',
    });
  });

  it('refuses an outside report that claims to be the crew, and the crew claiming to be outside', () => {
    expect(checkSender('incident.reported', null, 'ops-monitor')).toMatchObject({ ok: false });
    expect(checkSender('incident.reported', 'reporter', 'cli')).toMatchObject({ ok: false });
    expect(checkSender('incident.reported', 'cli', 'external')).toMatchObject({ ok: false });
    expect(checkSender('heartbeat.atlas', 'ops-monitor', 'atlas')).toMatchObject({ ok: false });
    // An outside system only reports, even through a crew member that relays it.
    expect(checkSender('incident.detected', 'ops-monitor', 'external')).toEqual({
      ok: false,
      reason:
        'incident.detected: claims source "external", which only reports (incident.reported); published by ops-monitor',
    });
  });
});
