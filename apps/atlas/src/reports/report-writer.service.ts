import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { errorMessage, reportSubject } from '@opscrew/contracts';
import { EventPublisher } from '@opscrew/messaging';
import {
  appendRotating,
  FILE_SANDBOX,
  type FileAccessPolicy,
  type RotationPolicy,
} from '@opscrew/sandbox';
import { RecentReports } from '../status/recent-reports.ring';

/** atlas's report log, one JSON object per line (its sandbox may write var/reports/). */
const REPORT_FILE = 'var/reports/atlas.jsonl';

export interface ReportLine {
  kind: string;
  title: string;
  text: string;
  fields?: Record<string, string | number>;
}

/**
 * Human-facing report lines: appended to var/reports/atlas.jsonl and published
 * as `report.<kind>` (the notifier relays report.* to humans). A failure to
 * publish is logged, never lost silently: the file line is written first.
 */
@Injectable()
export class ReportWriter {
  private readonly logger = new Logger(ReportWriter.name);
  private readonly file: string;
  /** files.rotate: atlas.jsonl → atlas.1.jsonl … by size. */
  private readonly rotate: RotationPolicy;

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(LOADED_CONFIG) loaded: LoadedConfig,
    /** atlas's filesystem sandbox: checked before every append (the file is never read). */
    @Inject(FILE_SANDBOX) private readonly files: FileAccessPolicy,
    /** The status page's "last reports": every line written is shown there too. */
    @Optional() @Inject(RecentReports) private readonly recent: RecentReports | null = null,
  ) {
    this.file = loaded.resolvePath(REPORT_FILE);
    this.rotate = loaded.config.files.rotate;
  }

  async write(line: ReportLine, id?: string): Promise<void> {
    const at = new Date().toISOString();
    // A refusal throws before anything is written or published.
    await appendRotating(this.file, `${JSON.stringify({ at, ...line })}\n`, {
      files: this.files,
      rotate: this.rotate,
    });
    this.recent?.record({ name: line.kind, title: line.title, at });
    try {
      await this.publisher.publish(
        reportSubject(line.kind),
        {
          kind: line.kind,
          title: line.title,
          text: line.text,
          ...(line.fields ? { fields: line.fields } : {}),
        },
        id ? { id } : {},
      );
    } catch (error) {
      this.logger.error(
        `report.${line.kind} not published (kept in ${this.file}): ${errorMessage(error)}`,
      );
    }
  }
}
