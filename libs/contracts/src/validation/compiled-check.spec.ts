import { IsString } from 'class-validator';
import { eventContract } from '../event-registry';
import { classJsonSchema } from '../json-schema/class-json-schema.generator';
import { eventDocsEntries } from '../json-schema/event-docs.builder';
import { mutationsOf } from '../json-schema/testing/payload.mutations';
import { FingerprintRecord } from '../records/fingerprint.record';
import { IncidentRecord } from '../records/incident.record';
import { FIXED_SUBJECTS, SUBJECT_FAMILIES } from '../subjects';
import { checkPlain, compiledCheck, uncompiledReason, validateCompiled } from './compiled-check';
import { IsText, OptionalField } from './field.validators';
import { type Constructor } from './schema-hint';
import { validatePlain } from './validate-plain';

const FINGERPRINT: Record<string, unknown> = {
  fingerprint: 'cart:high_error_rate',
  incident_id: 'INC-20261207-001-0042',
  service: 'cart',
  symptom: 'high_error_rate',
  severity: 'high',
  metric: 'error_rate_ratio',
  rule: 'absolute',
  detail: 'error rate 12 %',
  threshold: 0.05,
  opened_at: '2026-12-07T09:00:00.000Z',
  last_seen_at: '2026-12-07T09:00:05.000Z',
  count: 3,
  first_value: 0.12,
  last_value: 0.1,
  peak_value: 0.12,
  published_peak: 0.12,
  published_severity: 'high',
  announced: true,
  informational: false,
  symptoms: ['high_error_rate'],
  reporters: ['billing-probe'],
  report_ids: ['3f1c2a7e-0000-4000-8000-000000000001'],
};

const INCIDENT: Record<string, unknown> = {
  incident_id: 'INC-20261207-001-0042',
  fingerprint: 'cart:high_error_rate',
  service: 'cart',
  symptom: 'high_error_rate',
  severity: 'high',
  phase: 'detected',
  detected_by: 'ops-monitor',
  detected_at: '2026-12-07T09:00:00.000Z',
  updated_at: '2026-12-07T09:00:00.000Z',
  value: 0.12,
  threshold: 0.05,
  metric: 'error_rate_ratio',
  count: 1,
  last_value: 0.12,
  peak_value: 0.12,
  symptoms: ['high_error_rate'],
  history: [
    {
      at: '2026-12-07T09:00:00.000Z',
      phase: 'detected',
      source: 'ops-monitor',
      event_id: '3f1c2a7e-0000-4000-8000-000000000001',
    },
  ],
};

/** Every mutation of a valid sample: the compiled check says yes exactly where validatePlain does. */
function disagreements(cls: Constructor, sample: Record<string, unknown>): string[] {
  const schema = classJsonSchema(cls, { $id: cls.name, title: cls.name, description: cls.name });
  const out: string[] = [];
  const bodies = [
    { label: 'sample', body: JSON.stringify(sample) },
    ...mutationsOf(sample, schema),
  ];
  for (const { label, body } of bodies) {
    const plain = JSON.parse(body) as unknown;
    const fast = compiledCheck(cls)(plain);
    const full = validatePlain(cls, plain);
    if (fast !== full.ok) out.push(`${label}: compiled ${fast}, validatePlain ${full.ok}`);
    const same = validateCompiled(cls, plain);
    if (JSON.stringify(same) !== JSON.stringify(full))
      out.push(`${label}: validateCompiled differs`);
  }
  // A mutation set that stopped reaching the fields would agree trivially.
  expect(bodies.length).toBeGreaterThan(100);
  return out;
}

