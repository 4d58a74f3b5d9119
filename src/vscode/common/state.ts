/**
 * The slice of `vscode.Memento` (workspaceState/globalState) the extension uses, so stores built
 * on it test in plain Node with `InMemoryKeyValueStore`.
 */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
  keys(): readonly string[];
}

/** The slice of `vscode.SecretStorage` used for the API key. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}
