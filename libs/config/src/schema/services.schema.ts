import { Bool, NestedMap, NAME_HINT, NAME_PATTERN, OneOf, Str, StrList } from './validators';

export class WatchedServiceConfig {
  @Str({ maxLength: 500 }) description!: string;
  /** Other names the same service reports under (OTel demo 1.x: `cartservice`). */
  @StrList({ optional: true }) aliases: string[] = [];
  /** Services this one calls: an error here may be a symptom of a failing dependency. */
  @StrList({ optional: true }) depends_on: string[] = [];
  @OneOf(['critical', 'high', 'medium', 'low']) criticality!: string;
  /** Container or process name in the runtime; defaults to the service name. */
  @Str({ optional: true }) container?: string;
  /** false: watched and ticketed, but never restarted automatically. */
  @Bool({ optional: true }) restartable: boolean = true;
}

export class ServicesConfig {
  @NestedMap(() => WatchedServiceConfig, { keyPattern: NAME_PATTERN, keyHint: NAME_HINT })
  watched!: Map<string, WatchedServiceConfig>;
  /** Never restarted, stopped or touched by any agent: state-holding or shared infrastructure. */
  @StrList() protected!: string[];
}
