/**
 * The restart-loop rule, pure (no clock, no I/O), so its one promise can be checked on any
 * pattern of stale episodes: never more than `max_restarts` restarts in any window of
 * `window_minutes`.
 *
 * - One restart per stale episode (an episode is named by the heartbeat that went missing):
 *   a second look at the same outage — the next pass, or atlas itself restarted — does nothing.
 * - A restart is allowed while fewer than `max_restarts` restarts lie within the last window.
 *   The next stale episode after that is a restart loop: atlas gives up (escalates once) and
 *   restarts nothing more until the agent has stayed alive for a whole window.
 */
export interface RestartLoopLimits {
  readonly max_restarts: number;
  readonly window_minutes: number;
}

/** What atlas remembers per agent (persisted: see restart-history.store.ts). */
export interface RestartHistory {
  /** When atlas asked for a restart (ISO), oldest first, only those still inside the window. */
  readonly restarts: readonly string[];
  /** The stale episode last acted on (its missing heartbeat, or `never`); null: none yet. */
  readonly last_episode: string | null;
  /** When atlas gave up on a restart loop; null while restarts are allowed. */
  readonly gave_up_at: string | null;
}

export const EMPTY_HISTORY: RestartHistory = { restarts: [], last_episode: null, gave_up_at: null };

export type RestartDecision =
  /** This episode was acted on already: nothing to do, nothing to say again. */
  | { readonly action: 'already_handled' }
  | { readonly action: 'restart'; readonly history: RestartHistory; readonly in_window: number }
  /** First episode past the limit: no restart, escalate. */
  | { readonly action: 'give_up'; readonly history: RestartHistory; readonly in_window: number }
  /** Given up earlier and not alive for a whole window since: no restart, already escalated. */
  | { readonly action: 'held'; readonly history: RestartHistory; readonly in_window: number };

function windowMs(limits: RestartLoopLimits): number {
  return limits.window_minutes * 60_000;
}

/** The restarts still inside the window ending at `nowMs`. */
function inWindow(restarts: readonly string[], nowMs: number, limits: RestartLoopLimits): string[] {
  const from = nowMs - windowMs(limits);
  return restarts.filter((at) => Date.parse(at) > from);
}

/** What to do about `episode` of a stale agent at `nowMs`; the new history when it changes. */
export function decideRestart(
  history: RestartHistory,
  episode: string,
  nowMs: number,
  limits: RestartLoopLimits,
): RestartDecision {
  if (history.last_episode === episode) return { action: 'already_handled' };
  const recent = inWindow(history.restarts, nowMs, limits);
  if (history.gave_up_at !== null) {
    return {
      action: 'held',
      history: { ...history, restarts: recent, last_episode: episode },
      in_window: recent.length,
    };
  }
  if (recent.length >= limits.max_restarts) {
    return {
      action: 'give_up',
      history: {
        restarts: recent,
        last_episode: episode,
        gave_up_at: new Date(nowMs).toISOString(),
      },
      in_window: recent.length,
    };
  }
  const restarts = [...recent, new Date(nowMs).toISOString()];
  return {
    action: 'restart',
    history: { restarts, last_episode: episode, gave_up_at: null },
    in_window: restarts.length,
  };
}

/**
 * An alive agent: after a give-up, once it has been alive since `aliveSinceMs` for a whole
 * window, restarts are allowed again (the loop is over). Returns null when nothing changes.
 */
export function clearGiveUp(
  history: RestartHistory,
  aliveSinceMs: number,
  nowMs: number,
  limits: RestartLoopLimits,
): RestartHistory | null {
  if (history.gave_up_at === null) return null;
  // Alive since before the give-up counts only from the give-up: it was stale then.
  const since = Math.max(aliveSinceMs, Date.parse(history.gave_up_at));
  if (nowMs - since < windowMs(limits)) return null;
  return { ...history, restarts: inWindow(history.restarts, nowMs, limits), gave_up_at: null };
}
