import { errorMessage } from '@opscrew/contracts';
import { type FileAccessPolicy, writablePath } from '@opscrew/sandbox';
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `value` as pretty JSON through a temp file in the same folder and a
 * rename: a reader (a human, a dashboard) never sees half a file. With the
 * agent's sandbox, `file` is checked first and the temp file sits beside its
 * checked real path; a refusal throws SandboxViolationError, nothing written.
 */
export async function writeJsonAtomically(
  file: string,
  value: unknown,
  files?: FileAccessPolicy,
): Promise<void> {
  const target = await writablePath(files, file);
  const folder = dirname(target);
  const temp = join(
    folder,
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(temp, 'w', 0o644);
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new Error(`cannot write ${file}: ${errorMessage(error)}`, { cause: error });
  }
}
