/**
 * A port a program is about to listen on, with what it is for and how the
 * user moves it — so that a busy port is reported as something one can act
 * on ("port 3001 (ops-monitor) … use --agent-ports BASE"), not EADDRINUSE.
 */
export interface PortClaim {
  readonly port: number;
  /** The address it will listen on (`127.0.0.1`, `::1`, `localhost`). */
  readonly host: string;
  /** What wants it, e.g. `ops-monitor`, `shop service cart`. */
  readonly owner: string;
  /** What moves it, as an instruction: `use --agent-ports BASE`, `set <config key>`. */
  readonly moveWith: string;
}
