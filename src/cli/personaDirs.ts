import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './errors';

/** Resolves `--dir` values against the current directory; a missing folder is a usage error (exit 2). */
export async function resolvePersonaDirs(dirs: string[], cwd: string): Promise<string[]> {
  const resolved: string[] = [];
  for (const dir of dirs) {
    const full = path.resolve(cwd, dir);
    let stat;
    try {
      stat = await fs.stat(full);
    } catch {
      throw new UsageError(`--dir ${dir}: no such directory`);
    }
    if (!stat.isDirectory()) throw new UsageError(`--dir ${dir}: not a directory`);
    resolved.push(full);
  }
  return resolved;
}
