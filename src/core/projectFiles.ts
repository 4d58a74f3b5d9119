import { readdirSync, readFileSync } from 'node:fs';

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
