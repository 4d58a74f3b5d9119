import * as assert from 'node:assert/strict';
import { ProviderError, type ChatProvider } from '../../../../src/core/providers/provider';
import {
  API_KEY_SECRET,
  keyMoveFailureMessage,
  keysInSettings,
  resolveApiKey,
  scrubKey,
  validateApiKeyInput,
  withKeyScrubbed,
} from '../../../../src/vscode/common/apiKey';
import { InMemorySecretStore } from '../../../support/inMemoryStores';

const KEY = 'sk-test-1234567890abcdef';

describe('vscode/apiKey', () => {
  it('takes the key from secret storage, then OPENAI_API_KEY, else none', async () => {
    const secrets = new InMemorySecretStore();
    assert.deepEqual(await resolveApiKey(secrets, {}), { source: 'none' });
    assert.deepEqual(await resolveApiKey(secrets, { OPENAI_API_KEY: ' env-key ' }), {
      apiKey: 'env-key',
      source: 'environment',
    });
    await secrets.store(API_KEY_SECRET, KEY);
    assert.deepEqual(await resolveApiKey(secrets, { OPENAI_API_KEY: 'env-key' }), {
      apiKey: KEY,
      source: 'secret-storage',
    });
  });

  it('scrubs the key from any error a provider raises', async () => {
    const leaky: ChatProvider = {
      id: 'p',
      modelName: 'm',
      maxInputTokens: 1,
      countTokens: () => 1,
      complete: async () => {
        throw new ProviderError(`401 for key ${KEY}`, 'auth', 401);
      },
    };
    await assert.rejects(
      withKeyScrubbed(leaky, KEY).complete({ messages: [] }),
      (error: unknown) =>
        error instanceof ProviderError &&
        error.kind === 'auth' &&
        error.status === 401 &&
        !error.message.includes(KEY) &&
        error.message.includes('[api key]'),
    );
    const plain: ChatProvider = {
      ...leaky,
      complete: async () => {
        throw new TypeError(`bad ${KEY}`);
      },
    };
    await assert.rejects(
      withKeyScrubbed(plain, KEY).complete({ messages: [] }),
      (error: unknown) => error instanceof Error && error.message === 'bad [api key]' && error.name === 'TypeError',
    );
    assert.equal(withKeyScrubbed(leaky, undefined), leaky);
    assert.equal(scrubKey(`a ${KEY} b ${KEY}`, KEY), 'a [api key] b [api key]');
  });

  it('finds a key someone put in settings, most specific scope first', () => {
    assert.equal(keysInSettings(undefined), undefined);
    assert.equal(keysInSettings({ globalValue: '  ' }), undefined);
    assert.deepEqual(keysInSettings({ globalValue: 'user-key', workspaceValue: 'ws-key' }), {
      value: 'ws-key',
      scopes: ['workspace', 'user'],
    });
  });

  it('validates the input box value', () => {
    assert.match(validateApiKeyInput('  ')!, /Enter a key/);
    assert.match(validateApiKeyInput('sk abc')!, /no spaces/);
    assert.equal(validateApiKeyInput(KEY), undefined);
  });

  it('says why moving the key failed and what to do, without the key', () => {
    const message = keyMoveFailureMessage(new Error(`Unable to write ${KEY} into Workspace Settings`), KEY);
    assert.ok(message.includes('Unable to write [api key] into Workspace Settings'), message);
    assert.ok(message.includes('backendReviewer.openai.apiKey'), message);
    assert.ok(!message.includes(KEY), message);
    assert.ok(keyMoveFailureMessage('secret storage unavailable', undefined).includes('secret storage unavailable'));
  });
});
