import * as assert from 'node:assert/strict';
import { InMemoryLogger } from '../../../support/inMemoryLogger';
import type { ReviewOptions } from '../../../../src/core/review/types';
import {
  formatConvergence,
  formatOutcome,
  ReviewService,
  type ReviewSetup,
} from '../../../../src/vscode/common/reviewService';
import type { ChatProvider } from '../../../../src/core/providers/provider';
import { InMemoryReviewCache } from '../../../support/inMemoryReviewCache';
import { ReviewCancelledError } from '../../../../src/core/review/errors';
import { UNTRUSTED_NOTE } from '../../../../src/vscode/common/reviewNotes';
import { emptyResult } from '../fakes';

const prepared: ReviewSetup = {
  persona: { id: 'pragmatic', name: 'Pragmatic Reviewer', mode: 'pragmatic', text: 'P', warnings: [] },
  personaName: 'Pragmatic Reviewer',
  mode: 'pragmatic',
  notes: [{ kind: 'untrusted' }],
};

const unit = { path: 'src/a.ts', text: 'const a = 1;\n' };

/** An engine whose reviews finish only when released (or fail when their signal aborts). */
function gatedEngine() {
  const started: ReviewOptions[] = [];
  const release: (() => void)[] = [];
  return {
    started,
    release,
    runReview: (options: ReviewOptions) => {
      started.push(options);
      return new Promise<ReturnType<typeof emptyResult>>((resolve, reject) => {
        options.signal?.addEventListener('abort', () => reject(new Error('aborted')));
        release.push(() =>
          resolve(emptyResult({ skipped: [{ file: 'src/a.ts', reason: 'too big' }], notes: ['engine note'] })),
        );
      });
    },
  };
}

