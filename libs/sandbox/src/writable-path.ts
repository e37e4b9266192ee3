import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type FileAccessPolicy } from './file-access.port';

/**
 * The path to open for writing `path`, its folders created: checked, folders
 * made below the checked real path, then checked again — a folder that
 * appeared meanwhile as a symlink is caught by the second check. Without a
 * policy (tests, tools that are not agents) the folders are made and `path`
 * is returned as it is.
 */
export async function writablePath(
  files: FileAccessPolicy | undefined,
  path: string,
): Promise<string> {
  const checked = files ? files.checkWrite(path) : path;
  await mkdir(dirname(checked), { recursive: true });
  return files ? files.checkWrite(checked) : checked;
}

/** The path to open for reading `path`: checked when there is a policy. */
export function readablePath(files: FileAccessPolicy | undefined, path: string): string {
  return files ? files.checkRead(path) : path;
}
