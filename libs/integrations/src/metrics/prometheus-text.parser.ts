/**
 * A parser for the Prometheus text exposition format (0.0.4, what prom-client
 * serves; OpenMetrics' `# EOF`, `# UNIT` and exemplars are tolerated).
 *
 * Written here rather than using `parse-prometheus-text-format`: that package
 * (1.1.1) folds every series of a histogram into one — the labels, `_sum` and
 * `_count` of labelled histograms are lost, so per-route latency cannot be
 * computed from it (checked against prom-client's own output).
 *
 * Like Prometheus itself, a malformed line fails the whole exposition: a
 * half-read scrape would show up as a drop in traffic.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | 'unknown';

export interface ExpositionSample {
  /** The sample's own name (`http_request_duration_seconds_bucket`, not the family). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs?: number;
}

export interface ParsedExposition {
  readonly samples: readonly ExpositionSample[];
  /** Family name → declared type (`# TYPE`). */
  readonly types: ReadonlyMap<string, MetricType>;
  readonly help: ReadonlyMap<string, string>;
}

export class ExpositionParseError extends Error {
  override readonly name = 'ExpositionParseError';

  constructor(
    readonly line: number,
    detail: string,
    text: string,
  ) {
    super(
      `line ${line}: ${detail}: ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)}`,
    );
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_START = /[a-zA-Z_]/;
const LABEL_NAME_CHAR = /[a-zA-Z0-9_]/;
const METRIC_NAME_CHAR = /[a-zA-Z0-9_:]/;
const DECIMAL_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TYPES = new Set<MetricType>([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'unknown',
]);

export function parsePrometheusText(text: string): ParsedExposition {
  const samples: ExpositionSample[] = [];
  const types = new Map<string, MetricType>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? '';
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const lineNo = index + 1;
    if (line.trimStart().startsWith('#')) {
      parseComment(line.trimStart(), lineNo, types, help);
      continue;
    }
    samples.push(parseSample(line, lineNo));
  }
  return { samples, types, help };
}

function parseComment(
  line: string,
  lineNo: number,
  types: Map<string, MetricType>,
  help: Map<string, string>,
): void {
  const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
  if (match === null) return; // a plain comment, `# EOF`, `# UNIT …`
  const [, keyword, name = '', rest = ''] = match;
  if (!METRIC_NAME.test(name)) throw new ExpositionParseError(lineNo, 'invalid metric name', line);
  if (keyword === 'TYPE') {
    const type = rest.trim().toLowerCase() as MetricType;
    if (!TYPES.has(type)) throw new ExpositionParseError(lineNo, 'unknown metric type', line);
    types.set(name, type);
  } else {
    help.set(name, unescapeHelp(rest));
  }
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** A small cursor over one sample line. */
class LineReader {
  position = 0;

  constructor(
    readonly text: string,
    readonly lineNo: number,
  ) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string {
    return this.text[this.position] ?? '';
  }

  skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.position++;
  }

  fail(detail: string): never {
    throw new ExpositionParseError(this.lineNo, detail, this.text);
  }

  expect(char: string): void {
    if (this.peek() !== char)
      this.fail(`expected ${JSON.stringify(char)} at column ${this.position + 1}`);
    this.position++;
  }

  readWhile(pattern: RegExp): string {
    const start = this.position;
    while (!this.done && pattern.test(this.peek())) this.position++;
    return this.text.slice(start, this.position);
  }

  readToken(): string {
    const start = this.position;
    while (!this.done && this.peek() !== ' ' && this.peek() !== '\t') this.position++;
    return this.text.slice(start, this.position);
  }
}

function parseSample(line: string, lineNo: number): ExpositionSample {
  // Annotated: `fail(): never` narrows only through an explicitly typed reference.
  const reader: LineReader = new LineReader(line, lineNo);
  reader.skipBlanks();
  const name = reader.readWhile(METRIC_NAME_CHAR);
  if (!METRIC_NAME.test(name)) reader.fail('invalid metric name');
  reader.skipBlanks();
  const labels = reader.peek() === '{' ? parseLabels(reader) : emptyLabels();
  reader.skipBlanks();
  const valueText = reader.readToken();
  if (valueText === '') reader.fail('missing value');
  const value = parseValue(valueText);
  if (value === undefined) reader.fail(`invalid value ${JSON.stringify(valueText)}`);
  reader.skipBlanks();
  let timestampMs: number | undefined;
  if (!reader.done && reader.peek() !== '#') {
    const timestampText = reader.readToken();
    timestampMs = Number(timestampText);
    if (!/^-?\d+(\.\d+)?$/.test(timestampText)) reader.fail('invalid timestamp');
    reader.skipBlanks();
  }
  // OpenMetrics exemplar (`# {trace_id="…"} 0.5`): not needed here, skipped.
  if (!reader.done && reader.peek() !== '#') reader.fail('unexpected text after the value');
  return timestampMs === undefined ? { name, labels, value } : { name, labels, value, timestampMs };
}

function emptyLabels(): Record<string, string> {
  // No prototype: a label called `__proto__` or `constructor` is just a label.
  return Object.create(null) as Record<string, string>;
}

function parseLabels(reader: LineReader): Record<string, string> {
  const labels = emptyLabels();
  reader.expect('{');
  reader.skipBlanks();
  while (reader.peek() !== '}') {
    if (!LABEL_NAME_START.test(reader.peek()))
      reader.fail(`invalid label name at column ${reader.position + 1}`);
    const labelName = reader.readWhile(LABEL_NAME_CHAR);
    reader.skipBlanks();
    reader.expect('=');
    reader.skipBlanks();
    reader.expect('"');
    let value = '';
    for (;;) {
      if (reader.done) reader.fail('unterminated label value');
      const char = reader.peek();
      reader.position++;
      if (char === '"') break;
      if (char === '\\') {
        const escaped = reader.peek();
        reader.position++;
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else reader.fail(`invalid escape \\${escaped} in label value`);
      } else {
        value += char;
      }
    }
    if (Object.prototype.hasOwnProperty.call(labels, labelName)) {
      reader.fail(`duplicate label ${labelName}`);
    }
    labels[labelName] = value;
    reader.skipBlanks();
    if (reader.peek() === ',') {
      reader.position++;
      reader.skipBlanks();
    } else if (reader.peek() !== '}') {
      reader.fail(`expected "," or "}" at column ${reader.position + 1}`);
    }
  }
  reader.expect('}');
  return labels;
}

/** Go's ParseFloat spellings Prometheus accepts: decimals, `NaN`, `+Inf`, `-Inf`, `Inf`. */
function parseValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') {
    return Number.POSITIVE_INFINITY;
  }
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  return DECIMAL_FLOAT.test(text) ? Number(text) : undefined;
}
