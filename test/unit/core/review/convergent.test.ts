import { strict as assert } from 'node:assert';
import type { ModelFinding, ReviewFinding } from '../../../../src/core/findings';
import type { RenderedPersona } from '../../../../src/core/personas/types';
import type { ChatProvider, ChatRequest, ChatResponse } from '../../../../src/core/providers/provider';
import {
  changedLinesBetween,
  planConvergence,
  runConvergentReview,
  type ReviewedFile,
} from '../../../../src/core/review/convergent';
import { runReview } from '../../../../src/core/review/engine';
import { lineMapping } from '../../../../src/core/review/lineMapping';
import type { ReviewOptions, ReviewUnit } from '../../../../src/core/review/types';

const persona: RenderedPersona = {
  id: 'pragmatic',
  name: 'Pragmatic reviewer',
  mode: 'pragmatic',
  text: 'PERSONA: you review backend code pragmatically.',
  warnings: [],
};

/** Answers each request with what `reply` returns for its user message; records what was sent. */
class ScriptedProvider implements ChatProvider {
  readonly id = 'scripted:test-model';
  readonly modelName = 'test-model';
  readonly maxInputTokens = 100_000;
  readonly sent: string[] = [];
  constructor(public reply: (user: string) => Partial<ModelFinding>[]) {}
  countTokens(text: string): number {
    return Math.ceil(text.length / 4);
  }
  complete(request: ChatRequest): Promise<ChatResponse> {
    const user = request.messages
      .filter((m) => m.role === 'user')
      .map((m) => m.content)
      .join('\n');
    this.sent.push(user);
    const findings = this.reply(user).map((f) => ({
      title: 't',
      severity: 'medium',
      category: 'reliability',
      startLine: 1,
      endLine: 1,
      quote: '',
      message: 'm',
      suggestion: 's',
      fix: null,
      confidence: 0.9,
      ...f,
    }));
    return Promise.resolve({
      text: JSON.stringify({ summary: 'reviewed', findings }),
      usage: { promptTokens: Math.ceil(user.length / 4), completionTokens: 10 },
      format: 'json_schema',
      truncated: false,
    });
  }
}

/** Three handlers of ~20 lines each; `fetchUser` has no timeout, `listOrders` queries in a loop. */
function service(fetchTimeout = false): string {
  const filler = (name: string): string[] =>
    Array.from({ length: 14 }, (_, i) => `  const ${name}${i} = input.${name}${i} ?? ${i};`);
  return [
    'import { db } from "./db";',
    '',
    'export async function fetchUser(input: Input) {',
    ...filler('u'),
    fetchTimeout
      ? '  const res = await fetch(input.url, { signal: AbortSignal.timeout(2000) });'
      : '  const res = await fetch(input.url);',
    '  return res.json();',
    '}',
    '',
    'export async function listOrders(input: Input) {',
    ...filler('o'),
    '  for (const id of input.ids) await db.query("select * from orders where id = $1", [id]);',
    '  return true;',
    '}',
    '',
    'export function formatTotal(input: Input) {',
    ...filler('t'),
    '  return input.total.toFixed(2);',
    '}',
    '',
  ].join('\n');
}

const FETCH = 'const res = await fetch(input.url);';
const LOOP = 'for (const id of input.ids) await db.query("select * from orders where id = $1", [id]);';
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** The scripted model: reports what it is shown of the two problems. */
function honestModel(text: () => string): (user: string) => Partial<ModelFinding>[] {
  return (user) => {
    const out: Partial<ModelFinding>[] = [];
    if (user.includes(FETCH)) {
      const line = lineOf(text(), FETCH);
      out.push({ title: 'No timeout', category: 'reliability', startLine: line, endLine: line, quote: FETCH });
    }
    if (user.includes(LOOP)) {
      const line = lineOf(text(), LOOP);
      out.push({ title: 'Query in a loop', category: 'performance', startLine: line, endLine: line, quote: LOOP });
    }
    return out;
  };
}

