/**
 * What a load driver runs: weighted tasks of requests and a think time between two tasks
 * of a user (Locust's `@task(weight)` and `wait_time = between(min, max)`). The mix itself
 * belongs to whoever puts the load on (demo-controller's shop mix): no target's routes here.
 */

export interface LoadRequest {
  /** Stats name: the route, ids folded (`/product/[id]`), as Locust's `name=`. */
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** JSON body, sent with `content-type: application/json`. */
  readonly json?: unknown;
}

export interface LoadTask {
  readonly name: string;
  /** Relative frequency, as Locust's `@task(weight)`. */
  readonly weight: number;
  /** The requests of one execution, in order (a cart needs the item first). */
  requests(random: () => number): LoadRequest[];
}

/** Think time between two tasks of one user, in ms (Locust's `between(min, max)`). */
export interface LoadThinkTime {
  readonly min: number;
  readonly max: number;
}

/** The tasks and think time of one kind of virtual user. */
export interface LoadMix {
  readonly tasks: readonly LoadTask[];
  readonly think_time_ms: LoadThinkTime;
}

/** A task drawn by weight. */
export function pickWeighted(tasks: readonly LoadTask[], random: () => number): LoadTask {
  const total = tasks.reduce((sum, task) => sum + task.weight, 0);
  let point = random() * total;
  for (const task of tasks) {
    point -= task.weight;
    if (point < 0) return task;
  }
  const last = tasks[tasks.length - 1];
  if (last === undefined) throw new Error('no load tasks');
  return last;
}
