// Mocha hooks that give a describe block its own loopback OpenAI-compatible model server
// (test/support/modelServer.ts) and point the extension at it through user settings.
import { startModelServer, type ModelServer, type ReplyHandler } from '../support/modelServer';
import { setUserSettings } from './helpers';

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
