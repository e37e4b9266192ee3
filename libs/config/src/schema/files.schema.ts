import { Int, Nested } from './validators';

/** 1 KiB: below that a rotation per line or two would be all the file did. */
const MIN_ROTATE_BYTES = 1024;
/** 1 GiB: a JSONL file larger than this is read by nobody. */
const MAX_ROTATE_BYTES = 1024 * 1024 * 1024;

/**
 * How the agents' append-only files rotate by size: the audit logs (var/audit/), atlas's
 * reports (var/reports/atlas.jsonl) and the console notifier's file. Before an append that
 * would take `file.jsonl` past `max_bytes` it becomes `file.1.jsonl` (`.1` → `.2`, …); `keep`
 * rotated files are kept besides the live one, the oldest dropped. Lines are never split.
 */
export class RotateConfig {
  /** The live file's size limit in bytes (10 MiB). */
  @Int({ optional: true, min: MIN_ROTATE_BYTES, max: MAX_ROTATE_BYTES })
  max_bytes: number = 10 * 1024 * 1024;
  /** Rotated files kept besides the live one (5: at most ~60 MiB per file at 10 MiB). */
  @Int({ optional: true, min: 1, max: 100 }) keep: number = 5;
}

/** Files the agents write themselves. */
export class FilesConfig {
  @Nested(() => RotateConfig, { optional: true }) rotate: RotateConfig = new RotateConfig();
}
