/** A report name this agent has no producer or schedule for; lists the ones it has. */
export class UnknownReportError extends Error {
  constructor(
    readonly report: string,
    readonly known: readonly string[],
  ) {
    super(
      `no report "${report}" here (this agent sends: ${known.length ? known.join(', ') : 'none'})`,
    );
    this.name = 'UnknownReportError';
  }
}
