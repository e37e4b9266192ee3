/**
 * What a use case leaves the run to do next. The engine acts on it: go on in this advance,
 * end the turn, or hand the run to ResolveOrEscalate. No use case ends a run itself.
 */
export type Transition =
  /** The run moved on and has more to do now. */
  | { readonly kind: 'continue' }
  /** The run waits (a timer, a lock, a verification check) or is finished. */
  | { readonly kind: 'wait' }
  /** The fix is done (and verified in act mode): close the incident. */
  | { readonly kind: 'resolve' }
  /** The run cannot go on: a human takes it. */
  | { readonly kind: 'escalate'; readonly reason: string };

export const CONTINUE: Transition = { kind: 'continue' };
export const WAIT: Transition = { kind: 'wait' };
export const RESOLVE: Transition = { kind: 'resolve' };

export function escalate(reason: string): Transition {
  return { kind: 'escalate', reason };
}
