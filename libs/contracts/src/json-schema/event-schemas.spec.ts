import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parseEvent } from '../event-registry';
import { FIXED_SUBJECTS, SUBJECT_FAMILIES } from '../subjects';
import { EVENT_DOCS_DIR, eventDocsEntries } from './event-docs.builder';

/** The published files, as a consumer reads them (event-docs.spec.ts checks they are current). */
function published(name: string): Record<string, unknown> {
  const path = join(__dirname, '..', '..', '..', '..', EVENT_DOCS_DIR, name);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

describe('event schemas', () => {
  const entries = eventDocsEntries();

  it('cover every fixed subject and every family', () => {
    expect(entries.map((e) => e.subject)).toEqual([
      ...FIXED_SUBJECTS,
      'heartbeat.<agent>',
      'report.<kind>',
      'deadletter.<consumer>',
      'audit.<agent>',
    ]);
    expect(SUBJECT_FAMILIES).toHaveLength(4);
  });

  describe.each(entries.map((e) => [e.subject, e] as const))('%s', (_subject, entry) => {
    const schema = published(`${entry.file}.schema.json`);
    const example = published(`${entry.file}.example.json`);

    it('compiles under Ajv strict mode (a consumer with any Ajv settings can use it)', () => {
      const ajv = addFormats(new Ajv({ strict: true }));
      expect(() => ajv.compile(schema)).not.toThrow();
    });

    it('accepts its example, and so does parseEvent on the example subject', () => {
      const validate = addFormats(new Ajv()).compile(schema);
      expect({ valid: validate(example), errors: validate.errors }).toEqual({
        valid: true,
        errors: null,
      });
      const parsed = parseEvent(entry.exampleSubject, JSON.stringify(example));
      expect(parsed.ok ? 'ok' : parsed.reason).toBe('ok');
    });
  });

  it('makes the public intake example the one the README publishes', () => {
    const intake = published('incident.reported.example.json');
    expect(intake).toMatchObject({
      service: 'cart',
      symptom: 'high_error_rate',
      value: 0.12,
      reporter: 'billing-probe',
      source: 'external',
      schema: 1,
    });
    expect(Object.keys(intake)).toEqual(expect.arrayContaining(['dedup_key', 'id', 'at']));
  });
});