describe('compiledCheck', () => {
  it('agrees with validatePlain on every mutation of a fingerprint entry', () => {
    expect(validatePlain(FingerprintRecord, FINGERPRINT).ok).toBe(true);
    expect(disagreements(FingerprintRecord, FINGERPRINT)).toEqual([]);
  });

  it('agrees with validatePlain on every mutation of a ledger entry (nested history)', () => {
    expect(validatePlain(IncidentRecord, INCIDENT).ok).toBe(true);
    expect(disagreements(IncidentRecord, INCIDENT)).toEqual([]);
  });

  const keys = [...FIXED_SUBJECTS, ...SUBJECT_FAMILIES];
  const entries = eventDocsEntries();
  it.each(keys.map((key, i) => [key, i] as const))(
    'agrees with validatePlain on every mutation of the %s example',
    (key, i) => {
      const entry = entries[i];
      if (entry === undefined) throw new Error(`no docs entry for ${key}`);
      expect(disagreements(eventContract(key).cls, { ...entry.example })).toEqual([]);
    },
  );

  it('compiles the ledger records and every event class (else each write walks class-validator)', () => {
    const classes = [
      FingerprintRecord,
      IncidentRecord,
      ...keys.map((key) => eventContract(key).cls),
    ];
    expect(classes.map((cls) => uncompiledReason(cls)).filter((why) => why !== null)).toEqual([]);
  });

  it('refuses reserved keys and unknown keys at any level', () => {
    const check = compiledCheck(IncidentRecord);
    const history = INCIDENT['history'] as Record<string, unknown>[];
    expect(check(JSON.parse('{"__proto__": {}}'))).toBe(false);
    expect(check({ ...INCIDENT, extra: 1 })).toBe(false);
    expect(check({ ...INCIDENT, history: [{ ...history[0], extra: 1 }] })).toBe(false);
    expect(
      check(JSON.parse(JSON.stringify(INCIDENT).replace('"phase"', '"__proto__":{},"phase"'))),
    ).toBe(false);
  });

  it('never passes a class it cannot read exactly (a plain class-validator rule): validatePlain decides', () => {
    class Foreign {
      @IsString()
      name!: string;
    }
    expect(compiledCheck(Foreign)({ name: 'x' })).toBe(false);
    expect(checkPlain(Foreign, { name: 'x' })).toEqual({ ok: true });
    expect(checkPlain(Foreign, { name: 1 })).toEqual(validatePlain(Foreign, { name: 1 }));
  });

  it('never passes a class whose fresh instance holds a default validatePlain would check', () => {
    class Defaulted {
      @OptionalField()
      @IsText(10)
      name?: string = '';
    }
    expect(compiledCheck(Defaulted)({})).toBe(false);
    expect(checkPlain(Defaulted, {}).ok).toBe(validatePlain(Defaulted, {}).ok);
  });
});

describe('validateCompiled', () => {
  it('gives the instance validatePlain gives (nested items instances too)', () => {
    const fast = validateCompiled(IncidentRecord, INCIDENT);
    const full = validatePlain(IncidentRecord, INCIDENT);
    expect(fast).toEqual(full);
    if (!fast.ok || !full.ok) throw new Error('expected both to pass');
    expect(fast.value).toBeInstanceOf(IncidentRecord);
    expect(Object.getPrototypeOf(fast.value.history[0])).toBe(
      Object.getPrototypeOf(full.value.history[0]),
    );
  });

  it('refuses in the words of validatePlain', () => {
    const bad = { ...INCIDENT, history: [] };
    expect(validateCompiled(IncidentRecord, bad)).toEqual(validatePlain(IncidentRecord, bad));
    expect(validateCompiled(IncidentRecord, bad)).toMatchObject({ ok: false });
  });
});

describe('checkPlain', () => {
  it('words a refusal exactly as validatePlain does, naming the field', () => {
    const bad = { ...FINGERPRINT, count: 0, severity: 'dire' };
    const full = validatePlain(FingerprintRecord, bad);
    expect(full.ok).toBe(false);
    expect(checkPlain(FingerprintRecord, bad)).toEqual(full);
    expect(checkPlain(FingerprintRecord, bad)).toMatchObject({
      reason: expect.stringContaining('count: must be an integer ≥ 1'),
    });
  });

  it('passes a valid record', () => {
    expect(checkPlain(FingerprintRecord, FINGERPRINT)).toEqual({ ok: true });
  });
});
