import {
  type EscalationRecord,
  EscalationRecord as EscalationRecordClass,
  KV_BUCKETS,
} from '@opscrew/contracts';
import { type KvFactory, type TypedKv } from '@opscrew/messaging';

/** The `escalations` bucket of a connection (namespace-mapped), values validated as EscalationRecord. */
export function openEscalationKv(factory: KvFactory): Promise<TypedKv<EscalationRecord>> {
  return factory.open(KV_BUCKETS.escalations, { class: EscalationRecordClass });
}
