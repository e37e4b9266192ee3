import { type Notification, type TicketDraft } from '@opscrew/ports';
import { SECRET_SHAPES } from '@opscrew/testing';
import { buildDiscordMessages } from '../notifier/discord-message.builder';
import { buildTicketDescription } from '../tracker/adf.builder';

/** The longest letters-and-digits run of a secret: what would still identify it after escaping or defanging. */
function core(secret: string): string {
  return (secret.match(/[A-Za-z0-9]+/g) ?? []).sort((a, b) => b.length - a.length)[0] ?? '';
}

function expectNoSecret(payload: unknown): void {
  const text = JSON.stringify(payload);
  for (const shape of SECRET_SHAPES) {
    expect(text).not.toContain(shape.secret);
    const run = core(shape.secret);
    if (run.length >= 12) expect(text).not.toContain(run);
  }
  expect(text).toContain('REDACTED:');
}

const lines = SECRET_SHAPES.map((shape) => shape.line);

describe('Discord and Jira text from the real builders carries no secret', () => {
  it('Discord: title, text and fields', () => {
    const notification: Notification = {
      idempotency_key: 'notify:INC-20261207-001:detected',
      kind: 'incident',
      severity: 'critical',
      title: `cart failing: ${SECRET_SHAPES[0]?.line ?? ''}`,
      text: lines.join('\n'),
      fields: lines.slice(0, 20).map((line, i) => ({ name: `f${i}`, value: line })),
      incident_id: 'INC-20261207-001',
    };
    const { bodies } = buildDiscordMessages(
      notification,
      { username: 'opscrew', role_ids: {}, colors_by_severity: {} },
      new Date('2026-12-07T03:00:00.000Z'),
    );
    expectNoSecret(bodies);
  });

  it('Jira: the ticket description (ADF) of every section', () => {
    const draft: TicketDraft = {
      idempotency_key: 'ticket:INC-20261207-001',
      incident_id: 'INC-20261207-001',
      summary: 'cart failing',
      sections: lines.map((text, i) => ({ label: `Evidence ${i}`, text })),
      labels: [],
      severity: 'high',
      service: 'cart',
    };
    expectNoSecret(buildTicketDescription(draft, 'opscrew-ticket-1'));
  });
});
