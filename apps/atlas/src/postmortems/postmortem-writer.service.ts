import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { INCIDENT_ID_PATTERN, scrubSecrets } from '@opscrew/contracts';
import { LLM_CLIENT, type LlmClient } from '@opscrew/llm';
import { IncidentLedger, TransientError } from '@opscrew/messaging';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import {
  FILE_SANDBOX,
  type FileAccessPolicy,
  readablePath,
  writeFileAtomic,
} from '@opscrew/sandbox';

/** Where drafts go, one Markdown file per incident (atlas's sandbox may write and read it). */
export const POSTMORTEM_DIR = 'var/postmortems';
/** The ledger is a step behind the bus now and then: looks within one delivery, then backoff. */
const LEDGER_LOOKS = 10;
const LEDGER_LOOK_INTERVAL_MS = 100;
const LEDGER_CATCH_UP_MS = 1000;

export type PostmortemReasoning = Pick<LlmClient, 'kind' | 'postmortemDraft'>;

/**
 * Drafts a postmortem when an incident ends — resolved, or escalated to a
 * human — from the ledger's timeline: Claude when configured, the template
 * otherwise (facts filled in, the human parts left as prompts). A later end
 * (escalated, then resolved by a human) rewrites the draft with the fuller
 * timeline. Written atomically, so a reader never sees half a file.
 *
 * Its own durable consumer (`atlas-postmortems`, handled by AtlasBusController): a model call may take seconds, and the ledger's
 * consumer must never wait on one. At-least-once: a draft that could not be
 * written is retried with the consumer's backoff, never dropped.
 */
@Injectable()
export class PostmortemWriter {
  private readonly logger = new Logger(PostmortemWriter.name);
  private readonly dir: string;

  constructor(
    private readonly ledger: IncidentLedger,
    @Inject(LLM_CLIENT) private readonly reasoning: PostmortemReasoning,
    @Inject(AUDIT) private readonly audit: AuditSink,
    @Inject(FILE_SANDBOX) private readonly files: FileAccessPolicy,
    @Inject(LOADED_CONFIG) loaded: LoadedConfig,
  ) {
    this.dir = loaded.resolvePath(POSTMORTEM_DIR);
  }

  /**
   * Writes the draft of `incidentId` and returns its path. With `eventId`,
   * waits (TransientError: redelivered later) until the ledger holds that
   * event, so the draft's timeline includes the step that ended the incident.
   */
  async draft(incidentId: string, eventId?: string): Promise<string> {
    const path = this.pathOf(incidentId);
    const record = await this.ledgerWith(incidentId, eventId);
    if (!record) {
      throw new TransientError(`${incidentId} is not in the ledger yet`, LEDGER_CATCH_UP_MS);
    }
    if (eventId !== undefined && !record.history.some((step) => step.event_id === eventId)) {
      throw new TransientError(
        `the ledger has not applied ${eventId} to ${incidentId} yet`,
        LEDGER_CATCH_UP_MS,
      );
    }
    // A draft quotes the timeline (notes from tickets, logs, commands) and the model's prose:
    // it is a file anyone on the team reads and a REST answer, so secrets are scrubbed here.
    const markdown = scrubSecrets(await this.reasoning.postmortemDraft(record, record.history));
    await writeFileAtomic(this.files, path, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
    const relative = `${POSTMORTEM_DIR}/${incidentId}.md`;
    await this.audit.record({
      agent: 'atlas',
      action: 'postmortem.draft',
      verdict: 'allowed',
      result: `${this.reasoning.kind} draft of ${incidentId} (${record.phase}, ${record.history.length} timeline steps) written to ${relative}`,
      input: { incident: incidentId, phase: record.phase, history: record.history },
      incident_id: incidentId,
    });
    this.logger.log(`postmortem draft for ${incidentId} (${record.phase}): ${relative}`);
    return path;
  }

  /**
   * The ledger record, once it holds `eventId`. Both consumers see the event at
   * about the same moment, so the ledger is usually milliseconds behind: look
   * a few times before handing the message back to the server's backoff.
   */
  private async ledgerWith(incidentId: string, eventId?: string) {
    for (let attempt = 0; ; attempt++) {
      const record = await this.ledger.get(incidentId);
      const applied =
        record !== null &&
        (eventId === undefined || record.history.some((step) => step.event_id === eventId));
      if (applied || attempt >= LEDGER_LOOKS) return record;
      await new Promise((resolve) => setTimeout(resolve, LEDGER_LOOK_INTERVAL_MS));
    }
  }

  /** The current draft, or null when there is none (yet). */
  async read(incidentId: string): Promise<string | null> {
    const path = readablePath(this.files, this.pathOf(incidentId));
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** The id becomes a file name: only ledger-shaped ids, never a path. */
  private pathOf(incidentId: string): string {
    if (!INCIDENT_ID_PATTERN.test(incidentId)) {
      throw new RangeError(
        `not an incident id: ${JSON.stringify(incidentId.slice(0, 64))} (INC-YYYYMMDD-NNN-EEEE)`,
      );
    }
    return `${this.dir}/${incidentId}.md`;
  }
}
