import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type FileAccessPolicy } from './file-access.port';
import { writablePath } from './writable-path';

/**
 * Replaces `file` with `content` so a reader (flagd polling its flag file, a
 * human opening a postmortem draft) sees the old file or the new one, never a
 * half-written one: a temp file in the same folder (same filesystem, so the
 * rename is atomic), flushed to disk, then renamed over. The sandbox checks
 * the target; the temp file sits beside its checked real path, so an
 * exact-file entry (`var/flagd/demo.flagd.json`) is enough.
 */
export async function writeFileAtomic(
  files: FileAccessPolicy | undefined,
  file: string,
  content: string,
): Promise<void> {
  const target = await writablePath(files, file);
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(temp, 'w', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      // On disk before the rename: a crash never leaves a renamed but empty file.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
