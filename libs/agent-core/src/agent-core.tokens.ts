/** The `heartbeats` bucket, typed (TypedKv<HeartbeatRecord>). */
export const HEARTBEAT_STORE = Symbol('HEARTBEAT_STORE');

/** Every replica's last heartbeat, kept by a watch of the bucket (a HeartbeatBoard). */
export const HEARTBEAT_BOARD = Symbol('HEARTBEAT_BOARD');