async function tick(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('vscode/reviewService', () => {
  it('a second review of the same key cancels the first', async () => {
    const engine = gatedEngine();
    const service = new ReviewService(engine, async () => prepared, new InMemoryLogger());
    const first = service.review({ key: 'file:///a.ts', kind: 'file', units: [unit] }).then(
      () => 'finished',
      (error: unknown) => error,
    );
    await tick();
    const second = service.review({ key: 'file:///a.ts', kind: 'file', units: [unit] });
    await tick();
    assert.ok((await first) instanceof ReviewCancelledError);
    engine.release[1]();
    const outcome = await second;
    assert.equal(outcome.mode, 'pragmatic');
    assert.deepEqual(service.inFlight(), []);
  });

  it('reviews of different keys run side by side', async () => {
    const engine = gatedEngine();
    const service = new ReviewService(engine, async () => prepared, new InMemoryLogger());
    const a = service.review({ key: 'a', kind: 'file', units: [unit] });
    const b = service.review({ key: 'b', kind: 'file', units: [unit] });
    await tick();
    assert.deepEqual(service.inFlight().sort(), ['a', 'b']);
    engine.release.forEach((release) => release());
    await Promise.all([a, b]);
  });

  it('merges skipped parts found before the engine and notes from preparation', async () => {
    const engine = gatedEngine();
    const service = new ReviewService(engine, async () => prepared, new InMemoryLogger());
    const pending = service.review({
      key: 'k',
      kind: 'changes',
      units: [unit],
      skipped: [{ file: 'img.png', reason: 'binary' }],
    });
    await tick();
    engine.release[0]();
    const { result, notes, personaName, kind } = await pending;
    assert.deepEqual(
      result.skipped.map((s) => s.file),
      ['img.png', 'src/a.ts'],
    );
    assert.deepEqual(result.notes, [UNTRUSTED_NOTE, 'engine note']);
    assert.deepEqual(notes, [{ kind: 'untrusted' }], 'the outcome keeps the typed notes');
    assert.equal(personaName, 'Pragmatic Reviewer');
    assert.equal(kind, 'changes');
    assert.equal(engine.started[0].mode, 'pragmatic');
    assert.ok(engine.started[0].signal, 'the engine gets a signal');
  });

  it('cancels through the caller signal', async () => {
    const engine = gatedEngine();
    const service = new ReviewService(engine, async () => prepared, new InMemoryLogger());
    const controller = new AbortController();
    const pending = service.review({ key: 'k', kind: 'file', units: [unit], signal: controller.signal });
    await tick();
    controller.abort();
    await assert.rejects(pending, ReviewCancelledError);
  });

  it('passes preparation errors through', async () => {
    const service = new ReviewService(
      gatedEngine(),
      async () => {
        throw new Error('No persona is loaded for mode "pragmatic".');
      },
      new InMemoryLogger(),
    );
    await assert.rejects(service.review({ key: 'k', kind: 'file', units: [unit] }), /No persona is loaded/);
  });

  it('formats the outcome: findings, skipped parts with reasons, tokens', () => {
    const text = formatOutcome(
      emptyResult({
        findings: [{} as never, {} as never],
        skipped: [
          { file: 'a.ts', startLine: 1, endLine: 40, reason: 'over the token budget' },
          { file: 'b.png', reason: 'binary' },
        ],
        stats: { requests: 2, cachedChunks: 1, promptTokens: 1200, completionTokens: 34, durationMs: 1 },
      }),
    );
    assert.equal(
      text,
      '2 findings · 2 parts skipped (a.ts:1-40: over the token budget; b.png: binary) · 1,234 tokens (1,200 in, 34 out), 1 chunk from cache',
    );
    assert.equal(formatOutcome(emptyResult()), '0 findings · 120 tokens (100 in, 20 out)');
    assert.equal(
      formatOutcome(emptyResult({ findings: [{} as never, {} as never, {} as never] }), 1),
      '2 findings (1 more dismissed, not shown) · 120 tokens (100 in, 20 out)',
      'a dismissed finding is not counted as a finding',
    );
  });

  it('says how many model findings the gate withheld and what was left out as overkill', () => {
    const withheld = {
      unanchored: 1,
      lowConfidence: 2,
      overCap: 1,
      grouped: 4,
      offlineDuplicates: 3,
      fixesDropped: 1,
      fixesRepaired: 1,
      ungrounded: 1,
      verifyRejected: 1,
    };
    const stats = { requests: 1, cachedChunks: 0, promptTokens: 100, completionTokens: 20, durationMs: 5, withheld };
    assert.equal(
      formatOutcome(emptyResult({ findings: [{} as never], stats })),
      '1 finding · 6 model findings not shown by the noise gate (the log says why) · 120 tokens (100 in, 20 out)',
      'grouped and merged findings are shown (as related locations, in the offline finding): not counted',
    );
    const overkill = ['Retries with jitter', 'Tracing spans', 'A circuit breaker'].map((title) => ({
      file: 'a.ts',
      title,
      reason: 'not at this scale',
    }));
    assert.equal(
      formatOutcome(emptyResult({ overkill })),
      '0 findings · left out as overkill here: Retries with jitter; Tracing spans; and 1 more · 120 tokens (100 in, 20 out)',
    );
  });

  it('logs each idea left out as overkill with its reason', async () => {
    const logger = new InMemoryLogger();
    const overkill = [{ file: 'a.ts', title: 'Retries with jitter', reason: 'a failed ping is retried next run' }];
    const service = new ReviewService(
      { runReview: async () => emptyResult({ overkill }) },
      async () => prepared,
      logger,
    );
    await service.review({ key: 'k', kind: 'chat', units: [unit] });
    assert.ok(
      logger.messages('info').includes('Overkill here (a.ts): Retries with jitter — a failed ping is retried next run'),
      logger.messages().join('\n'),
    );
  });

  describe('file reviews converge', () => {
    const provider: ChatProvider = {
      id: 'fake:model',
      modelName: 'model',
      maxInputTokens: 10_000,
      countTokens: (text) => text.length,
      complete: () => Promise.reject(new Error('the engine is faked here')),
    };
    const withModel: ReviewSetup = { ...prepared, provider, cache: new InMemoryReviewCache() };
    /** Records what the engine was asked: units, whether a model and a cache were given. */
    function recordingEngine() {
      const calls: { paths: string[]; changed: (number[] | undefined)[]; model: boolean; cache: boolean }[] = [];
      return {
        calls,
        runReview: (options: ReviewOptions) => {
          calls.push({
            paths: options.units.map((u) => u.path),
            changed: options.units.map((u) => u.changedLines),
            model: options.provider !== undefined,
            cache: options.cache !== undefined,
          });
          return Promise.resolve(
            emptyResult({ stats: { ...emptyResult().stats, requests: options.provider ? 1 : 0 } }),
          );
        },
      };
    }

    it('an unchanged file asks no model the second time; an edited one sends its changed lines; fresh sends all', async () => {
      const engine = recordingEngine();
      const service = new ReviewService(engine, async () => withModel, new InMemoryLogger());
      const text = Array.from({ length: 40 }, (_, i) => `const v${i} = ${i};`).join('\n') + '\n';
      const review = (body: string, fresh = false) =>
        service.review({ key: 'file:///a.ts', kind: 'file', units: [{ path: 'src/a.ts', text: body }], fresh });
      await review(text);
      const again = await review(text);
      assert.deepEqual(
        engine.calls.map((c) => c.model),
        [true, false],
        'the second review runs the offline checks only',
      );
      assert.equal(again.convergence?.[0].kind, 'unchanged');
      await review(text.replace('const v20 = 20;', 'const v20 = 21;'));
      assert.deepEqual(engine.calls[2].changed, [[21]]);
      await review(text.replace('const v20 = 20;', 'const v20 = 21;'), true);
      assert.deepEqual(engine.calls[3], { paths: ['src/a.ts'], changed: [undefined], model: true, cache: false });
      // A chat or diff review is never convergent.
      await service.review({ key: 'chat', kind: 'chat', units: [{ path: 'src/a.ts', text }] });
      await service.review({ key: 'chat', kind: 'chat', units: [{ path: 'src/a.ts', text }] });
      assert.deepEqual(
        engine.calls.slice(4).map((c) => [c.model, c.changed[0]]),
        [
          [true, undefined],
          [true, undefined],
        ],
      );
    });

    it('says what a re-review sent, kept and resolved', () => {
      const resolved = { ...emptyFinding(), title: 'No timeout' };
      assert.equal(
        formatConvergence([
          {
            path: 'src/a.ts',
            kind: 'changed',
            sentLines: [{ startLine: 15, endLine: 26 }],
            carried: 2,
            resolved: [resolved],
          },
        ]),
        'only the changed lines sent (15-26), 2 findings on unchanged code kept, 1 finding resolved',
      );
      assert.equal(
        formatConvergence([{ path: 'src/a.ts', kind: 'unchanged', sentLines: [], carried: 1, resolved: [] }]),
        'src/a.ts unchanged since its last review: nothing sent, 1 finding on unchanged code kept',
      );
      assert.equal(
        formatConvergence([
          { path: 'src/a.ts', kind: 'fresh', reason: 'first', sentLines: [], carried: 0, resolved: [] },
        ]),
        '',
      );
    });
  });
});

function emptyFinding() {
  return {
    title: 't',
    severity: 'medium' as const,
    category: 'reliability' as const,
    startLine: 1,
    endLine: 1,
    quote: '',
    message: 'm',
    suggestion: '',
    fix: null,
    confidence: 0.9,
    file: 'src/a.ts',
    ruleId: 'review/reliability',
    origin: 'model' as const,
  };
}
