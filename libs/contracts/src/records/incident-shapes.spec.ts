import {
  type IncidentDetectedEvent,
  type IncidentReportedEvent,
  type IncidentUpdatedEvent,
} from '../events/incident.events';
import { type EscalationRecord } from './escalation.record';
import { type FingerprintRecord } from './fingerprint.record';
import { type IncidentRecord } from './incident.record';
import { type RemediationRunRecord } from './remediation-run.record';
import { type ObservedIncident } from './scenario-run.record';

/*
 * The incident has one model, IncidentRecord. A few classes still carry incident fields of their
 * own because each is a validated wire or storage contract (decorators per field, so it cannot
 * be a Pick): the bus events, ops-monitor's fingerprint index, the escalation and remediation
 * records, the scenario runs' observations. This spec keeps each of those fields the record's
 * field: same name, same type (optionality aside, where the contract says otherwise on purpose).
 * A field retyped in IncidentRecord and not in them fails tsc here.
 */

/** Compiles only when A and B are each assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The record's fields K, each as the record types it, required or not as `Shape` has them. */
type AsRecord<Shape, K extends keyof Shape & keyof IncidentRecord> = {
  [P in K]: undefined extends Shape[P]
    ? IncidentRecord[P] | undefined
    : Exclude<IncidentRecord[P], undefined>;
};
type Agrees<Shape, K extends keyof Shape & keyof IncidentRecord> = Same<
  { [P in K]: Shape[P] },
  { [P in K]: AsRecord<Shape, K>[P] }
>;

type Identity = 'incident_id' | 'service' | 'symptom' | 'severity';

const agree: [
  Agrees<
    IncidentDetectedEvent,
    | Identity
    | 'fingerprint'
    | 'value'
    | 'threshold'
    | 'metric'
    | 'detected_at'
    | 'informational'
    | 'reporters'
    | 'dedup_keys'
    | 'symptoms'
    | 'impact'
  >,
  Agrees<
    IncidentUpdatedEvent,
    | 'incident_id'
    | 'fingerprint'
    | 'phase'
    | 'severity'
    | 'count'
    | 'last_value'
    | 'peak_value'
    | 'reporters'
    | 'dedup_keys'
    | 'symptoms'
    | 'impact'
  >,
  Agrees<IncidentReportedEvent, 'service' | 'symptom' | 'severity' | 'value' | 'threshold'>,
  Agrees<
    FingerprintRecord,
    | Identity
    | 'fingerprint'
    | 'metric'
    | 'threshold'
    | 'count'
    | 'last_value'
    | 'peak_value'
    | 'informational'
    | 'reporters'
    | 'dedup_keys'
    | 'symptoms'
    | 'impact'
  >,
  Agrees<EscalationRecord, Identity>,
  Agrees<RemediationRunRecord, Identity>,
  Agrees<ObservedIncident, Identity | 'symptoms' | 'detected_at' | 'informational'>,
] = [true, true, true, true, true, true, true];

describe('incident fields outside IncidentRecord', () => {
  it('are typed as the record types them (checked by tsc)', () => {
    expect(agree).toEqual([true, true, true, true, true, true, true]);
  });
});
