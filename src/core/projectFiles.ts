import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Errors that mean "there is no such file here", as opposed to a file that is there and cannot be read. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

/**
 * A project file the review reads for context (a package.json, a NestJS module): its text, or
 * undefined when there is none. Any other failure (a symlink loop, no permission) is thrown, so the
 * caller can say which file could not be read instead of silently deciding without it.
 */
export function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (ABSENT.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

/** A folder's entry names, or none when the folder is not there; other failures are thrown as above. */
export function listIfPresent(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if (ABSENT.has((error as NodeJS.ErrnoException).code ?? '')) return [];
    throw error;
  }
}

/**
 * What a folder holds now, as one string: each entry's name, and the modification time and size of
 * those `read` says are read for their content (all when not given). Two equal stamps mean nothing
 * was added, removed or renamed there in between, and none of those files was written (as far as the
 * clock tells); undefined when the folder cannot be listed. A long-lived reader (the editor) compares
 * stamps so that what it read from a folder follows the files even when no change event reaches it;
 * `read` spares it a file-system call per image, document or sub-folder before every answer.
 */
export function folderStamp(dir: string, read?: (name: string) => boolean): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  return names
    .map((name) => {
      if (read && !read(name)) return name;
      try {
        const stat = statSync(join(dir, name));
        return `${name}:${stat.mtimeMs}:${stat.size}`;
      } catch {
        return name;
      }
    })
    .join('|');
}
