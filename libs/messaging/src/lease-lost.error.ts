/** The lease was taken over (or released) by someone else: stop acting on it now. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';

  constructor(
    readonly key: string,
    readonly holder: string,
    /** The revision this holder last had. */
    readonly revision: number,
  ) {
    super(`lease ${key} held by ${holder} at revision ${revision} was lost`);
  }
}
