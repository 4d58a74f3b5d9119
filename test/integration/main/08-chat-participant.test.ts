// Group 8: the @principal chat participant's handler, called with a request that carries the test language
// model (registered through vscode.lm.registerLanguageModelChatProvider), streams an answer in the active mode,
// and `/mode backendpe` switches the mode. The Chat view cannot reach a model without Copilot in code-server,
// so the handler the extension registered is called directly (the extension exports it from activate()).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TEST_LM_FAMILY, TEST_LM_VENDOR } from '../lm-extension/src/api';
import { openWorkspaceFile, REVIEW_COMMANDS, reviewerExtension, testLanguageModel } from '../helpers';

const PRAGMATIC_SHAPE = 'give the simplest thing that works for their situation';
const BACKENDPE_SHAPE = '"Pre-mortem"';
const ACTIVE_FILE = 'src/orders.ts';

interface StreamCall {
  method: string;
  args: unknown[];
}

/** A ChatResponseStream that records what the handler streams (the chat view would render it). */
function recordingStream(): { stream: vscode.ChatResponseStream; calls: StreamCall[]; markdown: () => string } {
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
  const markdown = () =>
    calls
      .filter((c) => c.method === 'markdown')
      .map((c) => (typeof c.args[0] === 'string' ? c.args[0] : (c.args[0] as vscode.MarkdownString).value))
      .join('');
  return { stream, calls, markdown };
}

async function chatRequest(prompt: string, command?: string): Promise<vscode.ChatRequest> {
  const [model] = await vscode.lm.selectChatModels({ vendor: TEST_LM_VENDOR, family: TEST_LM_FAMILY });
  assert.ok(model, 'the test language model is available');
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

describe('@principal chat participant', () => {
  let handler: vscode.ChatRequestHandler;

  before(async () => {
    const api = (await reviewerExtension().activate()) as { chatHandler?: vscode.ChatRequestHandler } | undefined;
    assert.equal(
      typeof api?.chatHandler,
      'function',
      'activate() must return { chatHandler } (the handler given to vscode.chat.createChatParticipant)',
    );
    handler = api!.chatHandler!;
    await vscode.commands.executeCommand(REVIEW_COMMANDS.switchMode, 'pragmatic');
  });
  after(() => vscode.commands.executeCommand(REVIEW_COMMANDS.switchMode, 'pragmatic'));

  it("streams the model's answer to a question, asked in the active mode", async () => {
    const lm = await testLanguageModel();
    lm.reset();
    lm.setResponder(() => 'Use one pool per process, sized to the database connection limit divided by the replicas.');
    const { stream, markdown } = recordingStream();
    const token = new vscode.CancellationTokenSource().token;
    const result = await handler(
      await chatRequest('How should I size the connection pool?'),
      { history: [] },
      stream,
      token,
    );
    assert.ok(
      markdown().includes('sized to the database connection limit divided by the replicas'),
      `streamed: ${markdown()}`,
    );
    assert.equal(lm.requests.length, 1, 'one request to the chat model');
    const sent = lm.requests[0].messages.map((m) => m.text).join('\n');
    assert.ok(sent.includes('How should I size the connection pool?'));
    assert.ok(sent.includes(PRAGMATIC_SHAPE), 'the request carries the Pragmatic answer shape');
    assert.ok(!sent.includes(BACKENDPE_SHAPE));
    assert.equal((result as { metadata?: { mode?: string } } | undefined)?.metadata?.mode, 'pragmatic');
  });

  it('a question with nothing selected sends the active file, and the mode rubric in the system prompt', async () => {
    const editor = await openWorkspaceFile(ACTIVE_FILE);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const firstLine = editor.document.lineAt(0).text.trim();
    assert.ok(firstLine.length > 0, `${ACTIVE_FILE} starts with code`);
    const lm = await testLanguageModel();
    lm.reset();
    lm.setResponder(() => 'It needs a timeout.');
    const { stream, markdown } = recordingStream();
    await handler(
      await chatRequest('Does this need a timeout?'),
      { history: [] },
      stream,
      new vscode.CancellationTokenSource().token,
    );
    assert.ok(markdown().includes('It needs a timeout.'));
    const sent = lm.requests[0].messages.map((m) => m.text).join('\n');
    assert.ok(sent.includes('## Review mode: Pragmatic'), 'the Pragmatic rubric is in the chat system prompt');
    assert.ok(
      sent.includes(`The file open in the editor, ${ACTIVE_FILE} (nothing is selected`),
      `the active file is named: ${sent.slice(-400)}`,
    );
    assert.ok(sent.includes(firstLine), 'the active file text is sent');
  });

  it('/mode backendpe switches the mode for the next answers', async () => {
    const lm = await testLanguageModel();
    lm.reset();
    const switched = recordingStream();
    const token = new vscode.CancellationTokenSource().token;
    await handler(await chatRequest('backendpe', 'mode'), { history: [] }, switched.stream, token);
    assert.match(switched.markdown(), /BackendPE/);
    assert.equal(lm.requests.length, 0, 'switching the mode asks no model');

    lm.setResponder(() => 'Architecture, Code and Pre-mortem follow.');
    const answer = recordingStream();
    await handler(await chatRequest('Design an idempotent payment webhook.'), { history: [] }, answer.stream, token);
    assert.ok(answer.markdown().includes('Architecture, Code and Pre-mortem follow.'));
    const sent = lm.requests[0].messages.map((m) => m.text).join('\n');
    assert.ok(sent.includes(BACKENDPE_SHAPE), 'after /mode backendpe the request carries the BackendPE answer shape');
    assert.ok(!sent.includes(PRAGMATIC_SHAPE));
  });
});
