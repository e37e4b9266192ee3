import {
  AGENT_NAMES,
  auditSubject,
  deadLetterSubject,
  FIXED_SUBJECTS,
  heartbeatSubject,
  isAgentName,
  isSubjectToken,
  reportSubject,
  SUBJECTS,
  subjectMatches,
} from './subjects';
import { BUCKET_NAMES, isKvKey, KV_BUCKETS } from './kv-buckets';
import { type AgentName } from './subjects';

describe('subjects', () => {
  it('declares the logical subjects of the bus', () => {
    expect(FIXED_SUBJECTS).toEqual([
      'incident.reported',
      'incident.detected',
      'incident.updated',
      'incident.resolved',
      'incident.escalated',
      'remediation.started',
      'remediation.finished',
      'lock.acquired',
      'lock.released',
      'scenario.started',
      'scenario.finished',
      'agent.stale',
      'agent.restarted',
      'command.restart',
      'command.result',
    ]);
    expect(SUBJECTS.incidentDetected).toBe('incident.detected');
    expect(AGENT_NAMES).toEqual(['atlas', 'ops-monitor', 'jira-resolver', 'demo-controller']);
  });

  it('builds family subjects', () => {
    expect(heartbeatSubject('ops-monitor')).toBe('heartbeat.ops-monitor');
    expect(auditSubject('atlas')).toBe('audit.atlas');
    expect(reportSubject('daily')).toBe('report.daily');
    expect(deadLetterSubject('jira-resolver-incidents')).toBe('deadletter.jira-resolver-incidents');
  });

  it('refuses tokens that would change the subject shape', () => {
    for (const bad of ['', 'a.b', 'a*', '>', 'has space', 'x'.repeat(65)]) {
      expect(isSubjectToken(bad)).toBe(false);
      expect(() => reportSubject(bad)).toThrow(/report kind .* is not a valid subject token/);
      expect(() => deadLetterSubject(bad)).toThrow(/consumer name/);
    }
    expect(isSubjectToken('Daily_report-2')).toBe(true);
    expect(() => heartbeatSubject('nobody' as AgentName)).toThrow(/unknown agent "nobody"/);
    expect(() => auditSubject('nobody' as AgentName)).toThrow(/unknown agent/);
    expect(isAgentName('atlas')).toBe(true);
    expect(isAgentName(3)).toBe(false);
  });

  it('matches NATS wildcards', () => {
    expect(subjectMatches('incident.>', 'incident.detected')).toBe(true);
    expect(subjectMatches('incident.>', 'incident')).toBe(false);
    expect(subjectMatches('incident.*', 'incident.detected')).toBe(true);
    expect(subjectMatches('incident.*', 'incident.a.b')).toBe(false);
    expect(subjectMatches('>', 'a.b.c')).toBe(true);
    expect(subjectMatches('incident.detected', 'incident.detected')).toBe(true);
    expect(subjectMatches('incident.detected', 'incident.updated')).toBe(false);
    expect(subjectMatches('incident.detected', 'incident.detected.x')).toBe(false);
  });
});

describe('kv buckets', () => {
  it('names the shared-state buckets', () => {
    expect(BUCKET_NAMES).toEqual([
      'incidents',
      'locks',
      'heartbeats',
      'tickets',
      'learning',
      'outbox',
      'escalations',
      'sequences',
      'fingerprints',
      'remediations',
      'lifecycle',
      'capacity',
      'slo',
      'silences',
      'leaders',
      'interactions',
    ]);
    expect(KV_BUCKETS.locks).toBe('locks');
  });

  it('validates KV keys', () => {
    expect(isKvKey('checkout')).toBe(true);
    expect(isKvKey('INC-20250131-001')).toBe(true);
    expect(isKvKey('a/b=c_d.e')).toBe(true);
    for (const bad of ['', 'a b', 'a*', 'a>', '.a', 'a.', 'ü', 42]) {
      expect(isKvKey(bad)).toBe(false);
    }
  });
});
