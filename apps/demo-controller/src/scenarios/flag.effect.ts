import { type FlagsPort } from '@opscrew/integrations';
import { type ScenarioEffect } from './scenario.effect';

/** A failure flag switched on for the run, then off (its `off` variant, else what it was before). */
export class FlagEffect implements ScenarioEffect {
  readonly label: string;
  readonly actions = { apply: 'flag.set', revert: 'flag.restore' } as const;
  private restore: string | null = null;

  constructor(
    private readonly flags: FlagsPort,
    private readonly flag: { readonly name: string; readonly variant: string },
  ) {
    this.label = `flag ${flag.name}=${flag.variant}`;
  }

  async apply(): Promise<void> {
    const before = await this.flags.describe(this.flag.name);
    const change = await this.flags.setVariant(this.flag.name, this.flag.variant);
    this.restore = before.variants.includes('off') ? 'off' : change.previous_variant;
  }

  async revert(): Promise<void> {
    if (this.restore !== null) await this.flags.setVariant(this.flag.name, this.restore);
  }
}
