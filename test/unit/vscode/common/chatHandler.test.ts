import * as assert from 'node:assert/strict';
import type { ReviewFinding } from '../../../../src/core/findings';
import {
  ANSWER_SHAPES,
  APPLY_ALL_PROMPT,
  followupsFor,
  handleChat,
  compactAnswer,
  historyMessages,
  MAX_ACTIVE_FILE_CHARS,
  type ChatDeps,
  type ChatOutput,
  type DocumentSnapshot,
  type PublishedReview,
} from '../../../../src/vscode/common/chatHandler';
import { COMMANDS } from '../../../../src/vscode/common/commandIds';
import { toPublished } from '../../../../src/vscode/common/publishedFindings';
import { ModeState } from '../../../../src/vscode/common/modeState';
import { InMemoryKeyValueStore } from '../../../support/inMemoryStores';
import { modeRubric } from '../../../../src/core/personas/modes';
import { catalog, emptyResult, FakeChatProvider, fakePersonaApi, persona } from '../fakes';

/** Records everything the handler streams. */
class RecordingOutput implements ChatOutput {
  readonly parts: { kind: string; value: unknown }[] = [];
  markdown(text: string): void {
    this.parts.push({ kind: 'markdown', value: text });
  }
  progress(text: string): void {
    this.parts.push({ kind: 'progress', value: text });
  }
  anchor(target: { uri: string; line: number }, title?: string): void {
    this.parts.push({ kind: 'anchor', value: { ...target, title } });
  }
  button(command: { command: string; title: string; arguments?: unknown[] }): void {
    this.parts.push({ kind: 'button', value: command });
  }
  text(): string {
    return this.parts
      .filter((p) => p.kind === 'markdown')
      .map((p) => p.value)
      .join('');
  }
  buttons(): string[] {
    return this.parts.filter((p) => p.kind === 'button').map((p) => (p.value as { command: string }).command);
  }
}

const doc: DocumentSnapshot = {
  uri: 'file:///w/src/orders.ts',
  relativePath: 'src/orders.ts',
  text: 'a\nconst r = await fetch(u);\nb',
  language: 'typescript',
};

function finding(overrides: Partial<ReviewFinding> = {}): ReviewFinding {
  return {
    title: 'No timeout',
    severity: 'high',
    category: 'reliability',
    startLine: 2,
    endLine: 2,
    quote: 'fetch(u)',
    message: 'fetch has no timeout',
    suggestion: '',
    fix: { startLine: 2, endLine: 2, replacement: 'const r = await fetch(u, { signal });' },
    confidence: 0.9,
    file: 'src/orders.ts',
    ruleId: 'review/reliability',
    origin: 'model',
    ...overrides,
  };
}

function setup(overrides: Partial<ChatDeps> = {}) {
  const mode = new ModeState(new InMemoryKeyValueStore(), () => 'pragmatic');
  const api = fakePersonaApi(
    catalog(
      persona('pragmatic', 'pragmatic'),
      persona('backendpe', 'backendpe', { sourceKind: 'workspace', source: '/w/.github/skills/backendpe/SKILL.md' }),
    ),
  );
  const model = new FakeChatProvider(['Answer ', 'streamed.']);
  const reviewed: DocumentSnapshot[][] = [];
  const notes: (string | undefined)[] = [];
  const deps: ChatDeps = {
    mode,
    catalog: async () => api.loadPersonaCatalog({ bundledDir: '' }),
    detectModeRequest: api.detectModeRequest,
    renderPersona: async (m) => ({
      rendered: { id: m, name: `${m} persona`, mode: m, text: `PERSONA ${m}`, warnings: [] },
      notes: [],
    }),
    activeDocument: () => doc,
    referencedDocuments: async () => [],
    reviewDocuments: async (documents, _signal, note) => {
      reviewed.push(documents);
      notes.push(note);
      const findings = [
        finding(),
        finding({ severity: 'low', title: 'Magic number', fix: null, startLine: 3, endLine: 3 }),
      ];
      const review: PublishedReview = {
        outcome: {
          result: emptyResult({ findings, summary: 'Two issues.' }),
          mode: mode.get(),
          notes: [],
          personaName: 'Pragmatic Reviewer',
          kind: 'chat',
        },
        files: [
          {
            uri: doc.uri,
            relativePath: doc.relativePath,
            findings: toPublished(findings, { text: doc.text, relativePath: doc.relativePath, mode: mode.get() }),
          },
        ],
      };
      return review;
    },
    reviewChanges: async () => ({
      outcome: { result: emptyResult(), mode: mode.get(), notes: [], personaName: 'P', kind: 'changes' },
      files: [],
    }),
    applyAllFixes: async () => ({ applied: 2, skipped: 1, files: 1 }),
    model,
    signal: new AbortController().signal,
    ...overrides,
  };
  return { deps, mode, model, reviewed, notes, out: new RecordingOutput() };
}

