/**
 * Where a command writes. Commands never touch process.stdout directly, so unit
 * tests run them in-process and read exactly what a user would see.
 */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Exit codes: 0 fine, 1 the operation failed, 2 bad input (invalid config, bad arguments). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;
