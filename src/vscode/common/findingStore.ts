import type { KeyValueStore } from './state';
import { contentHash, type PublishedFinding } from './publishedFindings';

interface StoredFindings {
  hash: string;
  savedAt: number;
  findings: PublishedFinding[];
}

// v2: findings keep a hash of the fix's lines. v1 entries kept the lines themselves (possibly a
// secret), so saving removes any left from an earlier version.
const STORE_PREFIX = 'backendReviewer.findings.v2:';
const LEGACY_STORE_PREFIXES = ['backendReviewer.findings.v1:'];

/**
 * Findings per file, keyed by URI and tagged with the hash of the text they belong to, so they come
 * back after a window reload only while the file is unchanged. Keeps the most recent `capacity` files.
 */
export class FindingStore {
  constructor(
    private readonly state: KeyValueStore,
    private readonly capacity = 200,
    private readonly now: () => number = Date.now,
  ) {}

  async save(uri: string, text: string, findings: readonly PublishedFinding[]): Promise<void> {
    for (const key of this.state.keys()) {
      if (LEGACY_STORE_PREFIXES.some((prefix) => key.startsWith(prefix))) await this.state.update(key, undefined);
    }
    if (findings.length === 0) {
      await this.state.update(STORE_PREFIX + uri, undefined);
      return;
    }
    const entry: StoredFindings = { hash: contentHash(text), savedAt: this.now(), findings: [...findings] };
    await this.state.update(STORE_PREFIX + uri, entry);
    const keys = this.state.keys().filter((key) => key.startsWith(STORE_PREFIX));
    if (keys.length > this.capacity) {
      const byAge = keys
        .map((key) => ({ key, savedAt: this.state.get<StoredFindings>(key)?.savedAt ?? 0 }))
        .sort((a, b) => a.savedAt - b.savedAt);
      for (const { key } of byAge.slice(0, keys.length - this.capacity)) await this.state.update(key, undefined);
    }
  }

  /** The stored findings when `text` is exactly the text they were saved with; otherwise undefined. */
  load(uri: string, text: string): PublishedFinding[] | undefined {
    const entry = this.state.get<StoredFindings>(STORE_PREFIX + uri);
    if (!entry || entry.hash !== contentHash(text)) return undefined;
    return entry.findings;
  }

  /** URIs (as strings) with stored findings. */
  uris(): string[] {
    return this.state
      .keys()
      .filter((key) => key.startsWith(STORE_PREFIX))
      .map((key) => key.slice(STORE_PREFIX.length));
  }

  async remove(uri: string): Promise<void> {
    await this.state.update(STORE_PREFIX + uri, undefined);
  }

  async clear(): Promise<void> {
    for (const key of this.state.keys()) if (key.startsWith(STORE_PREFIX)) await this.state.update(key, undefined);
  }
}

/** What to do with a file's stored findings when restoring them from the text on disk. */
export type StoredRestore =
  { action: 'skip' } | { action: 'remove' } | { action: 'restore'; findings: PublishedFinding[] };

/**
 * Stored findings of a file, restored against its text on disk. `shown`: the file already has
 * findings in memory (a publish or an open document's restore came first; they win). `openText`:
 * the text of the file's open document, if any; when it differs from the disk (unsaved edits) the
 * stored findings belong to the disk text, not to what the editor shows, so they stay stored and
 * are not shown. Stored findings for a different disk text are removed.
 */
export function restoreFromDisk(
  store: FindingStore,
  key: string,
  diskText: string,
  now: { shown: boolean; openText: string | undefined },
): StoredRestore {
  if (now.shown) return { action: 'skip' };
  if (now.openText !== undefined && now.openText !== diskText) return { action: 'skip' };
  const findings = store.load(key, diskText);
  return findings ? { action: 'restore', findings } : { action: 'remove' };
}

/**
 * On closing a document: its findings stay when they belong to the text on disk (`textHash` equals
 * the disk text's hash); otherwise they followed unsaved edits that were just discarded (or the file
 * is gone), so they must be replaced by what is stored for the disk text, or dropped.
 */
export function keepOnClose(textHash: string | null, diskText: string | undefined): boolean {
  return diskText !== undefined && textHash !== null && textHash === contentHash(diskText);
}
