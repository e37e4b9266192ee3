import { Logger, type LoggerService } from '@nestjs/common';
import {
  type AuditEvent,
  auditSubject,
  type AuditSubject,
  isAgentName,
  type PayloadOf,
  errorMessage,
  scrubSecrets,
} from '@opscrew/contracts';
import { type Clock, systemClock } from '@opscrew/messaging';
import { type AuditEntry, type AuditSink } from '@opscrew/ports';
import {
  appendRotating,
  type FileAccessPolicy,
  readablePath,
  type RotationPolicy,
  writablePath,
} from '@opscrew/sandbox';
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import {
  AUDIT_ACTION_MAX_LENGTH,
  AUDIT_INCIDENT_ID_MAX_LENGTH,
  AUDIT_RESULT_MAX_LENGTH,
  type AuditRecord,
} from './audit-record';
import { inputDigest } from './stable-json';

export type AuditEventPayload = PayloadOf<AuditEvent>;

/** How an audit record reaches the bus, as a function. */
export type AuditPublish = (
  subject: AuditSubject,
  payload: AuditEventPayload,
  options: { readonly id: string; readonly at: string },
) => Promise<unknown>;

/** …or as an object: the app's EventPublisher fits as it is. */
export interface AuditPublisher {
  publish(
    subject: AuditSubject,
    payload: AuditEventPayload,
    options: { readonly id: string; readonly at: string },
  ): Promise<unknown>;
}

export interface JsonlAuditLogOptions {
  /** Absolute path of the audit file (created with its folder on first write, mode 0600). */
  readonly path: string;
  /** Publishes `audit.<agent>`: the app's EventPublisher, or a function; absent: file only. */
  readonly publish?: AuditPublish | AuditPublisher;
  readonly clock?: Clock;
  readonly logger?: Pick<LoggerService, 'warn' | 'error'>;
  /**
   * The agent's filesystem sandbox, checked before every open (the append and
   * the torn-line check: list the folder in both read and write). Absent only
   * in tests and tools that are not agents. Give it a sandbox that does NOT
   * audit its refusals into this same log (it would audit itself forever).
   */
  readonly files?: FileAccessPolicy;
  /**
   * Rotation by size (`files.rotate`): `<agent>.jsonl` → `<agent>.1.jsonl` …; the sandbox
   * entry of the file covers its rotations. Absent: the file only grows.
   */
  readonly rotate?: RotationPolicy;
}

/** Owner read/write only: the log names services, incidents and decisions. */
const AUDIT_FILE_MODE = 0o600;

/**
 * The audit log: one JSON object per line, appended (the file is only ever
 * opened with 'a', never rewritten or truncated), then published as
 * `audit.<agent>` on the bus.
 *
 * The file is the record of truth: `record()` resolves once the line is
 * appended and rejects if it cannot be (callers fail closed). Publishing is
 * best effort and happens after, in order, off the caller's path: a failure is
 * logged and the line stays. `flush()` waits for the queued publishes
 * (shutdown, tests).
 *
 * Only the SHA-256 of the entry's input is kept (stable JSON, so key order
 * does not matter): the input may hold secrets or hostile text.
 */
export class JsonlAuditLog implements AuditSink {
  private readonly clock: Clock;
  private readonly logger: Pick<LoggerService, 'warn' | 'error'>;
  /** Appends are serialised so concurrent records never interleave within a line. */
  private writing: Promise<void> = Promise.resolve();
  private publishing: Promise<void> = Promise.resolve();
  private tailChecked = false;

  constructor(private readonly options: JsonlAuditLogOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? new Logger(JsonlAuditLog.name);
  }

  get path(): string {
    return this.options.path;
  }

  record(entry: AuditEntry): Promise<void> {
    const record = buildAuditRecord(entry, new Date(this.clock.now()));
    const written = this.writing.then(() => this.append(record));
    this.writing = written.catch(() => undefined);
    return written.then(() => {
      this.queuePublish(record);
    });
  }

