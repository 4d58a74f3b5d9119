import type { ReviewCacheStore } from '../../src/core/review/types';

export class InMemoryReviewCache implements ReviewCacheStore {
  location(key: string): string {
    return `memory:${key}`;
  }
  readonly entries = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.entries.get(key);
  }
  async set(key: string, value: string): Promise<void> {
    this.entries.set(key, value);
  }
}
