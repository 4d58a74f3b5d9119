import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCliCaptured } from '../../support/runCliCaptured';
import { findingsAnswer, modelFinding, startModelServer, type ModelServer } from '../../support/modelServer';

/**
 * --verify end to end on a diff review: the verification request carries what the review request
 * carried (the language, the changed lines, the related context), and a rejection may rest on the
 * context shown, not on code nobody was shown.
 */
function git(cwd: string, args: string[]): void {
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
  });
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

const limits = [
  'export function clampLimit(limit: number): number {',
  '  if (!Number.isInteger(limit) || limit < 1) return 50;',
  '  return Math.min(limit, 500);',
  '}',
  '',
].join('\n');

const before = [
  "import { clampLimit } from './limits';",
  '',
  'export async function page(db: Db, limit: number) {',
  "  return db.query('SELECT * FROM orders LIMIT 50');",
  '}',
  '',
].join('\n');

const after = [
  "import { clampLimit } from './limits';",
  '',
  'export async function page(db: Db, limit: number) {',
  "  return db.query('SELECT * FROM orders LIMIT $1', [clampLimit(limit)]);",
  '}',
  '',
].join('\n');

interface Report {
  findings: { title: string }[];
  stats: { withheld: { verifyRejected?: number; verifyUnsupported?: number } };
}

describe('review --verify: what the verifier is shown', function () {
  this.timeout(30_000);
  let server: ModelServer;
  afterEach(async () => server.close());

  async function review(evidence: string): Promise<{ code: number; report: Report; verify: string }> {
    server = await startModelServer({
      handler: (request) =>
        request.system.startsWith('# Task: verify')
          ? {
              text: JSON.stringify({
                verdicts: [{ id: 0, verdict: 'rejected', severity: 'high', reason: 'The limit is clamped.', evidence }],
              }),
            }
          : findingsAnswer([
              modelFinding({
                title: 'Unbounded page size: the caller picks any limit',
                severity: 'high',
                category: 'performance',
                startLine: 4,
                endLine: 4,
                quote: "return db.query('SELECT * FROM orders LIMIT $1', [clampLimit(limit)]);",
                confidence: 0.8,
              }),
            ]),
    });
    const root = mkdtempSync(join(tmpdir(), 'review-verify-'));
    git(root, ['init', '-q']);
    write(root, { 'src/limits.ts': limits, 'src/orders.ts': before });
    git(root, ['add', '.']);
    git(root, ['commit', '-q', '-m', 'base']);
    write(root, { 'src/orders.ts': after });
    git(root, ['commit', '-q', '-am', 'Orders take a page size']);
    const run = await runCliCaptured(
      ['review', '--diff', 'HEAD~1', '--verify', '--format', 'json', '--no-cache', '--no-dismissals'],
      { cwd: root, env: { BACKEND_REVIEW_MODEL: 'test-model', OPENAI_BASE_URL: server.url } },
    );
    const verify = server.chatRequests().find((r) => r.system.startsWith('# Task: verify'));
    assert.ok(verify, 'a verification request was sent');
    return { code: run.code, report: JSON.parse(run.stdout) as Report, verify: verify.user };
  }

  it('carries the language, the changed lines and the related context the review request carried', async () => {
    const { verify } = await review('');
    assert.match(verify, /^Language: typescript$/m);
    assert.match(verify, /lines 4 were added or modified/);
    assert.match(verify, /Context, NOT under review/);
    assert.match(verify, /export function clampLimit\(limit: number\): number \{/);
    assert.match(verify, /Orders take a page size/);
    const review1 = server.chatRequests().find((r) => !r.system.startsWith('# Task: verify'));
    assert.match(review1?.user ?? '', /export function clampLimit\(limit: number\): number \{/);
  });

  it('a rejection citing the context shown withholds the finding; one citing code nobody was shown keeps it', async () => {
    const cited = await review('return Math.min(limit, 500);');
    assert.equal(cited.code, 0);
    assert.deepEqual(cited.report.findings, []);
    assert.equal(cited.report.stats.withheld.verifyRejected, 1);
    await server.close();
    const invented = await review('if (limit > 500) throw new RangeError()');
    assert.deepEqual(
      invented.report.findings.map((f) => f.title),
      ['Unbounded page size: the caller picks any limit'],
    );
    assert.equal(invented.report.stats.withheld.verifyUnsupported, 1);
  });
});
