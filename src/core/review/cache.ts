import { createHash } from 'node:crypto';
import { errorMessage } from '../errorMessage';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CONTRACT_VERSION, modelFindingSchema, type Mode, type ModelFinding } from '../findings';
import type { ReviewCacheStore } from './types';

/** What is cached per chunk: the parsed answer (built from redacted input, so nothing secret). */
export interface CachedAnswer {
  summary: string;
  findings: ModelFinding[];
  /** What the model left out as overkill (Pragmatic), kept so a cached review says it too. */
  overkill?: { title: string; reason: string }[];
}

/** Marks our entries: a file another tool keeps in the same folder is never read as one of them. */
const CACHE_TOOL = 'backend-review/review-cache';
const CACHE_FORMAT = 1;
/** An entry larger than this is not one we wrote (an answer holds at most 50 findings). */
export const MAX_CACHE_ENTRY_BYTES = 4 * 1024 * 1024;

/** The same contract as a fresh answer: what comes back from disk is checked like what comes from the model. */
const cacheEntrySchema = z.object({
  tool: z.literal(CACHE_TOOL),
  format: z.literal(CACHE_FORMAT),
  key: z.string(),
  answer: z.object({
    summary: z.string(),
    findings: z.array(modelFindingSchema).max(50),
    overkill: z
      .array(z.object({ title: z.string().max(500), reason: z.string().max(2000) }))
      .max(50)
      .optional(),
  }),
});

export function encodeCacheEntry(key: string, answer: CachedAnswer): string {
  return JSON.stringify({ tool: CACHE_TOOL, format: CACHE_FORMAT, key, answer });
}

/** A stored entry, or why it cannot be used (then it is a miss and the model is asked again). */
export function decodeCacheEntry(
  key: string,
  text: string,
): { ok: true; answer: CachedAnswer } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${errorMessage(error)})` };
  }
  const parsed = cacheEntrySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `not a review cache entry of this tool (${issue.path.join('.') || 'entry'}: ${issue.message})`,
    };
  }
  if (parsed.data.key !== key) return { ok: false, reason: 'it was written for other input (key mismatch)' };
  return { ok: true, answer: parsed.data.answer };
}

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

/** One JSON file per key under `directory/<2 hex>/<key>.json`; writes are atomic (temp file + rename). */
export class FileReviewCache implements ReviewCacheStore {
  constructor(readonly directory: string) {}

  private pathFor(key: string): string {
    if (!/^[0-9a-f]{16,}$/.test(key)) throw new Error(`invalid review cache key "${key}"`);
    return join(this.directory, key.slice(0, 2), `${key}.json`);
  }

  location(key: string): string {
    return this.pathFor(key);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const path = this.pathFor(key);
      const info = await stat(path);
      if (!info.isFile() || info.size > MAX_CACHE_ENTRY_BYTES)
        throw new Error(`${path} is not a review cache entry (${info.isFile() ? 'too large' : 'not a file'})`);
      return await readFile(path, 'utf8');
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
