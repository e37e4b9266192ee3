import { type AuditEntry } from '@opscrew/ports';
import { RecordingAudit } from './recording-audit';

const entry = (action: string): AuditEntry =>
  ({ action, incident_id: 'INC-1' }) as unknown as AuditEntry;

describe('RecordingAudit', () => {
  it('records entries and fails on demand: queued failures first, then `failing`', async () => {
    const audit = new RecordingAudit();
    audit.failures.push(new Error('crash'), null);
    await expect(audit.record(entry('a'))).rejects.toThrow('crash');
    await audit.record(entry('b'));
    audit.failing = true;
    await expect(audit.record(entry('c'))).rejects.toThrow(/disk full/);
    expect(audit.actions()).toEqual(['INC-1 b']);
  });
});
