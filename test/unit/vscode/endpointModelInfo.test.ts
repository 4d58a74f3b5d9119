import * as assert from 'node:assert/strict';
import { readConfig } from '../../../src/core/config/settings';
import { DEFAULT_MAX_INPUT_TOKENS } from '../../../src/core/providers/openaiCompatible';
import { endpointModelInformation } from '../../../src/vscode/endpointModelInfo';

/** Settings as the user set them (every scope the same). */
function configWith(raw: Record<string, unknown>) {
  return readConfig({ get: (key) => raw[key], getUserValue: (key) => raw[key] }, { trusted: true }).config;
}

describe('vscode/endpointModelInfo', () => {
  const endpoint = {
    provider: 'openai-compatible',
    'openai.baseUrl': 'http://127.0.0.1:11434/v1',
    'openai.model': 'qwen2.5-coder:7b',
  };

  it("offers the endpoint with the maxInputTokens setting as its input budget (a local model's context length)", () => {
    const [info] = endpointModelInformation(configWith({ ...endpoint, maxInputTokens: 8_000 }), false);
    assert.equal(info.name, 'qwen2.5-coder:7b');
    assert.equal(info.maxInputTokens, 8_000, 'a chat review through this model is cut to the setting');
    const [unset] = endpointModelInformation(configWith(endpoint), false);
    assert.equal(unset.maxInputTokens, DEFAULT_MAX_INPUT_TOKENS);
  });

  it('offers nothing for the untouched defaults', () => {
    assert.deepEqual(endpointModelInformation(configWith({}), false), []);
  });
});
