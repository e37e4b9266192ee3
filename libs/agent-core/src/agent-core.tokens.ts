/** The `heartbeats` bucket, typed (TypedKv<HeartbeatRecord>). */
export const HEARTBEAT_STORE = Symbol('HEARTBEAT_STORE');
