import { type TypedKv } from '@opscrew/messaging';

/** What is stored per answered interaction: who took it, when (for a human reading the bucket). */
export interface InteractionClaim {
  readonly replica: string;
  readonly at: string;
}

export const interactionClaimSchema = {
  validate: (raw: unknown) => {
    const claim = raw as Partial<InteractionClaim> | null;
    return typeof claim?.replica === 'string' && typeof claim.at === 'string'
      ? { ok: true as const, value: claim as InteractionClaim }
      : { ok: false as const, reason: 'replica, at: must be strings' };
  },
};

/**
 * Replay protection shared by every atlas replica. Discord sends each interaction once, to one
 * URL, so behind a load balancer it reaches one replica; a captured request replayed within the
 * signature's window could reach another, whose in-memory memory (DiscordSignatureVerifier) never
 * saw it. So the first replica to answer an interaction id creates its key (create-if-absent);
 * a second create of the same id, on any replica, is a replay. The endpoint stays on every
 * replica: whichever of them receives the one delivery.
 */
export class InteractionReplays {
  constructor(
    private readonly kv: TypedKv<InteractionClaim>,
    private readonly replica: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time `interactionId` is claimed anywhere; false for a replay. */
  async claim(interactionId: string): Promise<boolean> {
    const revision = await this.kv.create(`discord.${interactionId}`, {
      replica: this.replica,
      at: new Date(this.now()).toISOString(),
    });
    return revision !== null;
  }
}
