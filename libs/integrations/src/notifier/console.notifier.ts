import { Logger } from '@nestjs/common';
import { type Clock, systemClock } from '@opscrew/messaging';
import { type Notification, type NotifierPort, truncate } from '@opscrew/ports';
import {
  appendRotating,
  type FileAccessPolicy,
  readablePath,
  type RotationPolicy,
  rotatedPath,
} from '@opscrew/sandbox';
import { readFile } from 'node:fs/promises';
import { neutraliseLine } from '../text/neutralise';
import {
  buildDiscordMessages,
  DEFAULT_DISCORD_MESSAGE_OPTIONS,
  type DiscordMessageOptions,
  type DiscordWebhookBody,
} from './discord-message.builder';

export interface ConsoleNotifierOptions {
  /** Absolute path of the JSONL file (the caller resolves `integrations.notifier.jsonl_path` against the project root). */
  readonly jsonl_path: string;
  /** Same options as the Discord adapter (from `integrations.discord` when present). */
  readonly message?: DiscordMessageOptions;
  readonly clock?: Clock;
  /**
   * The agent's filesystem sandbox, checked before every open: the file is
   * read back (idempotency keys) and appended, so it must be in both lists.
   * Absent only in tests and tools that are not agents.
   */
  readonly files?: FileAccessPolicy;
  /**
   * Rotation by size (`files.rotate`): `notifications.jsonl` → `notifications.1.jsonl` …; the
   * idempotency keys are loaded from the live file and the newest rotation (a retry after a
   * crash is of a recent message). Absent: the file only grows.
   */
  readonly rotate?: RotationPolicy;
}

/** One line of the JSONL file: the exact Discord webhook body plus what identifies it. */
export type ConsoleNotificationLine = DiscordWebhookBody & {
  idempotency_key: string;
  kind: Notification['kind'];
  at: string;
  /** `2/3`: one of the messages a notification over Discord's limits is split into; absent: whole. */
  part?: string;
};

/** A log line shows the start of the text only; the JSONL file has all of it. */
const LOG_TEXT_MAX_LENGTH = 200;

/**
 * The embedded notifier: one log line per message and one JSON object per
 * line in a JSONL file holding exactly the Discord webhook body that would be
 * sent (same builder), plus `idempotency_key`, `kind` and `at`.
 *
 * Idempotent by construction: the keys already in the file are loaded once,
 * so a message retried after a crash (written, not yet acknowledged to the
 * outbox) is not written twice.
 */
export class ConsoleNotifier implements NotifierPort {
  readonly kind = 'console';
  private readonly logger = new Logger(ConsoleNotifier.name);
  private readonly clock: Clock;
  private sent: Promise<Set<string>> | null = null;
  /** The file ends without a newline (a torn append): the next line must start on its own. */
  private tornTail = false;
  /** Appends are serialised: concurrent sends must not interleave lines or race the key set. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: ConsoleNotifierOptions) {
    this.clock = options.clock ?? systemClock;
  }

  send(notification: Notification): Promise<void> {
    const next = this.queue.then(() => this.write(notification));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(notification: Notification): Promise<void> {
    const sent = await this.sentKeys();
    if (sent.has(notification.idempotency_key)) {
      this.logger.debug(`already written: ${notification.idempotency_key}`);
      return;
    }
    const at = new Date(this.clock.now());
    const built = buildDiscordMessages(
      notification,
      this.options.message ?? DEFAULT_DISCORD_MESSAGE_OPTIONS,
      at,
    );
    const lines = built.bodies.map((body, index): ConsoleNotificationLine => ({
      ...body,
      idempotency_key: notification.idempotency_key,
      kind: notification.kind,
      at: at.toISOString(),
      ...(built.bodies.length > 1 ? { part: `${index + 1}/${built.bodies.length}` } : {}),
    }));
    const prefix = this.tornTail ? '\n' : '';
    // All parts in one append: a crash never leaves half a report with its key marked sent.
    await appendRotating(
      this.options.jsonl_path,
      `${prefix}${lines.map((line) => JSON.stringify(line)).join('\n')}\n`,
      { files: this.options.files, rotate: this.options.rotate },
    );
    this.tornTail = false;
    sent.add(notification.idempotency_key);
    const pings = notification.mention_roles?.length
      ? ` pings ${notification.mention_roles.map((r) => `@${r.replace(/^@/, '')}`).join(' ')}`
      : '';
    if (built.dropped_roles.length > 0) {
      this.logger.warn(
        `mention of unconfigured role(s) dropped: ${built.dropped_roles.join(', ')}`,
      );
    }
    this.logger.log(
      `[${notification.severity.toUpperCase()}] ${neutraliseLine(notification.title)} — ` +
        `${truncate(neutraliseLine(notification.text), LOG_TEXT_MAX_LENGTH)}` +
        `${notification.incident_id === undefined ? '' : ` (${notification.incident_id})`}${pings}`,
    );
  }

  private sentKeys(): Promise<Set<string>> {
    // A failed load is forgotten, so the next send tries again (the refusal or error is thrown to this one).
    this.sent ??= this.loadKeys().catch((err: unknown) => {
      this.sent = null;
      throw err;
    });
    return this.sent;
  }

  private async loadKeys(): Promise<Set<string>> {
    const keys = new Set<string>();
    const live = this.options.jsonl_path;
    const text = await this.readKeysFile(live);
    this.tornTail = text.length > 0 && !text.endsWith('\n');
    // The newest rotation too: a message written just before a rotation may be retried after it.
    const previous = this.options.rotate ? await this.readKeysFile(rotatedPath(live, 1)) : '';
    for (const line of `${previous}\n${text}`.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const parsed = JSON.parse(line) as { idempotency_key?: unknown };
        if (typeof parsed.idempotency_key === 'string') keys.add(parsed.idempotency_key);
      } catch {
        // A torn last line (crash mid-append) is ignored; its message is re-sent whole.
      }
    }
    return keys;
  }

  /** A file's text; '' when it does not exist yet. A refusal or another error is thrown. */
  private async readKeysFile(path: string): Promise<string> {
    // Outside the try: a refusal is not "no file yet", and nothing is sent until it is allowed.
    const source = readablePath(this.options.files, path);
    try {
      return await readFile(source, 'utf8');
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }
}
