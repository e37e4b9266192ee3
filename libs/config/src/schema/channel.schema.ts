import { AGENT_NAMES, SEVERITIES } from './vocabulary';
import { Bool, OneOf, Str } from './validators';

export class ChannelConfig {
  @Str({ maxLength: 500 }) description!: string;
  /** Where the channel's messages go: the notifier (console/Discord) or only the bus. */
  @OneOf(['notifier', 'bus']) kind!: 'notifier' | 'bus';
  @OneOf(SEVERITIES, { optional: true }) min_severity?: string;
}

export class BindingConfig {
  @OneOf(AGENT_NAMES) agent!: string;
  @Str() channel!: string;
  /**
   * `publish` may be shared; `receive` may not: OpenClaw users lost messages when
   * several agents were bound to receive on one channel and only the first got them.
   */
  @OneOf(['publish', 'receive']) role!: 'publish' | 'receive';
  @Bool({ optional: true }) enabled: boolean = true;
}
