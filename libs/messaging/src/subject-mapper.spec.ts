import { SubjectMapper } from './subject-mapper';

describe('SubjectMapper', () => {
  it('uses the logical names when there is no namespace', () => {
    const mapper = new SubjectMapper(undefined, 'OPS');
    expect(mapper.toWire('incident.detected')).toBe('incident.detected');
    expect(mapper.toWire('incident.>')).toBe('incident.>');
    expect(mapper.toLogical('incident.detected')).toBe('incident.detected');
    expect(mapper.stream()).toBe('OPS');
    expect(mapper.bucket('incidents')).toBe('incidents');
    expect(mapper.namespace).toBeUndefined();
  });

  it('prefixes subjects, suffixes the stream and prefixes buckets with a namespace', () => {
    const mapper = new SubjectMapper('x', 'OPS');
    expect(mapper.toWire('incident.detected')).toBe('x.incident.detected');
    expect(mapper.toWire('heartbeat.>')).toBe('x.heartbeat.>');
    expect(mapper.toLogical('x.incident.detected')).toBe('incident.detected');
    expect(mapper.stream()).toBe('OPS_x');
    expect(mapper.bucket('incidents')).toBe('x_incidents');
  });

  it('keeps dead letters in their own stream, namespaced like the event stream', () => {
    const plain = new SubjectMapper(undefined, 'OPS');
    expect(plain.deadLetterStream()).toBe('DEADLETTERS');
    expect(plain.streamFor('deadletter.atlas-ledger')).toBe('DEADLETTERS');
    expect(plain.streamFor('incident.detected')).toBe('OPS');
    const mapped = new SubjectMapper('x', 'OPS');
    expect(mapped.deadLetterStream()).toBe('DEADLETTERS_x');
    expect(mapped.streamFor('deadletter.atlas-ledger')).toBe('DEADLETTERS_x');
    expect(mapped.streamFor('heartbeat.atlas')).toBe('OPS_x');
  });

  it('does not map wire subjects of another namespace', () => {
    const mapper = new SubjectMapper('x', 'OPS');
    expect(mapper.toLogical('y.incident.detected')).toBeNull();
    expect(mapper.toLogical('xincident.detected')).toBeNull();
    expect(mapper.toLogical('incident.detected')).toBeNull();
  });

  it('treats an empty namespace as none', () => {
    const mapper = new SubjectMapper('', 'OPS');
    expect(mapper.toWire('lock.acquired')).toBe('lock.acquired');
    expect(mapper.stream()).toBe('OPS');
  });

  it('refuses names that would break subjects, streams or buckets', () => {
    expect(() => new SubjectMapper('a.b', 'OPS')).toThrow(/namespace "a.b"/);
    expect(() => new SubjectMapper('a b', 'OPS')).toThrow(/namespace/);
    expect(() => new SubjectMapper('a>', 'OPS')).toThrow(/namespace/);
    expect(() => new SubjectMapper(undefined, 'OPS.1')).toThrow(/stream name/);
  });
});
