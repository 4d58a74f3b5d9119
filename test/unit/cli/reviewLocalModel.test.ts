import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliCaptured } from '../../support/runCliCaptured';
import { findingsAnswer, startModelServer, type ModelServer } from '../../support/modelServer';

/** Local models: the input budget and temperature as flags, and a warning when the server cut the prompt. */
function project(lines: number): string {
  const root = mkdtempSync(join(tmpdir(), 'review-local-'));
  mkdirSync(join(root, '.git'));
  const body = Array.from({ length: lines }, (_, i) => `export const setting${i} = readSetting('key-${i}', ${i});`);
  writeFileSync(join(root, 'settings.ts'), body.join('\n') + '\n');
  return root;
}

describe('review command: local model settings', function () {
  this.timeout(30_000);
  let server: ModelServer;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    server = await startModelServer({ handler: () => findingsAnswer([]) });
    env = {
      BACKEND_REVIEW_MODEL: 'test-model',
      OPENAI_BASE_URL: server.url,
      XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'review-local-cache-')),
    };
  });
  afterEach(async () => server.close());

  it('sends temperature only when --temperature is given', async () => {
    const root = project(10);
    assert.equal((await runCliCaptured(['review', 'settings.ts', '--no-cache'], { cwd: root, env })).code, 0);
    assert.equal('temperature' in (server.chatRequests()[0].body ?? {}), false);
    const run = await runCliCaptured(['review', 'settings.ts', '--no-cache', '--temperature', '0.1'], {
      cwd: root,
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(server.chatRequests()[1].body?.temperature, 0.1);
    const bad = await runCliCaptured(['review', 'settings.ts', '--temperature', 'hot'], { cwd: root, env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--temperature "hot" is not a number from 0 to 2/);
  });

  it('--max-input-tokens splits a file into requests that each fit it', async () => {
    const root = project(400);
    const run = await runCliCaptured(['review', 'settings.ts', '--no-cache', '--max-input-tokens', '4000'], {
      cwd: root,
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    const requests = server.chatRequests();
    assert.ok(requests.length >= 3, `expected several parts, got ${requests.length}`);
    for (const request of requests) {
      const characters = JSON.stringify(request.body?.messages ?? []).length;
      assert.ok(characters / 4 <= 4000 * 1.1, `a request of about ${characters / 4} tokens exceeds the budget`);
    }
  });

  it('warns when the server reports far fewer prompt tokens than were sent (a cut prompt)', async () => {
    server.setHandler(() => ({ ...findingsAnswer([]), usage: { prompt_tokens: 512, completion_tokens: 10 } }));
    const root = project(300);
    const run = await runCliCaptured(['review', 'settings.ts', '--no-cache'], { cwd: root, env });
    assert.equal(run.code, 0, run.stderr);
    const warnings = run.stderr.split('\n').filter((l) => /counted 512 prompt tokens for a prompt of about/.test(l));
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(warnings[0], /Raise the server's context length .* or lower maxInputTokens \(--max-input-tokens/);

    server.setHandler(() => findingsAnswer([]));
    const honest = await runCliCaptured(['review', 'settings.ts', '--no-cache'], { cwd: root, env });
    assert.doesNotMatch(honest.stderr, /prompt tokens for a prompt of about/, 'an estimate-sized usage is no warning');
  });

  it('counts the cut requests in the JSON report and says so in its notes', async () => {
    // Every request is cut: the report says how many of how many, with the way out.
    server.setHandler(() => ({ ...findingsAnswer([]), usage: { prompt_tokens: 300, completion_tokens: 10 } }));
    const root = project(600);
    const run = await runCliCaptured(
      ['review', 'settings.ts', '--no-cache', '--max-input-tokens', '6000', '--format', 'json'],
      { cwd: root, env },
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { notes: string[]; stats: { requests: number; promptCut?: number } };
    assert.ok(report.stats.requests >= 2, `expected several requests, got ${report.stats.requests}`);
    assert.equal(report.stats.promptCut, report.stats.requests);
    const note = report.notes.find((n) => /cut the prompt/.test(n));
    assert.match(
      note ?? '',
      new RegExp(
        `^the model server cut the prompt of ${report.stats.requests} requests to fit its context window \\(it counted 300 tokens of about \\d+ sent\\): those parts were reviewed without the review's instructions\\. Raise the server's context length`,
      ),
    );

    server.setHandler(() => findingsAnswer([]));
    const honest = await runCliCaptured(['review', 'settings.ts', '--no-cache', '--format', 'json'], {
      cwd: root,
      env,
    });
    const clean = JSON.parse(honest.stdout) as { notes: string[]; stats: { promptCut?: number } };
    assert.equal(clean.stats.promptCut, undefined);
    assert.ok(!clean.notes.some((n) => /cut the prompt/.test(n)));
  });
});
