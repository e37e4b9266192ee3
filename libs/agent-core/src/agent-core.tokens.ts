/** The `heartbeats` bucket, typed (TypedKv<HeartbeatRecord>). */
export const HEARTBEAT_STORE = Symbol('HEARTBEAT_STORE');

/** The `leaders` bucket, typed (TypedKv<LeaderRecord>). */
export const LEADERS_STORE = Symbol('LEADERS_STORE');
