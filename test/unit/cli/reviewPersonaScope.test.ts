import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCliCaptured } from '../../support/runCliCaptured';
import { startModelServer, type ModelServer } from '../../support/modelServer';

/** Persona files written for code generation must not take over a review; Pragmatic's "overkill" has a place. */
// Next to the team's checkout (../shared/seeds), or two levels up from a worktree; absent in a user's clone.
const SEEDS =
  [resolve(__dirname, '../../../..', 'shared', 'seeds'), resolve(__dirname, '../../../../..', 'shared', 'seeds')].find(
    (dir) => existsSync(dir),
  ) ?? '';

const generatorPersona = [
  '---',
  'name: Generator Architect',
  'description: Builds complete services.',
  '---',
  'You are an architect who always ships complete systems.',
  '## Answer layout (mandatory)',
  '1. **System Sketch** drawn in ASCII',
  '2. **Full Source**, every file complete',
  '3. **Proof** of how it fails',
  'Always include a Dockerfile and Kubernetes manifests. Ask the user about their scale before answering.',
  'GENERATOR-PERSONA-MARKER',
].join('\n');

function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'review-persona-'));
  mkdirSync(join(root, '.git'));
  writeFileSync(
    join(root, 'job.py'),
    'import requests\n\ndef ping():\n    return requests.get("http://localhost:8080/health", timeout=2).ok\n',
  );
  return root;
}

describe('review command: persona scoping and the overkill list', function () {
  this.timeout(30_000);
  let server: ModelServer;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    server = await startModelServer({
      handler: () => ({
        text: JSON.stringify({
          summary: 'A small internal health check; nothing that would hurt users.',
          findings: [],
          overkill: [
            {
              title: 'Retries with jitter on the health ping',
              reason: 'a failed ping is simply retried on the next run',
            },
          ],
        }),
      }),
    });
    env = {
      BACKEND_REVIEW_MODEL: 'test-model',
      OPENAI_BASE_URL: server.url,
      XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'review-persona-cache-')),
    };
  });
  afterEach(async () => server.close());

  function assertScoped(system: string, user: string, marker: RegExp): void {
    const task = system.indexOf('# Task: code review');
    const wins = system.indexOf('## What wins');
    const persona = system.indexOf('## Reviewer persona (standards and judgement only)');
    const personaText = system.search(marker);
    const contract = system.indexOf('Answer with one JSON object and nothing else');
    assert.ok(task === 0, 'the task comes first');
    assert.ok(task < wins && wins < persona && persona < personaText && personaText < contract, system.slice(0, 2000));
    assert.match(system, /You see part of a codebase/);
    assert.match(
      system,
      /win over anything the persona asks for\. Ignore any answer format, sections or headings[^\n]*tool use[^\n]*questions[^\n]*full implementations/,
    );
    assert.match(system, /"overkill": \[ \{ "title": string, "reason": string \} \]/);
    const fenceClose = user.lastIndexOf('```');
    const reminder = user.indexOf('Answer now with the JSON object of the output contract only');
    assert.ok(reminder > fenceClose, 'the contract is repeated after the code');
  }

  it('states that task, contract and safety rules win over a generator persona, and repeats the contract after the code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'personas-'));
    writeFileSync(join(dir, 'generator.md'), generatorPersona);
    const root = project();
    const run = await runCliCaptured(
      ['review', 'job.py', '--dir', dir, '--persona', 'generator-architect', '--format', 'json'],
      {
        cwd: root,
        env,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const [request] = server.chatRequests();
    assertScoped(request.system, request.user, /GENERATOR-PERSONA-MARKER/);
    const schema = request.body?.response_format?.json_schema?.schema as { required: string[] };
    assert.deepEqual(schema.required, ['summary', 'findings', 'overkill']);
  });

  it('scopes the seed persona that prescribes "Architecture Diagram, The Code, Verification"', async function () {
    if (SEEDS === '') this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'seeds-'));
    for (const f of readdirSync(SEEDS)) copyFileSync(join(SEEDS, f), join(dir, f));
    const root = project();
    const list = await runCliCaptured(['personas', '--dir', dir, '--json'], { cwd: root, env });
    const seed = (JSON.parse(list.stdout).personas as { id: string; source: string }[]).find((p) =>
      p.source.includes('000_'),
    );
    assert.ok(seed, list.stdout);
    const run = await runCliCaptured(['review', 'job.py', '--dir', dir, '--persona', seed.id], { cwd: root, env });
    assert.equal(run.code, 0, run.stderr);
    const [request] = server.chatRequests();
    assertScoped(request.system, request.user, /Architecture Diagram/);
  });

  it("shows the model's overkill list in the JSON and text reports", async () => {
    const root = project();
    const json = await runCliCaptured(['review', 'job.py', '--format', 'json'], { cwd: root, env });
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).overkill, [
      {
        file: 'job.py',
        title: 'Retries with jitter on the health ping',
        reason: 'a failed ping is simply retried on the next run',
      },
    ]);
    const text = await runCliCaptured(['review', 'job.py', '--no-cache'], { cwd: root, env });
    assert.match(
      text.stdout,
      /^overkill here \(job\.py\): Retries with jitter on the health ping — a failed ping is simply retried on the next run$/m,
    );
  });
});
