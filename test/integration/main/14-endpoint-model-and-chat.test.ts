// Group 14 (issue 16): the configured OpenAI-compatible endpoint is offered as a VS Code language model
// (vscode.lm.registerLanguageModelChatProvider), so the chat's model picker lists it and @principal works
// without Copilot; a chat review writes every finding into the response as Markdown, none hidden in
// progress steps.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findingsAnswer, modelFinding, type RecordedRequest } from '../../support/modelServer';
import {
  describeDiagnostics,
  openWorkspaceFile,
  reviewerDiagnostics,
  reviewerExtension,
  REVIEW_COMMANDS,
  runReview,
  setUserSettings,
  waitFor,
  waitForModelDiagnostics,
} from '../helpers';
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

// The endpoint settings the CLI takes as --temperature and --max-input-tokens (test/unit/cli/reviewLocalModel.test.ts),
// as the editor's settings: what reaches the endpoint, and what the user sees.
describe('endpoint settings: temperature, maxInputTokens and a cut prompt', () => {
  const FIRST_LINE = /^ *(\d+) \| export const setting/m;
  const CATEGORIES = ['correctness', 'reliability', 'performance', 'security', 'data-integrity', 'api-design'];
  const model = useModelServer((request, index) => {
    // One finding per request, on the first line that request shows: each part's finding is a different problem.
    const first = FIRST_LINE.exec(request.user);
    if (!first) return findingsAnswer([]);
    const line = Number(first[1]);
    return findingsAnswer([
      modelFinding({
        title: `${TITLES[index % TITLES.length]} (part from line ${line})`,
        severity: 'medium',
        category: CATEGORIES[index % CATEGORIES.length],
        startLine: line,
        endLine: line,
        quote: `export const setting${line - 1}`,
      }),
    ]);
  });
  const created: vscode.Uri[] = [];

  /** A new settings file (a unique marker keeps the review cache out of the way) of `lines` lines. */
  async function settingsFile(name: string, lines: number): Promise<vscode.Uri> {
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, `src/${name}.ts`);
    const marker = `${name}-${Date.now()}`;
    const body = Array.from(
      { length: lines },
      (_, i) => `export const setting${i} = readSetting('${marker}-${i}', ${i});`,
    );
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${body.join('\n')}\n`));
    created.push(uri);
    return uri;
  }

  async function reviewOf(uri: vscode.Uri): Promise<RecordedRequest[]> {
    const before = model.server.chatRequests().length;
    const result = await runReview(REVIEW_COMMANDS.reviewFile, uri);
    assert.ok(result.ok, JSON.stringify(result));
    return model.server.chatRequests().slice(before);
  }

  after(async () => {
    await setUserSettings({ temperature: undefined, maxInputTokens: undefined });
    for (const uri of created) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
  });

  it('sends temperature only when the backendReviewer.temperature setting is set', async () => {
    const plain = await settingsFile('temperature-unset', 5);
    const unset = await reviewOf(plain);
    assert.equal(unset.length, 1);
    assert.equal('temperature' in (unset[0].body ?? {}), false, JSON.stringify(unset[0].body).slice(0, 300));
    await waitForModelDiagnostics(plain, 'the finding of the review without temperature', (d) => d.length === 1);
    try {
      await setUserSettings({ temperature: 0.1 });
      const warm = await settingsFile('temperature-set', 5);
      const set = await reviewOf(warm);
      assert.equal(set.length, 1);
      assert.equal(set[0].body?.temperature, 0.1);
      const shown = await waitForModelDiagnostics(
        warm,
        'the finding of the review with temperature',
        (d) => d.length === 1,
      );
      assert.match(shown[0].message, /\(part from line 1\)/);
    } finally {
      await setUserSettings({ temperature: undefined });
    }
  });

  it('a small backendReviewer.maxInputTokens splits a file into requests that each fit it, and every part is shown', async () => {
    const uri = await settingsFile('input-budget', 400);
    try {
      await setUserSettings({ maxInputTokens: 4000 });
      const requests = await reviewOf(uri);
      assert.ok(requests.length >= 3, `expected several parts, got ${requests.length}`);
      for (const request of requests) {
        const characters = JSON.stringify(request.body?.messages ?? []).length;
        assert.ok(characters / 4 <= 4000 * 1.1, `a request of about ${characters / 4} tokens exceeds the budget`);
      }
      const firstLines = requests.map((r) => Number(FIRST_LINE.exec(r.user)?.[1]));
      assert.equal(new Set(firstLines).size, requests.length, `each part shows other lines: ${firstLines}`);
      const shown = await waitForModelDiagnostics(uri, 'one finding per part', (d) => d.length >= requests.length);
      assert.deepEqual(
        shown.map((d) => d.range.start.line + 1),
        [...firstLines].sort((a, b) => a - b),
        describeDiagnostics(shown),
      );
    } finally {
      await setUserSettings({ maxInputTokens: undefined });
    }
  });

  it('logs a warning when the endpoint counts far fewer prompt tokens than were sent (a cut prompt)', async () => {
    const api = (await reviewerExtension().activate()) as { logLines(): string[] };
    const warning = /counted 512 prompt tokens for a prompt of about \d+/;
    const earlier = api.logLines().filter((l) => warning.test(l)).length;
    model.server.setHandler(() => ({ ...findingsAnswer([]), usage: { prompt_tokens: 512, completion_tokens: 10 } }));
    try {
      const cut = await reviewOf(await settingsFile('cut-prompt', 300));
      assert.equal(cut.length, 1);
      const logged = await waitFor('the warning in the log channel', () => {
        const lines = api.logLines().filter((l) => warning.test(l));
        return lines.length > earlier ? lines.slice(earlier) : undefined;
      });
      assert.equal(logged.length, 1, logged.join('\n'));
      assert.match(logged[0], /^warn: the endpoint at .* counted 512 prompt tokens/);
      assert.match(
        logged[0],
        /Raise the server's context length .* or lower maxInputTokens \(.*backendReviewer\.maxInputTokens\)/,
      );

      model.server.setHandler(() => findingsAnswer([]));
      const honest = await reviewOf(await settingsFile('whole-prompt', 300));
      assert.equal(honest.length, 1);
      assert.equal(
        api.logLines().filter((l) => /prompt tokens for a prompt of about/.test(l)).length,
        earlier + 1,
        'an estimate-sized usage is no warning',
      );
    } finally {
      model.server.setHandler(() => findingsAnswer([]));
    }
  });
});
