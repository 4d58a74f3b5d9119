import { promises as fs } from 'node:fs';
import { decodeText, looksBinary } from './encoding';
import { errorMessage } from '../errorMessage';

/** Persona, reference and guideline files larger than this are refused: they are prompts, not data. */
export const MAX_FILE_BYTES = 256 * 1024;

export type ReadTextResult = { ok: true; text: string; warnings: string[] } | { ok: false; message: string };

/** A file-system error as a sentence a user can act on. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ELOOP':
      return 'symlink loop: the path points back to itself';
    case 'ENOENT':
      return 'does not exist (or is a broken symlink)';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'EISDIR':
      return 'is a directory, expected a file';
    case 'ENOTDIR':
      return 'is not a directory';
    default:
      return `cannot be read: ${errorMessage(error)}`;
  }
}

const tooLarge = (size: number): string =>
  `file is ${Math.ceil(size / 1024)} KiB, over the ${MAX_FILE_BYTES / 1024} KiB limit for persona and guideline files`;

/**
 * Reads a persona/guideline file as clean text (see decodeText). Empty, binary, oversized and
 * unreadable files come back as `{ ok: false, message }`; the message does not repeat the path.
 */
export async function readTextFile(filePath: string): Promise<ReadTextResult> {
  let bytes: Buffer;
  try {
    const stat = await fs.stat(filePath);
    if (stat.isDirectory()) return { ok: false, message: describeFsError({ code: 'EISDIR' }) };
    if (stat.size > MAX_FILE_BYTES) return { ok: false, message: tooLarge(stat.size) };
    bytes = await fs.readFile(filePath);
  } catch (error) {
    return { ok: false, message: describeFsError(error) };
  }
  // Checked again after reading: the file may have grown between stat and read.
  if (bytes.length > MAX_FILE_BYTES) return { ok: false, message: tooLarge(bytes.length) };
  if (bytes.length === 0) return { ok: false, message: 'file is empty' };
  if (looksBinary(bytes)) return { ok: false, message: 'file is binary (contains NUL bytes), not text' };
  const decoded = decodeText(bytes);
  if (decoded.text.trim() === '') return { ok: false, message: 'file is empty (only whitespace)' };
  return { ok: true, text: decoded.text, warnings: decoded.warnings };
}