describe('vscode/chatHandler', () => {
  describe('keeps secrets out of what the model receives', () => {
    // Assembled at run time so the repository holds no scannable literal.
    const secret = 'hunter2-' + 'prod';
    const secretDoc: DocumentSnapshot = {
      uri: 'file:///w/a.ts',
      relativePath: 'a.ts',
      text: `const password = "${secret}";\n`,
      language: 'typescript',
      selection: { startLine: 1, endLine: 1, text: `const password = "${secret}";` },
    };
    const sent = (model: FakeChatProvider): string =>
      model.requests.map((r) => r.messages.map((m) => m.content).join('\n')).join('\n');

    it('/explain of a selection', async () => {
      const { deps, model, out } = setup({ activeDocument: () => secretDoc });
      await handleChat({ command: 'explain', prompt: '', history: [] }, deps, out);
      assert.ok(!sent(model).includes(secret), sent(model));
      assert.match(sent(model), /const password = "‹redacted:value-of-password›";/);
    });

    it('a question with a selection, and pasted code in the question and in earlier turns', async () => {
      const { deps, model, out } = setup({ activeDocument: () => secretDoc });
      const history = [
        { role: 'user' as const, text: `why does db_password = "${secret}" fail?` },
        { role: 'assistant' as const, text: 'Because…' },
      ];
      await handleChat({ prompt: `is this safe? apiKey = "${secret}"`, history }, deps, out);
      assert.equal(model.requests.length, 1);
      assert.ok(!sent(model).includes(secret), sent(model));
    });

    it('the selection of a config file is read as that file', async () => {
      const envDoc: DocumentSnapshot = {
        ...secretDoc,
        relativePath: '.env',
        selection: { startLine: 1, endLine: 1, text: `DB_PASSWORD=${secret}` },
      };
      const { deps, model, out } = setup({ activeDocument: () => envDoc });
      await handleChat({ command: 'explain', prompt: '', history: [] }, deps, out);
      assert.ok(!sent(model).includes(secret), sent(model));
    });
  });

  it('/review reviews the active editor and writes every finding into one Markdown part with links', async () => {
    const { deps, out, reviewed } = setup();
    const meta = await handleChat({ command: 'review', prompt: '', history: [] }, deps, out);
    assert.deepEqual(
      reviewed[0].map((d) => d.relativePath),
      ['src/orders.ts'],
    );
    assert.deepEqual(meta, { command: 'review', mode: 'pragmatic', findings: 2, fixable: 1 });
    assert.match(out.text(), /Pragmatic review\*\* with Pragmatic Reviewer: 2 findings/);
    assert.match(out.text(), /\*\*high\*\* · No timeout/);
    // One part holds the whole list: the chat view collapses progress steps and separate parts.
    const parts = out.parts.filter((p) => p.kind !== 'button');
    assert.deepEqual(
      parts.map((p) => p.kind),
      ['markdown'],
    );
    const list = parts[0].value as string;
    assert.ok(list.includes(`[src/orders.ts:2](${doc.uri}#L2)`), list);
    assert.match(list, /1\. \*\*high\*\* · No timeout/);
    assert.match(list, /2\. \*\*/);
    assert.match(list, new RegExp(`\\[Apply fix\\]\\(command:${COMMANDS.applyFix.replace('.', '\\.')}\\?`));
    assert.deepEqual(out.buttons(), ['workbench.actions.view.problems']);
  });

  it('/review lists what the model left out as overkill, with why, as plain text', async () => {
    const base = setup();
    const { deps, out } = setup({
      reviewDocuments: async (documents, signal, note) => {
        const review = await base.deps.reviewDocuments(documents, signal, note);
        review.outcome.result.overkill = [
          {
            file: 'src/orders.ts',
            title: 'Retries with jitter on the rate lookup',
            reason: 'a failed lookup is [retried](command:x) on the next request',
          },
        ];
        return review;
      },
    });
    await handleChat({ command: 'review', prompt: '', history: [] }, deps, out);
    const text = out.text();
    // Counted in the outcome line, listed once below it (the titles were in both before).
    assert.match(text, /1 idea left out as overkill here \(listed below\)/);
    assert.equal(text.split('Retries with jitter').length - 1, 1, text);
    assert.match(
      text,
      /\nLeft out as overkill here:\n- Retries with jitter on the rate lookup — a failed lookup is \\\[retried\\\]\(command:x\) on the next request \(src\/orders\.ts\)/,
    );
  });

  it('/review writes the outcome line as plain text: a skipped file name cannot make a link or markup', async () => {
    const base = setup();
    const { deps, out } = setup({
      reviewDocuments: async (documents, signal, note) => {
        const review = await base.deps.reviewDocuments(documents, signal, note);
        review.outcome.result.skipped = [{ file: 'src/[docs](https://example.org/x).ts', reason: 'binary file' }];
        return review;
      },
    });
    await handleChat({ command: 'review', prompt: '', history: [] }, deps, out);
    const text = out.text();
    assert.match(text, /1 part skipped \(src\/\\\[docs\\\]\(https:\/\/example\.org\/x\)\.ts: binary file\)/);
    assert.doesNotMatch(text, /[^\\]\[docs\]\(/);
  });

  it('/review prefers #file references over the active editor', async () => {
    const other = { ...doc, uri: 'file:///w/src/users.ts', relativePath: 'src/users.ts' };
    const { deps, out, reviewed } = setup({ referencedDocuments: async () => [other] });
    await handleChat({ command: 'review', prompt: '', history: [] }, deps, out);
    assert.deepEqual(
      reviewed[0].map((d) => d.relativePath),
      ['src/users.ts'],
    );
  });

  it('/review without any document explains what to do', async () => {
    const { deps, out } = setup({ activeDocument: () => undefined });
    const meta = await handleChat({ command: 'review', prompt: '', history: [] }, deps, out);
    assert.equal(meta.error, 'no document');
    assert.match(out.text(), /#file/);
  });

  it('/diff with no changes says so', async () => {
    const { deps, out } = setup();
    const meta = await handleChat({ command: 'diff', prompt: '', history: [] }, deps, out);
    assert.equal(meta.findings, 0);
    assert.match(out.text(), /No uncommitted changes/);
  });

  it('/mode switches to the named mode, toggles without one, rejects unknown words', async () => {
    const { deps, out, mode } = setup();
    assert.equal(
      (await handleChat({ command: 'mode', prompt: 'BackendPE', history: [] }, deps, out)).mode,
      'backendpe',
    );
    assert.equal(mode.get(), 'backendpe');
    await handleChat({ command: 'mode', prompt: '', history: [] }, deps, out);
    assert.equal(mode.get(), 'pragmatic');
    const bad = await handleChat({ command: 'mode', prompt: 'turbo', history: [] }, deps, out);
    assert.equal(bad.error, 'unknown mode');
    assert.equal(mode.get(), 'pragmatic');
  });

  it('switches mode when asked in words, and answers only when there is more to answer', async () => {
    const { deps, out, mode, model } = setup();
    const meta = await handleChat({ prompt: 'Supermode please', history: [] }, deps, out);
    assert.equal(mode.get(), 'backendpe');
    assert.equal(meta.command, 'mode');
    assert.equal(model.requests.length, 0);
    assert.match(out.text(), /Switched to \*\*BackendPE\*\* mode/);
    const again = new RecordingOutput();
    await handleChat({ prompt: 'Supermode please', history: [] }, deps, again);
    assert.match(again.text(), /Already in \*\*BackendPE\*\* mode/);
    await mode.set('pragmatic');
    await handleChat(
      { prompt: 'Supermode: how should I design an idempotent payment webhook consumer?', history: [] },
      deps,
      out,
    );
    assert.equal(mode.get(), 'backendpe');
    assert.equal(model.requests.length, 1);
    assert.ok(
      model.requests[0].messages[0].content.includes(ANSWER_SHAPES.backendpe),
      'BackendPE answer shape in the system prompt',
    );
  });

  it('answers questions in the active persona and mode, streaming, with history as context', async () => {
    const { deps, out, model } = setup();
    const meta = await handleChat(
      {
        prompt: 'Should I add a cache here?',
        history: [
          { role: 'user', text: 'earlier q' },
          { role: 'assistant', text: 'earlier a' },
        ],
      },
      deps,
      out,
    );
    assert.equal(meta.command, 'ask');
    const [system, ...rest] = model.requests[0].messages;
    assert.match(system.content, /^PERSONA pragmatic/);
    assert.ok(system.content.includes(ANSWER_SHAPES.pragmatic));
    assert.deepEqual(
      rest.map((m) => m.role),
      ['user', 'assistant', 'user'],
    );
    assert.equal(out.text(), 'Answer streamed.');
  });

  it('/explain uses the finding text, or the selection, else says what to do', async () => {
    const { deps, out, model } = setup();
    await handleChat(
      { command: 'explain', prompt: 'No timeout [review/reliability, high] at src/orders.ts:2', history: [] },
      deps,
      out,
    );
    assert.match(model.requests[0].messages.at(-1)!.content, /No timeout \[review\/reliability/);
    const withSelection = setup({
      activeDocument: () => ({ ...doc, selection: { startLine: 2, endLine: 2, text: 'await fetch(u)' } }),
    });
    await handleChat({ command: 'explain', prompt: '', history: [] }, withSelection.deps, withSelection.out);
    assert.match(withSelection.model.requests[0].messages.at(-1)!.content, /lines 2-2[\s\S]*await fetch\(u\)/);
    // Nothing selected: the active file is what is explained.
    const whole = setup();
    await handleChat({ command: 'explain', prompt: '', history: [] }, whole.deps, whole.out);
    assert.match(
      whole.model.requests[0].messages.at(-1)!.content,
      /Explain the code of src\/orders\.ts[\s\S]*fetch\(u\)/,
    );
    const nothing = setup({ activeDocument: () => undefined });
    const meta = await handleChat({ command: 'explain', prompt: '', history: [] }, nothing.deps, nothing.out);
    assert.equal(meta.error, 'nothing to explain');
  });

  it('the chat system prompt carries the mode rubric after the persona', async () => {
    for (const mode of ['pragmatic', 'backendpe'] as const) {
      const { deps, out, model, mode: state } = setup();
      await state.set(mode);
      await handleChat({ prompt: 'Is this retry loop safe?', history: [] }, deps, out);
      const system = model.requests[0].messages[0].content;
      const rubric = modeRubric(mode).trim();
      assert.ok(system.includes(rubric), `${mode} rubric in the system prompt`);
      assert.ok(system.indexOf(`PERSONA ${mode}`) < system.indexOf(rubric));
    }
  });

  it("/review gives the words after it to the review as the user's note (redacted), and none when there are none", async () => {
    const { deps, out, notes } = setup();
    await handleChat(
      {
        command: 'review',
        prompt: 'focus on the retry logic; key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789',
        history: [],
      },
      deps,
      out,
    );
    await handleChat({ command: 'review', prompt: '  ', history: [] }, deps, out);
    assert.match(notes[0] ?? '', /^focus on the retry logic; key /);
    assert.doesNotMatch(notes[0] ?? '', /abcdefghijklmnopqrstuvwxyz0123456789/);
    assert.equal(notes[1], undefined);
    assert.doesNotMatch(out.text(), /was not used/);
  });

  it('a question with nothing selected sends the active file, redacted and bounded', async () => {
    const secretDoc = { ...doc, text: 'const password = "hunter2-very-secret";\nconst r = await fetch(u);\n' };
    const { deps, out, model } = setup({ activeDocument: () => secretDoc });
    await handleChat({ prompt: 'Does this need a timeout?', history: [] }, deps, out);
    const user = model.requests[0].messages.at(-1)!.content;
    assert.match(user, /The file open in the editor, src\/orders\.ts \(nothing is selected; the whole file/);
    assert.match(user, /await fetch\(u\)/);
    assert.doesNotMatch(user, /hunter2/);
    const big = { ...doc, text: Array.from({ length: 5000 }, (_, i) => `const line${i} = ${i};`).join('\n') };
    const large = setup({ activeDocument: () => big });
    await handleChat({ prompt: 'What does this do?', history: [] }, large.deps, large.out);
    const sent = large.model.requests[0].messages.at(-1)!.content;
    assert.ok(sent.length < MAX_ACTIVE_FILE_CHARS + 1000, `${sent.length} characters`);
    assert.match(sent, /its first \d+ lines of 5000/);
  });

  it('/personas lists what is loaded and from where', async () => {
    const { deps, out } = setup();
    await handleChat({ command: 'personas', prompt: '', history: [] }, deps, out);
    assert.match(
      out.text(),
      /`backendpe` — backendpe persona \(workspace, skill · mode BackendPE\): \/w\/\.github\/skills\/backendpe\/SKILL\.md/,
    );
    assert.match(out.text(), /Current mode: \*\*Pragmatic\*\*/);
  });

  it('applies all fixes when asked (the follow-up prompt)', async () => {
    const { deps, out } = setup();
    await handleChat({ prompt: APPLY_ALL_PROMPT, history: [] }, deps, out);
    assert.match(out.text(), /Applied 2 fixes in 1 file; 1 left out/);
  });

  it('shows errors in the chat instead of throwing', async () => {
    const { deps, out } = setup({
      reviewDocuments: async () => {
        throw new Error('The language model "GPT" is not available any more.');
      },
    });
    const meta = await handleChat({ command: 'review', prompt: '', history: [] }, deps, out);
    assert.match(meta.error!, /not available/);
    assert.match(out.text(), /could not finish:\*\* The language model "GPT" is not available/);
    assert.deepEqual(out.buttons(), [COMMANDS.showLog]);
  });

  it('reports a cancelled request briefly', async () => {
    const controller = new AbortController();
    controller.abort();
    const { deps, out } = setup({
      signal: controller.signal,
      reviewChanges: async () => {
        throw new Error('aborted');
      },
    });
    const meta = await handleChat({ command: 'diff', prompt: '', history: [] }, deps, out);
    assert.equal(meta.error, 'Cancelled.');
    assert.deepEqual(out.buttons(), []);
  });

  it('suggests the next step', () => {
    assert.deepEqual(
      followupsFor({ command: 'review', mode: 'pragmatic', findings: 3, fixable: 2 }).map((f) => f.label),
      ['Apply all 2 suggested fixes', 'Review the uncommitted changes', 'Switch to BackendPE mode'],
    );
    assert.deepEqual(
      followupsFor({ command: 'diff', mode: 'backendpe' }).map((f) => f.command),
      ['review', 'mode'],
    );
    assert.deepEqual(followupsFor({ command: 'ask', mode: 'pragmatic', error: 'x' }), []);
  });

  it('history keeps the file:line of earlier findings and drops URIs and command links', () => {
    const answer = [
      '1. **high** · No timeout — [src/orders.ts:2](file:///w/src/orders.ts#L2) · [Apply fix](command:backendReviewer.applyFix?%5B%22x%22%5D)',
      '2. **low** · Magic [number] — [src/a\\[1\\].ts:7](vscode-remote://ssh/w/src/a.ts#L7)',
      'See [the docs](https://example.com/x).',
    ].join('\n');
    assert.equal(
      compactAnswer(answer),
      [
        '1. **high** · No timeout — src/orders.ts:2',
        '2. **low** · Magic [number] — src/a[1].ts:7',
        'See [the docs](https://example.com/x).',
      ].join('\n'),
    );
    const [turn] = historyMessages([{ role: 'assistant', text: answer }]);
    assert.match(turn.content, /No timeout — src\/orders\.ts:2/);
    // A long answer is cut, not dropped: its first findings' locations stay.
    const long = historyMessages([{ role: 'assistant', text: `${answer}\n${'x'.repeat(500)}` }], 200);
    assert.equal(long.length, 1);
    assert.match(long[0].content, /src\/orders\.ts:2/);
  });

  it('keeps the most recent history within the budget', () => {
    const history = [
      { role: 'user' as const, text: 'a'.repeat(50) },
      { role: 'assistant' as const, text: 'b'.repeat(50) },
      { role: 'user' as const, text: 'c'.repeat(50) },
    ];
    assert.deepEqual(
      historyMessages(history, 120).map((m) => m.content[0]),
      ['b', 'c'],
    );
  });
});
