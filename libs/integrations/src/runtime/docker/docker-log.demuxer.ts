import { LineSplitter } from '../line-splitter';
import { type LogLines } from '../runtime.port';

type LogLine = LogLines['lines'][number];

/** Docker's stdcopy header: stream type, three zero bytes, uint32 big-endian payload length. */
const HEADER_BYTES = 8;
const STREAM_BY_TYPE: Readonly<Record<number, 'stdin' | 'stdout' | 'stderr'>> = {
  0: 'stdin',
  1: 'stdout',
  2: 'stderr',
};

export interface DockerLogFrame {
  readonly stream: 'stdin' | 'stdout' | 'stderr';
  readonly payload: Buffer;
}

export interface DemuxResult {
  readonly frames: readonly DockerLogFrame[];
  /** Bytes from the first offset that did not start a valid header (empty when all parsed). */
  readonly rest: Buffer;
}

/**
 * Splits the body of `GET /containers/{id}/logs` for a container without a
 * TTY into its frames. `modem.demuxStream` only works on streams; with
 * `follow: false` dockerode hands over the whole body as one Buffer.
 *
 * A frame whose length runs past the end of the buffer (a body cut short) is
 * kept with the bytes there are. Parsing stops at the first invalid header:
 * what follows is returned as `rest` for the caller to show raw.
 */
export function demultiplexDockerLogs(body: Buffer): DemuxResult {
  const frames: DockerLogFrame[] = [];
  let offset = 0;
  while (offset < body.length) {
    if (body.length - offset < HEADER_BYTES) break;
    const stream = STREAM_BY_TYPE[body[offset] ?? -1];
    if (
      stream === undefined ||
      body[offset + 1] !== 0 ||
      body[offset + 2] !== 0 ||
      body[offset + 3] !== 0
    ) {
      break;
    }
    const length = body.readUInt32BE(offset + 4);
    const start = offset + HEADER_BYTES;
    const end = Math.min(start + length, body.length);
    frames.push({ stream, payload: body.subarray(start, end) });
    offset = end;
  }
  return { frames, rest: body.subarray(offset) };
}

/**
 * Log lines from a logs body: demultiplexed when the container has no TTY,
 * raw text (all stdout: a TTY merges the streams) when it has one. Lines are
 * split per stream (a line may span frames) and come out in the order they
 * were completed.
 */
export function dockerLogLines(body: Buffer, tty: boolean): LogLine[] {
  if (tty) return rawLines(body);
  const { frames, rest } = demultiplexDockerLogs(body);
  const out: LogLine[] = [];
  const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  for (const frame of frames) {
    // stdin frames only exist on attach; shown with stdout rather than dropped.
    const stream = frame.stream === 'stderr' ? 'stderr' : 'stdout';
    for (const text of splitters[stream].push(frame.payload)) out.push({ stream, text });
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    for (const text of splitters[stream].end()) out.push({ stream, text });
  }
  // Not multiplexed after all (or corrupt from here on): better raw text than nothing.
  if (rest.length > 0) out.push(...rawLines(rest));
  return out;
}

function rawLines(body: Buffer): LogLine[] {
  const splitter = new LineSplitter();
  return [...splitter.push(body), ...splitter.end()].map((text) => ({
    stream: 'stdout' as const,
    text,
  }));
}
