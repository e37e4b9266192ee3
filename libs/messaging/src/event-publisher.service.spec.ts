import { Logger } from '@nestjs/common';
import { EventValidationError } from '@opscrew/contracts';
import { ErrorCode, NatsError, type PubAck } from 'nats';
import { EventPublisher } from './event-publisher.service';
import { type NatsConnectionService } from './nats-connection.service';
import { SubjectMapper } from './subject-mapper';

interface Sent {
  subject: string;
  body: unknown;
  opts: { msgID: string; expect: { streamName: string } };
}

function fakeBus(publish: (sent: Sent) => Promise<PubAck>): {
  bus: NatsConnectionService;
  sent: Sent[];
} {
  const sent: Sent[] = [];
  const bus = {
    subjects: new SubjectMapper('ns', 'OPS'),
    jetstream: () => ({
      publish: (subject: string, data: Uint8Array, opts: Sent['opts']) => {
        const item = { subject, body: JSON.parse(new TextDecoder().decode(data)) as unknown, opts };
        sent.push(item);
        return publish(item);
      },
    }),
  } as unknown as NatsConnectionService;
  return { bus, sent };
}

const ack = (seq: number, duplicate = false): Promise<PubAck> =>
  Promise.resolve({ stream: 'OPS_ns', seq, duplicate } as PubAck);

const payload = {
  incident_id: 'INC-20250131-001',
  level: 'L1' as const,
  reason: 'runbook failed',
};

describe('EventPublisher', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('validates, maps the subject, sets Nats-Msg-Id to the event id and expects our stream', async () => {
    const { bus, sent } = fakeBus(() => ack(7));
    const result = await new EventPublisher(bus, 'jira-resolver').publish(
      'incident.escalated',
      payload,
    );
    expect(result.seq).toBe(7);
    expect(result.duplicate).toBe(false);
    expect(sent).toHaveLength(1);
    // The publishing user is the subject's last token (publisher-subject.ts).
    expect(sent[0]?.subject).toBe('ns.incident.escalated.jira-resolver');
    expect(sent[0]?.opts).toEqual({ msgID: result.event.id, expect: { streamName: 'OPS_ns' } });
    expect(sent[0]?.body).toEqual({
      ...payload,
      schema: 1,
      id: result.event.id,
      at: result.event.at,
      source: 'jira-resolver',
    });
  });

  it('publishes as the user its source stands for, or as the user it is given', async () => {
    const { bus, sent } = fakeBus(() => ack(1));
    const report = {
      service: 'cart',
      symptom: 'high_error_rate',
      value: 0.3,
      reporter: 'alertmanager',
    } as const;
    await new EventPublisher(bus, 'cli').publish('incident.reported', report);
    // An outside system keeps publishing the bare subject (unattributed).
    await new EventPublisher(bus, 'external').publish('incident.reported', report);
    // ops-monitor relaying Alertmanager: an `external` claim on its own subject.
    await new EventPublisher(bus, 'external', 'ops-monitor').publish('incident.reported', report);
    expect(sent.map((s) => [s.subject, (s.body as { source: string }).source])).toEqual([
      ['ns.incident.reported.cli', 'cli'],
      ['ns.incident.reported', 'external'],
      ['ns.incident.reported.ops-monitor', 'external'],
    ]);
  });

  it('refuses to publish anything but incident.reported unattributed, and a source naming no user', async () => {
    const { bus, sent } = fakeBus(() => ack(1));
    await expect(
      new EventPublisher(bus, 'external').publish('incident.escalated', payload),
    ).rejects.toThrow(/cannot publish incident\.escalated unattributed/);
    expect(() => new EventPublisher(bus, 'human')).toThrow(/source "human" names no bus user/);
    expect(sent).toHaveLength(0);
  });

  it('passes a caller id through (retries dedup) and reports duplicates', async () => {
    const { bus, sent } = fakeBus(() => ack(7, true));
    const result = await new EventPublisher(bus, 'cli').publish('incident.escalated', payload, {
      id: 'esc:INC-1:L1',
    });
    expect(result.duplicate).toBe(true);
    expect(sent[0]?.opts.msgID).toBe('esc:INC-1:L1');
  });

  it('throws on an invalid payload and sends nothing', async () => {
    const { bus, sent } = fakeBus(() => ack(1));
    const publisher = new EventPublisher(bus, 'cli');
    await expect(
      publisher.publish('incident.escalated', { ...payload, level: 'L4' as 'L1' }),
    ).rejects.toThrow(
      new EventValidationError(
        'incident.escalated',
        'incident.escalated: level: must be one of L1, L2, L3',
      ),
    );
    expect(sent).toHaveLength(0);
  });

  it('retries transient failures with the same message id', async () => {
    let calls = 0;
    const { bus, sent } = fakeBus(() => {
      calls += 1;
      return calls < 3 ? Promise.reject(NatsError.errorForCode(ErrorCode.NoResponders)) : ack(9);
    });
    const result = await new EventPublisher(bus, 'cli').publish('incident.escalated', payload);
    expect(result.seq).toBe(9);
    expect(new Set(sent.map((s) => s.opts.msgID)).size).toBe(1);
    expect(sent).toHaveLength(3);
  });

  it('gives up after the last attempt, and does not retry other errors', async () => {
    const timeouts = fakeBus(() => Promise.reject(NatsError.errorForCode(ErrorCode.Timeout)));
    await expect(
      new EventPublisher(timeouts.bus, 'cli').publish('incident.escalated', payload),
    ).rejects.toThrow();
    expect(timeouts.sent).toHaveLength(4);
    const denied = fakeBus(() =>
      Promise.reject(NatsError.errorForCode(ErrorCode.PermissionsViolation)),
    );
    await expect(
      new EventPublisher(denied.bus, 'cli').publish('incident.escalated', payload),
    ).rejects.toThrow();
    expect(denied.sent).toHaveLength(1);
  });
});
