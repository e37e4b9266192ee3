import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNabCsv } from './nab-csv.reader';
import { NabInputError } from './nab-input.error';

describe('readNabCsv', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscrew-nab-csv-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (text: string): string => {
    const path = join(dir, 'series.csv');
    writeFileSync(path, text);
    return path;
  };

  it('reads the timestamp and the named column, in any column order; an empty cell is NaN', () => {
    const path = write('value,timestamp\r\n1.5,2014-02-14 14:30:00\n,2014-02-14 14:35:00\n\n');
    expect(readNabCsv(path, 'value')).toEqual({
      timestamps: ['2014-02-14 14:30:00', '2014-02-14 14:35:00'],
      values: [1.5, Number.NaN],
    });
  });

  it('names the file and what the header lacks', () => {
    const path = write('timestamp,value\n2014-02-14 14:30:00,1\n');
    expect(() => readNabCsv(path, 'anomaly_score')).toThrow(
      new NabInputError(
        `${path}: expected a header with timestamp and anomaly_score, got "timestamp,value"`,
      ),
    );
  });

  it('names the file and line of a value that is not a number', () => {
    const path = write('timestamp,value\n2014-02-14 14:30:00,1\n2014-02-14 14:35:00,high\n');
    expect(() => readNabCsv(path, 'value')).toThrow(`${path}:3: value "high" is not a number`);
  });
});