  /** Resolves when every publish queued so far has finished (or failed and been logged). */
  async flush(): Promise<void> {
    // Appends first: each queues its publish as it completes, then the publishes.
    await this.writing;
    await this.publishing;
  }

  private async append(record: AuditRecord): Promise<void> {
    const path = this.options.path;
    const files = this.options.files;
    try {
      let prefix = '';
      if (!this.tailChecked) {
        // The write check first (a write refusal says "may not write"), then the read.
        await writablePath(files, path);
        // A crash mid-append leaves a line without its newline: start ours on a fresh line.
        prefix = (await endsWithoutNewline(readablePath(files, path))) ? '\n' : '';
      }
      // Checked before every append (and rename), not once: a folder swapped for a symlink later is caught.
      await appendRotating(path, `${prefix}${JSON.stringify(record)}\n`, {
        files,
        rotate: this.options.rotate,
        mode: AUDIT_FILE_MODE,
      });
    } catch (err: unknown) {
      throw new Error(`audit log ${path}: append failed: ${errorMessage(err)}`);
    }
    this.tailChecked = true;
  }

  private queuePublish(record: AuditRecord): void {
    const target = this.options.publish;
    if (target === undefined) return;
    const publish: AuditPublish =
      typeof target === 'function'
        ? target
        : (subject, payload, options) => target.publish(subject, payload, options);
    this.publishing = this.publishing.then(() => this.publishOne(publish, record));
  }

  private async publishOne(publish: AuditPublish, record: AuditRecord): Promise<void> {
    const agent = record.agent;
    if (!isAgentName(agent)) {
      this.logger.warn(
        `audit record ${record.action} not published: "${agent}" is not a crew agent (the file has it)`,
      );
      return;
    }
    const payload: AuditEventPayload = {
      agent,
      action: record.action,
      verdict: record.verdict,
      input_digest: record.input_digest,
      result: record.result,
      ...(record.revision !== undefined ? { revision: record.revision } : {}),
    };
    try {
      await publish(auditSubject(agent), payload, { id: randomUUID(), at: record.at });
    } catch (err: unknown) {
      this.logger.error(
        `audit record ${record.action} (${record.verdict}) written to ${this.options.path} but not published: ${errorMessage(err)}`,
      );
    }
  }
}

/** The line for an entry: secrets scrubbed, sanitised, bounded, the input replaced by its digest. */
export function buildAuditRecord(entry: AuditEntry, at: Date): AuditRecord {
  const incident =
    entry.incident_id !== undefined
      ? oneLine(entry.incident_id, AUDIT_INCIDENT_ID_MAX_LENGTH)
      : undefined;
  const revision =
    entry.revision !== undefined && Number.isSafeInteger(entry.revision) && entry.revision >= 1
      ? entry.revision
      : undefined;
  return {
    at: at.toISOString(),
    agent: oneLine(entry.agent, AUDIT_ACTION_MAX_LENGTH) || 'unknown',
    action: oneLine(entry.action, AUDIT_ACTION_MAX_LENGTH) || 'unknown',
    verdict: entry.verdict === 'allowed' ? 'allowed' : 'refused',
    result: oneLine(entry.result, AUDIT_RESULT_MAX_LENGTH) || '-',
    input_digest: inputDigest(entry.input),
    ...(incident ? { incident_id: incident } : {}),
    ...(revision !== undefined ? { revision } : {}),
  };
}

/** C0/C1 controls (newlines included) and the Unicode line/paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * Secrets scrubbed (a result quotes errors and outputs, which quote tokens and URLs), control
 * characters become spaces (one line per record); cut to `max` characters with an ellipsis.
 * Scrubbed before the cut: a secret cut in half would no longer match its shape.
 */
function oneLine(text: string, max: number): string {
  const flat = scrubSecrets(String(text)).replace(CONTROL_CHARACTERS, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

async function endsWithoutNewline(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}
