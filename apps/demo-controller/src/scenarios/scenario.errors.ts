/** No scenario of that name is configured. */
export class ScenarioNotFoundError extends Error {
  override readonly name = 'ScenarioNotFoundError';

  constructor(
    readonly scenario: string,
    known: readonly string[],
  ) {
    super(
      `unknown scenario "${scenario}" (configured in agents/demo-controller.json5: ${known.join(', ')})`,
    );
  }
}

/** Another scenario is running: one at a time, so every incident belongs to exactly one run. */
export class ScenarioBusyError extends Error {
  override readonly name = 'ScenarioBusyError';

  constructor(
    readonly running: {
      readonly scenario: string;
      readonly run_id: string;
      /** The demo-controller replica running it, when another one refused (the shared slot). */
      readonly replica?: string;
    },
    requested: string,
  ) {
    const where = running.replica === undefined ? '' : ` on replica ${running.replica}`;
    super(
      `cannot run "${requested}": scenario "${running.scenario}" (run ${running.run_id}) is running${where}; one scenario at a time`,
    );
  }
}

/** The scenario's precondition is not met (recovery needs a completed stress run first). */
export class ScenarioPreconditionError extends Error {
  override readonly name = 'ScenarioPreconditionError';
}

/** The scenario could not be set up (bad plan, load driver down, flag file refused): nothing kept running. */
export class ScenarioSetupError extends Error {
  override readonly name = 'ScenarioSetupError';
}