describe('convergent re-review', () => {
  let text = service();
  const provider = new ScriptedProvider(honestModel(() => text));
  const store = new Map<string, ReviewedFile>();
  const options = (unit: ReviewUnit): ReviewOptions => ({ units: [unit], persona, mode: 'pragmatic', provider });
  const review = async (): Promise<Awaited<ReturnType<typeof runConvergentReview>>> => {
    const outcome = await runConvergentReview(
      options({ path: 'src/service.ts', text }),
      (path) => store.get(path),
      runReview,
    );
    for (const file of outcome.reviewed) store.set(file.path, file);
    return outcome;
  };
  const titles = (findings: readonly ReviewFinding[]): string[] =>
    findings.map((f) => `${f.title}@${f.startLine}`).sort();

  beforeEach(() => {
    text = service();
    provider.sent.length = 0;
    store.clear();
  });

  it('sends only the edited function, keeps the finding elsewhere on its moved line and resolves the fixed one', async () => {
    const first = await review();
    assert.equal(provider.sent.length, 1);
    assert.ok(
      provider.sent[0].includes(FETCH) && provider.sent[0].includes(LOOP),
      'the first review sends the whole file',
    );
    assert.deepEqual(titles(first.result.findings), [
      `No timeout@${lineOf(text, FETCH)}`,
      `Query in a loop@${lineOf(text, LOOP)}`,
    ]);
    assert.equal(first.files[0].kind, 'fresh');

    // The fix adds a line to fetchUser, so listOrders moves down by one.
    text = service(true).replace(
      '  return res.json();',
      '  if (!res.ok) throw new Error("upstream");\n  return res.json();',
    );
    const second = await review();
    assert.equal(provider.sent.length, 2);
    const sent = provider.sent[1];
    assert.ok(sent.includes('AbortSignal.timeout(2000)'), 'the edited line is sent');
    assert.ok(!sent.includes(LOOP), 'listOrders, unchanged, is not sent again');
    assert.ok(!sent.includes('toFixed'), 'formatTotal, unchanged, is not sent again');
    assert.equal(second.files[0].kind, 'changed');
    assert.deepEqual(
      second.files[0].resolved.map((f) => f.title),
      ['No timeout'],
    );
    assert.equal(second.files[0].carried, 1);
    assert.deepEqual(titles(second.result.findings), [`Query in a loop@${lineOf(text, LOOP)}`]);
    assert.equal(lineOf(text, LOOP), lineOf(service(), LOOP) + 1, 'the kept finding moved with its line');
    // The edited function is sent whole (context.ts widens a change to its function): here it is a
    // third of the file, so the second request costs about 0.6 of the first.
    assert.ok(
      second.result.stats.promptTokens < first.result.stats.promptTokens * 0.65,
      `${second.result.stats.promptTokens} vs ${first.result.stats.promptTokens} prompt tokens`,
    );

    const third = await review();
    assert.equal(provider.sent.length, 2, 'an unchanged file makes no request');
    assert.equal(third.files[0].kind, 'unchanged');
    assert.deepEqual(titles(third.result.findings), titles(second.result.findings));
    assert.equal(third.result.stats.requests, 0);
  });

  it('keeps a finding the model reports again in edited code (not resolved), once', async () => {
    await review();
    // An edit inside fetchUser that leaves the call without a timeout.
    text = text.replace('  const u12 = input.u12 ?? 12;', '  const u12 = input.u12 ?? 120;');
    const second = await review();
    assert.equal(provider.sent.length, 2);
    assert.ok(provider.sent[1].includes(FETCH), 'the call is within the context of the edited line');
    assert.deepEqual(second.files[0].resolved, []);
    assert.deepEqual(titles(second.result.findings), [
      `No timeout@${lineOf(text, FETCH)}`,
      `Query in a loop@${lineOf(text, LOOP)}`,
    ]);
  });

  it('reviews the whole file again when the persona changed, or most of the file did', async () => {
    await review();
    const changedPersona = await runConvergentReview(
      { ...options({ path: 'src/service.ts', text }), persona: { ...persona, text: 'PERSONA: strict.' } },
      (path) => store.get(path),
      runReview,
    );
    assert.equal(changedPersona.files[0].kind, 'fresh');
    assert.match(changedPersona.files[0].reason ?? '', /persona/);
    assert.ok(provider.sent[1].includes(FETCH) && provider.sent[1].includes(LOOP));

    text = text
      .split('\n')
      .map((line) => (line.includes('??') ? line.replace('??', '||') : line))
      .join('\n');
    const rewritten = await review();
    assert.equal(rewritten.files[0].kind, 'fresh');
    assert.match(rewritten.files[0].reason ?? '', /lines changed/);
  });

  it("keeps an offline finding the model confirmed as it was merged (the model's fix) while its code is unchanged", async () => {
    const line = lineOf(text, FETCH);
    const offline = async (unit: ReviewUnit): Promise<ReviewFinding[]> => {
      const at = lineOf(unit.text, FETCH);
      return at === 0
        ? []
        : [
            {
              title: 'Outbound call without a timeout',
              severity: 'medium',
              category: 'reliability',
              startLine: at,
              endLine: at,
              quote: FETCH,
              message: 'm',
              suggestion: 's',
              fix: null,
              confidence: 1,
              file: unit.path,
              ruleId: 'http-no-timeout',
              origin: 'offline',
            },
          ];
    };
    provider.reply = (user) =>
      honestModel(() => text)(user).map((f) =>
        f.quote === FETCH
          ? {
              ...f,
              fix: {
                startLine: line,
                endLine: line,
                replacement: '  const res = await fetch(input.url, { signal: AbortSignal.timeout(2000) });',
              },
            }
          : f,
      );
    const run = async () => {
      const outcome = await runConvergentReview(
        { ...options({ path: 'src/service.ts', text }), offlineFindings: offline },
        (path) => store.get(path),
        runReview,
      );
      for (const file of outcome.reviewed) store.set(file.path, file);
      return outcome.result.findings.find((f) => f.ruleId === 'http-no-timeout');
    };
    try {
      const merged = await run();
      assert.equal(merged?.confirmedByModel, true);
      assert.ok(merged?.fix, 'the offline finding took the model fix');
      // An edit in formatTotal, far from the call: a re-review of that region only.
      text = text.replace('return input.total.toFixed(2);', 'return input.total.toFixed(3);');
      const kept = await run();
      assert.equal(provider.sent.length, 2);
      assert.ok(!provider.sent[1].includes(FETCH));
      assert.deepEqual([kept?.confirmedByModel, kept?.fix], [true, merged?.fix]);
      const unchanged = await run();
      assert.equal(provider.sent.length, 2);
      assert.deepEqual([unchanged?.confirmedByModel, unchanged?.fix], [true, merged?.fix]);
    } finally {
      provider.reply = honestModel(() => text);
    }
  });

  it('does not remember a review whose request failed', async () => {
    const failing: ChatProvider = {
      ...provider,
      id: provider.id,
      modelName: provider.modelName,
      maxInputTokens: provider.maxInputTokens,
      countTokens: (t) => provider.countTokens(t),
      complete: () =>
        Promise.resolve({
          text: 'not json at all',
          usage: { promptTokens: 1, completionTokens: 1 },
          format: 'json_schema',
          truncated: false,
        }),
    };
    const outcome = await runConvergentReview(
      { ...options({ path: 'src/service.ts', text }), provider: failing },
      () => undefined,
      runReview,
    );
    assert.ok(
      outcome.result.skipped.some((s) => s.failed),
      JSON.stringify(outcome.result.skipped),
    );
    assert.deepEqual(outcome.reviewed, []);
  });
});

describe('changedLinesBetween', () => {
  const changed = (before: string[], after: string[]): number[] =>
    changedLinesBetween(before, after, lineMapping(before, after));

  it('lists inserted and edited lines of the new text', () => {
    assert.deepEqual(changed(['a', 'b', 'c'], ['a', 'B', 'c', 'd']), [2, 4]);
  });

  it('marks the lines on both sides of a deletion', () => {
    assert.deepEqual(changed(['a', 'b', 'c', 'd'], ['a', 'd']), [1, 2]);
    assert.deepEqual(changed(['a', 'b'], ['a']), [1]);
  });

  it('an unchanged text has none; a selection review is never convergent', () => {
    assert.deepEqual(changed(['a', 'b'], ['a', 'b']), []);
    const previous: ReviewedFile = { path: 'x.ts', text: 'a\n', setup: 's', findings: [], summary: '' };
    assert.equal(
      planConvergence(previous, { path: 'x.ts', text: 'a\n', range: { startLine: 1, endLine: 1 } }, 's').kind,
      'fresh',
    );
    assert.equal(planConvergence(previous, { path: 'x.ts', text: 'a\n' }, 's').kind, 'unchanged');
  });
});
