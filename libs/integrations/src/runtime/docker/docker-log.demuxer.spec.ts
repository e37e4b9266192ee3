import { demultiplexDockerLogs, dockerLogLines } from './docker-log.demuxer';

/** One stdcopy frame: [type, 0, 0, 0, uint32 BE length] + payload. */
function frame(type: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('demultiplexDockerLogs', () => {
  it('splits consecutive frames by stream', () => {
    const body = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    const { frames, rest } = demultiplexDockerLogs(body);
    expect(frames.map((f) => [f.stream, f.payload.toString()])).toEqual([
      ['stdout', 'out 1\n'],
      ['stderr', 'err 1\n'],
      ['stdout', 'out 2\n'],
    ]);
    expect(rest).toHaveLength(0);
  });

  it('handles empty frames and an empty body', () => {
    expect(demultiplexDockerLogs(Buffer.alloc(0)).frames).toEqual([]);
    const { frames } = demultiplexDockerLogs(
      Buffer.concat([frame(1, ''), frame(2, 'x\n'), frame(1, '')]),
    );
    expect(frames.map((f) => [f.stream, f.payload.length])).toEqual([
      ['stdout', 0],
      ['stderr', 2],
      ['stdout', 0],
    ]);
  });

  it('keeps the bytes of a frame cut short at the end of the body', () => {
    const whole = frame(1, 'abcdef');
    const { frames } = demultiplexDockerLogs(whole.subarray(0, whole.length - 2));
    expect(frames.map((f) => f.payload.toString())).toEqual(['abcd']);
  });

  it('stops at an invalid header and returns the rest', () => {
    const body = Buffer.concat([frame(1, 'ok\n'), Buffer.from('plain text\n')]);
    const { frames, rest } = demultiplexDockerLogs(body);
    expect(frames).toHaveLength(1);
    expect(rest.toString()).toBe('plain text\n');
  });

  it('rejects a header whose padding bytes are not zero', () => {
    const bad = frame(1, 'x\n');
    bad.writeUInt8(7, 2);
    expect(demultiplexDockerLogs(bad).frames).toEqual([]);
  });
});

describe('dockerLogLines', () => {
  it('returns lines per stream, interleaved as they completed', () => {
    const body = Buffer.concat([
      frame(1, 'starting\nlistening on 8080\n'),
      frame(2, 'warn: cache cold\n'),
      frame(1, 'ready\n'),
    ]);
    expect(dockerLogLines(body, false)).toEqual([
      { stream: 'stdout', text: 'starting' },
      { stream: 'stdout', text: 'listening on 8080' },
      { stream: 'stderr', text: 'warn: cache cold' },
      { stream: 'stdout', text: 'ready' },
    ]);
  });

  it('joins a line that spans two frames of the same stream, even across a stderr frame', () => {
    const body = Buffer.concat([frame(1, 'hel'), frame(2, 'oops\n'), frame(1, 'lo\n')]);
    expect(dockerLogLines(body, false)).toEqual([
      { stream: 'stderr', text: 'oops' },
      { stream: 'stdout', text: 'hello' },
    ]);
  });

  it('keeps a multibyte character split between frames whole', () => {
    const euro = Buffer.from('€\n', 'utf8'); // e2 82 ac 0a
    const body = Buffer.concat([frame(1, euro.subarray(0, 2)), frame(1, euro.subarray(2))]);
    expect(dockerLogLines(body, false)).toEqual([{ stream: 'stdout', text: '€' }]);
  });

  it('returns a last line without a newline, and drops CR of CRLF', () => {
    const body = Buffer.concat([frame(1, 'a\r\nb'), frame(2, 'c')]);
    expect(dockerLogLines(body, false)).toEqual([
      { stream: 'stdout', text: 'a' },
      { stream: 'stdout', text: 'b' },
      { stream: 'stderr', text: 'c' },
    ]);
  });

  it('keeps empty lines and ignores empty frames', () => {
    const body = Buffer.concat([frame(1, ''), frame(1, '\n\nx\n'), frame(2, '')]);
    expect(dockerLogLines(body, false).map((l) => l.text)).toEqual(['', '', 'x']);
  });

  it('reads a TTY container body as raw stdout text', () => {
    expect(dockerLogLines(Buffer.from('one\r\ntwo\n'), true)).toEqual([
      { stream: 'stdout', text: 'one' },
      { stream: 'stdout', text: 'two' },
    ]);
  });

  it('falls back to raw text when the body is not multiplexed after all', () => {
    expect(dockerLogLines(Buffer.from('not framed\n'), false)).toEqual([
      { stream: 'stdout', text: 'not framed' },
    ]);
  });

  it('cuts a very long line into bounded pieces', () => {
    const long = 'x'.repeat(20_000);
    const lines = dockerLogLines(frame(1, `${long}\n`), false);
    expect(lines.map((l) => l.text.length)).toEqual([8192, 8192, 3616]);
  });
});
