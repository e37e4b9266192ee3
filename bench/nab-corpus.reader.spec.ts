import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readProfiles, readScoredCorpus } from './nab-corpus.reader';
import { NabInputError } from './nab-input.error';

const TIMES = ['2014-02-14 14:30:00', '2014-02-14 14:35:00', '2014-02-14 14:40:00'];

describe('NAB corpus reader', () => {
  let root: string;
  let data: string;
  let results: string;
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  const windows = (labels: Record<string, [string, string][]>): void =>
    write(join(data, 'labels', 'windows.json'), JSON.stringify(labels));
  const series = (rel: string, times = TIMES): void =>
    write(join(data, 'data', rel), `timestamp,value\n${times.map((t) => `${t},1`).join('\n')}\n`);
  const result = (rel: string, rows: string[]): void =>
    write(join(results, rel), `timestamp,anomaly_score\n${rows.join('\n')}\n`);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'opscrew-nab-corpus-'));
    data = join(root, 'data-dir');
    results = join(root, 'results');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('pairs each labelled file with its results, windows as rows, in file-name order', () => {
    windows({
      'cat/b.csv': [],
      'cat/a.csv': [['2014-02-14 14:35:00.000000', '2014-02-14 14:40:00.000000']],
    });
    series('cat/a.csv');
    series('cat/b.csv');
    // Fractions of a second are ignored, as NAB compares to the second; empty scores are 0.
    result('cat/a.csv', [`${TIMES[0]}.000,0.25`, `${TIMES[1]},`, `${TIMES[2]},1`]);
    result(
      'cat/b.csv',
      TIMES.map((t) => `${t},0`),
    );
    expect(readScoredCorpus(data, results)).toEqual([
      { rel: 'cat/a.csv', scores: [0.25, 0, 1], windows: [[1, 2]] },
      { rel: 'cat/b.csv', scores: [0, 0, 0], windows: [] },
    ]);
  });

  it('names the result file a labelled series lacks', () => {
    windows({ 'cat/a.csv': [] });
    series('cat/a.csv');
    expect(() => readScoredCorpus(data, results)).toThrow(
      new NabInputError(`no result file for cat/a.csv (expected ${join(results, 'cat/a.csv')})`),
    );
  });

  it('names the row counts that differ, or the first row whose timestamp differs', () => {
    windows({ 'cat/a.csv': [] });
    series('cat/a.csv');
    result('cat/a.csv', [`${TIMES[0]},0`, `2014-02-14 14:36:00,0`, `${TIMES[2]},0`]);
    expect(() => readScoredCorpus(data, results)).toThrow(
      /results\/cat\/a\.csv: timestamps differ from .*'s at row 2 \("2014-02-14 14:36:00", expected "2014-02-14 14:35:00"\)/,
    );
    result('cat/a.csv', [`${TIMES[0]},0`, `${TIMES[1]},0`]);
    expect(() => readScoredCorpus(data, results)).toThrow(
      /results\/cat\/a\.csv: 2 rows, expected 3 \(one per row of /,
    );
  });

  it('names a window edge that is no row of its data file', () => {
    windows({ 'cat/a.csv': [['2014-02-14 14:31:00', '2014-02-14 14:40:00']] });
    series('cat/a.csv');
    result(
      'cat/a.csv',
      TIMES.map((t) => `${t},0`),
    );
    expect(() => readScoredCorpus(data, results)).toThrow(
      /windows\.json: cat\/a\.csv: window edge 2014-02-14 14:31:00 is no row of .*cat\/a\.csv/,
    );
  });

  it("reads NAB's profiles and names the file and field of a malformed one", () => {
    write(
      join(data, 'profiles.json'),
      JSON.stringify({
        standard: { CostMatrix: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11, tnWeight: 1 } },
      }),
    );
    expect(readProfiles(data)).toEqual({
      standard: { CostMatrix: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 } },
    });
    write(
      join(data, 'profiles.json'),
      JSON.stringify({ standard: { CostMatrix: { tpWeight: 1 } } }),
    );
    expect(() => readProfiles(data)).toThrow(/profiles\.json: .*standard\.CostMatrix\.fnWeight/s);
  });
});
