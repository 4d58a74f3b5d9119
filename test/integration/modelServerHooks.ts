// Mocha hooks that give a describe block its own loopback OpenAI-compatible model server
// (test/support/modelServer.ts) and point the extension at it through user settings.
import { startModelServer, type ModelServer, type ReplyHandler } from '../support/modelServer';
import * as fs from 'node:fs';
import { setUserSettings, workspaceUri } from './helpers';

export interface ModelServerFixture {
  /** Set in `before`; every test of the block shares it. */
  server: ModelServer;
}

/** Starts a model server for the enclosing describe block and selects the openai-compatible provider. */
export function useModelServer(
  handler?: ReplyHandler,
  extraSettings: Record<string, unknown> = {},
): ModelServerFixture {
  const fixture = {} as ModelServerFixture;
  before(async () => {
    fixture.server = await startModelServer({ handler });
    await setUserSettings({
      provider: 'openai-compatible',
      'openai.baseUrl': fixture.server.url,
      'openai.model': 'test-model',
      requestTimeoutMs: 30_000,
      ...extraSettings,
    });
  });
  after(async () => {
    await fixture.server?.close();
  });
  return fixture;
}

/**
 * Gives a describe block a workspace file it may change (the dismissals file, .backend-review.json):
 * its content before the block is put back after it (or the file removed if there was none).
 * Returns the file's absolute path.
 */
export function restoreWorkspaceFileAfter(relativePath: string): () => string {
  const file = (): string => workspaceUri(relativePath).fsPath;
  let previous: string | undefined;
  before(() => {
    previous = fs.existsSync(file()) ? fs.readFileSync(file(), 'utf8') : undefined;
  });
  after(() => {
    if (previous === undefined) fs.rmSync(file(), { force: true });
    else fs.writeFileSync(file(), previous);
  });
  return file;
}
