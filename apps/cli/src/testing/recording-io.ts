import { type CliIo } from '../cli-io';

/** A CliIo that keeps every line, for tests to read back. */
export class RecordingIo implements CliIo {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  out(line: string): void {
    this.stdout.push(line);
  }
  err(line: string): void {
    this.stderr.push(line);
  }
}
