import { errorMessage } from '@opscrew/contracts';
import { type ScenarioEffect } from './scenario.effect';
import { type FaultTarget } from './scenario.catalog';
import { type ShopFaultClient } from './shop-fault.client';

/** A restart-curable fault armed in each target service, cleared at the end (a restart clears it too). */
export class FaultEffect implements ScenarioEffect {
  readonly label: string;
  readonly actions = { apply: 'fault.inject', revert: 'fault.clear' } as const;
  private readonly armed: FaultTarget[] = [];

  constructor(
    private readonly client: ShopFaultClient,
    private readonly fault: { readonly name: string; readonly targets: readonly FaultTarget[] },
  ) {
    this.label = `fault ${fault.name} on ${fault.targets.map((t) => t.service).join(', ')}`;
  }

  async apply(): Promise<void> {
    for (const target of this.fault.targets) {
      await this.client.inject(target, this.fault.name);
      this.armed.push(target);
    }
  }

  /** Clears every armed target, then reports the ones that failed (all are tried). */
  async revert(): Promise<void> {
    const failed: string[] = [];
    for (const target of this.armed.splice(0)) {
      try {
        await this.client.clear(target);
      } catch (error) {
        failed.push(errorMessage(error));
      }
    }
    if (failed.length > 0) throw new Error(failed.join('; '));
  }
}
