import type { RawSettingsSource } from '../../src/core/config/settings';

/** Settings fake for tests: `workspace` values win over `user` values, like VS Code. */
export class InMemorySettings implements RawSettingsSource {
  constructor(
    readonly user: Record<string, unknown> = {},
    readonly workspace: Record<string, unknown> = {},
  ) {}
  get(key: string): unknown {
    return key in this.workspace ? this.workspace[key] : this.user[key];
  }
  getUserValue(key: string): unknown {
    return this.user[key];
  }
}
