import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT_VERSION, type Mode } from '../findings';
import type { ReviewCacheStore } from './types';

/**
 * Caches the parsed model answer per chunk, so re-reviewing unchanged code costs no request. Keys and
 * values are built from redacted text only, so nothing secret is written to disk.
 */
export interface CacheKeyParts {
  providerId: string;
  model: string;
  mode: Mode;
  personaText: string;
  systemPrompt: string;
  userPrompt: string;
}

export function reviewCacheKey(parts: CacheKeyParts): string {
  const hash = createHash('sha256');
  // Length-prefix each part so that moving text between parts changes the key.
  for (const value of [
    `contract:${CONTRACT_VERSION}`,
    parts.providerId,
    parts.model,
    parts.mode,
    parts.personaText,
    parts.systemPrompt,
    parts.userPrompt,
  ]) {
    hash.update(`${value.length}:`).update(value);
  }
  return hash.digest('hex');
}

export class InMemoryReviewCache implements ReviewCacheStore {
  readonly entries = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.entries.get(key);
  }
  async set(key: string, value: string): Promise<void> {
    this.entries.set(key, value);
  }
}

/** One JSON file per key under `directory/<2 hex>/<key>.json`; writes are atomic (temp file + rename). */
export class FileReviewCache implements ReviewCacheStore {
  constructor(readonly directory: string) {}

  private pathFor(key: string): string {
    if (!/^[0-9a-f]{16,}$/.test(key)) throw new Error(`invalid review cache key "${key}"`);
    return join(this.directory, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.pathFor(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async set(key: string, value: string): Promise<void> {
    const path = this.pathFor(key);
    await mkdir(join(this.directory, key.slice(0, 2)), { recursive: true });
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, value, 'utf8');
    await rename(temp, path);
  }
}

/** `$XDG_CACHE_HOME/backend-review`, else `~/.cache/backend-review`. */
export function defaultCacheDirectory(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.trim() !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'backend-review');
}
