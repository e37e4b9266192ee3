import { type PortClaim } from './port-claim';

/** Ports something else already listens on; one line per port, each naming what moves it. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  /** One line per busy port, without any program prefix (the caller adds `demo: `…). */
  readonly lines: readonly string[];

  constructor(readonly busy: readonly PortClaim[]) {
    const lines = busy.map(
      (claim) =>
        `port ${claim.port} (${claim.owner}) on ${claim.host} is already in use — ${claim.moveWith}`,
    );
    super(lines.join('\n'));
    this.lines = lines;
  }
}
