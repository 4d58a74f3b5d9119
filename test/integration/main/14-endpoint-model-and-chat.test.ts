// Group 14 (issue 16): the configured OpenAI-compatible endpoint is offered as a VS Code language model
// (vscode.lm.registerLanguageModelChatProvider), so the chat's model picker lists it and @principal works
// without Copilot; a chat review writes every finding into the response as Markdown, none hidden in
// progress steps.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding } from '../../support/modelServer';
import { openWorkspaceFile, reviewerDiagnostics, reviewerExtension, REVIEW_COMMANDS, waitFor } from '../helpers';
import { useModelServer } from '../modelServerHooks';

const VENDOR = 'backend-reviewer';
// Eight different problems (the Pragmatic gate keeps at most eight per part, and groups repeats of one kind).
const TITLES = [
  'Unbounded retry loop',
  'Connection pool never closed',
  'Timezone-naive timestamp',
  'Float used for money',
  'Missing idempotency key',
  'Blocking file read in handler',
  'Cache without expiry',
  'Error code swallowed',
];

interface StreamCall {
  method: string;
  args: unknown[];
}

function recordingStream(): { stream: vscode.ChatResponseStream; calls: StreamCall[] } {
  const calls: StreamCall[] = [];
  const stream = new Proxy(
    {},
    {
      get:
        (_target, method) =>
        (...args: unknown[]) => {
          calls.push({ method: String(method), args });
        },
    },
  ) as vscode.ChatResponseStream;
  return { stream, calls };
}

function markdownOf(call: StreamCall): string {
  const value = call.args[0];
  return typeof value === 'string' ? value : (value as vscode.MarkdownString).value;
}

function chatRequest(model: vscode.LanguageModelChat, prompt: string, command?: string): vscode.ChatRequest {
  return {
    prompt,
    command,
    model,
    references: [],
    toolReferences: [],
    toolInvocationToken: undefined,
    id: `it-${Date.now()}`,
    attempt: 0,
    enableCommandDetection: false,
    isParticipantDetected: false,
  } as unknown as vscode.ChatRequest;
}

describe('the configured endpoint as a VS Code language model', () => {
  const model = useModelServer((request) => {
    if (request.user.includes('export function')) {
      return findingsAnswer(
        TITLES.map((title, index) =>
          modelFinding({
            title,
            severity: 'medium',
            category: 'correctness',
            startLine: index + 1,
            endLine: index + 1,
            quote: `export function step${index + 1}`,
          }),
        ),
      );
    }
    return { text: 'Keep one pool per process.' };
  });

  it('is listed by vscode.lm (the chat model picker) and answers through the endpoint', async () => {
    const models = await waitFor('the endpoint model in the registry', async () => {
      const found = await vscode.lm.selectChatModels({ vendor: VENDOR });
      return found.length > 0 ? found : undefined;
    });
    assert.equal(models[0].name, 'test-model');
    const before = model.server.chatRequests().length;
    const response = await models[0].sendRequest(
      [vscode.LanguageModelChatMessage.User('How should I size the pool?')],
      {},
      new vscode.CancellationTokenSource().token,
    );
    let text = '';
    for await (const chunk of response.text) text += chunk;
    assert.equal(text, 'Keep one pool per process.');
    const sent = model.server.chatRequests().slice(before);
    assert.equal(sent.length, 1);
    assert.ok(sent[0].user.includes('How should I size the pool?'));
  });

  it('@principal /review with the endpoint model shows all eight findings as Markdown, no progress steps, and sends the note', async () => {
    const api = (await reviewerExtension().activate()) as { chatHandler: vscode.ChatRequestHandler };
    await vscode.commands.executeCommand(REVIEW_COMMANDS.switchMode, 'pragmatic');
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'src/steps.ts');
    const source = TITLES.map((_, index) => `export function step${index + 1}() { return ${index}; }`).join('\n');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${source}\n`));
    try {
      await openWorkspaceFile('src/steps.ts');
      const [endpoint] = await vscode.lm.selectChatModels({ vendor: VENDOR });
      assert.ok(endpoint, 'the endpoint model is available to the chat');
      const { stream, calls } = recordingStream();
      const before = model.server.chatRequests().length;
      await api.chatHandler(
        // The words after /review are the user's note: sent to the model as context.
        chatRequest(endpoint, 'focus on the step order', 'review'),
        { history: [] },
        stream,
        new vscode.CancellationTokenSource().token,
      );
      assert.deepEqual(
        calls.filter((c) => c.method === 'progress'),
        [],
        'no progress steps (the chat view collapses them)',
      );
      const markdown = calls.filter((c) => c.method === 'markdown').map(markdownOf);
      const list = markdown.find((text) => text.includes(TITLES[0]));
      assert.ok(list, `the findings are in the response: ${markdown.join('\n---\n')}`);
      for (const title of TITLES) assert.ok(list.includes(title), `"${title}" is in the same Markdown part`);
      assert.equal(reviewerDiagnostics(uri).filter((d) => d.source?.endsWith('Pragmatic')).length, TITLES.length);
      const sent = model.server
        .chatRequests()
        .slice(before)
        .map((r) => r.user)
        .filter((text) => text.includes('export function step1'));
      assert.ok(sent.length > 0, 'the review request reached the endpoint');
      assert.ok(
        sent.every((text) => /## The user's note for this review[^\n]*\nfocus on the step order\n/.test(text)),
        `the note is in the context block: ${sent[0]?.slice(0, 1500)}`,
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.workspace.fs.delete(uri);
    }
  });

  it('Preview Prompt opens a read-only virtual document, not an untitled one that asks to be saved', async () => {
    const { document } = await openWorkspaceFile('src/orders.ts');
    const text = await vscode.commands.executeCommand<string>('backendReviewer.previewPrompt', document.uri);
    assert.ok(text?.includes('Nothing was sent'), String(text));
    const preview = await waitFor('the preview editor', () => {
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'backend-reviewer-prompt');
      return editor?.document;
    });
    assert.equal(preview.isUntitled, false);
    assert.equal(preview.getText(), text);
    assert.equal(preview.languageId, 'markdown');
    await vscode.window.showTextDocument(preview);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
