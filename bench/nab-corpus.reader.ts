import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '@opscrew/contracts';
import { readNabCsv } from './nab-csv.reader';
import { NabInputError } from './nab-input.error';
import { type Profiles, type RowWindow, type ScoredFile } from './nab-scorer';

/** NAB's `profiles.json`; other keys (tnWeight) are NAB's and unused by its scoring. */
const profilesSchema = z.record(
  z.string(),
  z.object({
    CostMatrix: z.object({ tpWeight: z.number(), fnWeight: z.number(), fpWeight: z.number() }),
  }),
);

/** NAB's `labels/combined_windows.json` format: file → [[start, end], …] timestamps. */
const windowsSchema = z.record(z.string(), z.array(z.tuple([z.string(), z.string()])));

/** NAB compares timestamps to the second ("2014-02-14 14:30:00"), fractions dropped. */
const TIMESTAMP_LENGTH = 19;

function readJson<T>(path: string, schema: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new NabInputError(`${path}: not readable as JSON: ${errorMessage(error)}`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new NabInputError(`${path}: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** The scoring profiles of a NAB corpus: `DATA/profiles.json`. */
export function readProfiles(dataDir: string): Profiles {
  return readJson(join(dataDir, 'profiles.json'), profilesSchema);
}

/**
 * Every labelled file of a NAB corpus (`DATA/labels/windows.json`, in file-name order) with
 * the detector's scores from `RESULTS/<same relative path>` (`timestamp,anomaly_score`, one row
 * per data row, same timestamps) and its windows as row indices.
 */
export function readScoredCorpus(dataDir: string, resultsDir: string): ScoredFile[] {
  const labelsPath = join(dataDir, 'labels', 'windows.json');
  const labels = readJson(labelsPath, windowsSchema);
  return Object.keys(labels)
    .sort()
    .map((rel) => {
      const dataPath = join(dataDir, 'data', rel);
      const resultPath = join(resultsDir, rel);
      if (!existsSync(dataPath)) {
        throw new NabInputError(`${labelsPath} labels ${rel}, but there is no ${dataPath}`);
      }
      if (!existsSync(resultPath)) {
        throw new NabInputError(`no result file for ${rel} (expected ${resultPath})`);
      }
      const timestamps = readNabCsv(dataPath, 'value').timestamps.map((t) =>
        t.slice(0, TIMESTAMP_LENGTH),
      );
      const result = readNabCsv(resultPath, 'anomaly_score');
      const resultTimestamps = result.timestamps.map((t) => t.slice(0, TIMESTAMP_LENGTH));
      if (resultTimestamps.length !== timestamps.length) {
        throw new NabInputError(
          `${resultPath}: ${resultTimestamps.length} rows, expected ${timestamps.length} (one per row of ${dataPath})`,
        );
      }
      const differsAt = timestamps.findIndex((t, i) => resultTimestamps[i] !== t);
      if (differsAt >= 0) {
        throw new NabInputError(
          `${resultPath}: timestamps differ from ${dataPath}'s at row ${differsAt + 1} ` +
            `("${resultTimestamps[differsAt]}", expected "${timestamps[differsAt]}")`,
        );
      }
      const rowOf = new Map(timestamps.map((t, i) => [t, i]));
      const row = (timestamp: string): number => {
        const at = rowOf.get(timestamp.slice(0, TIMESTAMP_LENGTH));
        if (at === undefined) {
          throw new NabInputError(
            `${labelsPath}: ${rel}: window edge ${timestamp} is no row of ${dataPath}`,
          );
        }
        return at;
      };
      const windows: RowWindow[] = (labels[rel] ?? []).map(([start, end]) => [
        row(start),
        row(end),
      ]);
      // An empty score is no detection, as NAB reads it.
      const scores = result.values.map((value) => (Number.isNaN(value) ? 0 : value));
      return { rel, scores, windows };
    });
}
