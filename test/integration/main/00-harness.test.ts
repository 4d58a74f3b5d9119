// The harness itself: both extensions are loaded into the real extension host and the test model answers.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TEST_LM_FAMILY, TEST_LM_VENDOR } from '../lm-extension/src/api';
import { reviewerExtension, testLanguageModel } from '../helpers';

describe('harness: real VS Code', () => {
  it('runs in VS Code 1.139 with the reviewer extension loaded from the repository', () => {
    assert.match(vscode.version, /^1\.139\./);
    const extension = reviewerExtension();
    assert.equal(extension.packageJSON.name, 'backend-principal-reviewer');
  });

  it('serves the scripted test model through vscode.lm', async () => {
    const lm = await testLanguageModel();
    lm.reset();
    const models = await vscode.lm.selectChatModels({ vendor: TEST_LM_VENDOR, family: TEST_LM_FAMILY });
    assert.equal(models.length, 1, `expected one ${TEST_LM_VENDOR} model, got ${models.length}`);
    const response = await models[0].sendRequest([vscode.LanguageModelChatMessage.User('ping from the harness')]);
    let text = '';
    for await (const chunk of response.text) text += chunk;
    assert.equal(text, 'ECHO: ping from the harness');
    assert.equal(lm.requests.length, 1);
    assert.equal(lm.requests[0].messages[0].text, 'ping from the harness');
  });
});
