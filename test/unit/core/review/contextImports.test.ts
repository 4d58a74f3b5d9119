import { strict as assert } from 'node:assert';
import { ContextGatherer, type RepositoryFiles } from '../../../../src/core/review/context';
import { previewReviewPrompt, runReview } from '../../../../src/core/review/engine';
import { OpenAICompatibleProvider } from '../../../../src/core/providers/openaiCompatible';
import type { RenderedPersona } from '../../../../src/core/personas/types';
import { findingsAnswer, startModelServer, type ModelServer } from '../../../support/modelServer';

/**
 * Cross-file callees: the definitions the changed lines call are looked up first in the files the
 * reviewed file imports (imports.ts), so a same-named function in a nearer file is not sent instead;
 * a definition over the budget is sent as its signature. What the loopback model server received is
 * what is asserted.
 */

function repository(files: Record<string, string>): RepositoryFiles {
  return { list: async () => Object.keys(files), read: async (file) => files[file] };
}

const persona = { id: 'p', name: 'P', text: 'Review backend code.', warnings: [] } as unknown as RenderedPersona;

/** The related definitions found for a change on `line`, as [name called, file, first line]. */
async function related(
  files: Record<string, string>,
  path: string,
  line: number,
): Promise<[string, string, number, boolean][]> {
  const gatherer = new ContextGatherer({ contextLines: 1, repository: repository(files) });
  const context = await gatherer.forUnit({ path, text: files[path], changedLines: [line] }, []);
  assert.ok(context);
  return context.related.map((r) => [r.calledAs, r.file, r.range.startLine, r.imported]);
}

describe('context: definitions in other files, found from the imports', () => {
  it('TypeScript: a relative import (renamed, written with .js, a folder index) wins over a nearer same-named function', async () => {
    const service = [
      "import { fetchJson as getJson } from '../http/client.js';", // 1
      "import { audit } from '../audit';", // 2
      '', // 3
      'export async function sync(id: string): Promise<void> {', // 4
      '  const data = await getJson(`/orders/${id}`);', // 5
      '  await audit(id, data);', // 6
      '}', // 7
      '',
    ].join('\n');
    const files = {
      'src/orders/service.ts': service,
      // Nearer (same folder), same names, not the ones imported.
      'src/orders/helpers.ts':
        'export function fetchJson(u: string) {\n  return u;\n}\nexport function audit() {\n  return 0;\n}\n',
      'src/http/client.ts': 'export async function fetchJson(url: string) {\n  return fetch(url);\n}\n',
      'src/audit/index.ts':
        '// audit\nexport async function audit(id: string, data: unknown) {\n  console.log(id, data);\n}\n',
    };
    assert.deepEqual(await related(files, 'src/orders/service.ts', 5), [['getJson', 'src/http/client.ts', 1, true]]);
    assert.deepEqual(await related(files, 'src/orders/service.ts', 6), [['audit', 'src/audit/index.ts', 2, true]]);
  });

  it('JavaScript: require of a relative module; an alias for a repository folder (@/x)', async () => {
    const routes = [
      "const { createUser } = require('../services/user.service');", // 1
      "import { paginate } from '@/utils/paginate';", // 2
      '', // 3
      'async function create(req, res) {', // 4
      '  const user = await createUser(req.body);', // 5
      '  res.send(paginate([user]));', // 6
      '}', // 7
      '',
    ].join('\n');
    const files = {
      'src/routes/users.js': routes,
      'src/routes/fake.js': 'function createUser() {\n  return 1;\n}\nfunction paginate() {\n  return 2;\n}\n',
      'src/services/user.service.js':
        'const createUser = async (body) => {\n  return body;\n};\nmodule.exports = { createUser };\n',
      'src/utils/paginate.js': 'export function paginate(items) {\n  return { items };\n}\n',
    };
    assert.deepEqual(await related(files, 'src/routes/users.js', 5), [
      ['createUser', 'src/services/user.service.js', 1, true],
    ]);
    assert.deepEqual(await related(files, 'src/routes/users.js', 6), [['paginate', 'src/utils/paginate.js', 1, true]]);
  });

  it('Python: an absolute import under a source root, a relative one, an aliased one, a submodule', async () => {
    const api = [
      'from app.services.billing import charge', // 1
      'from .db import load as load_order', // 2
      'from app.core import security', // 3
      '', // 4
      'def pay(order_id, token):', // 5
      '    order = load_order(order_id)', // 6
      '    security.verify(token)', // 7
      '    return charge(order)', // 8
      '',
    ].join('\n');
    const files = {
      'backend/app/api/orders.py': api,
      'backend/app/api/charge_utils.py': 'def charge(x):\n    return x\n\ndef verify(t):\n    return t\n',
      'backend/app/api/db.py': 'def load(order_id):\n    return {"id": order_id}\n',
      'backend/app/services/billing.py':
        'import stripe\n\n\ndef charge(order):\n    return stripe.Charge.create(amount=order["total"])\n',
      'backend/app/core/security.py': 'def verify(token):\n    if not token:\n        raise ValueError("no token")\n',
    };
    assert.deepEqual(await related(files, 'backend/app/api/orders.py', 8), [
      ['charge', 'backend/app/services/billing.py', 4, true],
    ]);
    assert.deepEqual(await related(files, 'backend/app/api/orders.py', 6), [
      ['load_order', 'backend/app/api/db.py', 1, true],
    ]);
    assert.deepEqual(await related(files, 'backend/app/api/orders.py', 7), [
      ['verify', 'backend/app/core/security.py', 1, true],
    ]);
  });

  it("Go: the package's other files, and a package of the module (go.mod's path) over a nearer same-named function", async () => {
    const handler = [
      'package orders', // 1
      '', // 2
      'import "example.com/shop/internal/billing"', // 3
      '', // 4
      'func Pay(id string) error {', // 5
      '\torder := find(id)', // 6
      '\treturn billing.Charge(order)', // 7
      '}', // 8
      '',
    ].join('\n');
    const files = {
      'go.mod': 'module example.com/shop\n\ngo 1.22\n',
      'internal/orders/handler.go': handler,
      'internal/orders/store.go': 'package orders\n\nfunc find(id string) string {\n\treturn id\n}\n',
      'internal/orders/sub/charge.go': 'package sub\n\nfunc Charge(o string) error {\n\treturn nil\n}\n',
      'internal/billing/billing.go':
        'package billing\n\n// Charge bills an order.\nfunc Charge(order string) error {\n\treturn nil\n}\n',
      'internal/billing/billing_test.go': 'package billing\n\nfunc Charge() {}\n',
    };
    assert.deepEqual(await related(files, 'internal/orders/handler.go', 6), [
      ['find', 'internal/orders/store.go', 3, true],
    ]);
    assert.deepEqual(await related(files, 'internal/orders/handler.go', 7), [
      ['Charge', 'internal/billing/billing.go', 4, true],
    ]);
  });

  it('sends what the changed lines call (here and in other files) before what the rest of the shown code calls', async () => {
    const text = [
      "import { charge } from './billing';", // 1
      '', // 2
      'function audit(id: string): void {', // 3
      ...Array.from({ length: 30 }, (_, i) => `  console.log('audit', id, ${i});`), // 4-33
      '}', // 34
      '', // 35
      'export async function pay(id: string): Promise<void> {', // 36
      '  audit(id);', // 37
      ...Array.from({ length: 8 }, (_, i) => `  const step${i} = ${i};`), // 38-45
      '  await charge(id, 100);', // 46
      '}', // 47
      '',
    ].join('\n');
    const files = {
      'src/pay.ts': text,
      'src/billing.ts':
        'export async function charge(id: string, amount: number): Promise<void> {\n  await fetch(`/charge/${id}/${amount}`);\n}\n',
    };
    const preview = await previewReviewPrompt({
      units: [{ path: 'src/pay.ts', text, changedLines: [46] }],
      persona,
      mode: 'pragmatic',
      maxInputTokens: 32_000,
      countTokens: (t) => Math.ceil(t.length / 4),
      context: { repository: repository(files), budgetTokens: 400 },
    });
    const [context] = preview.prompts[0].user.split(/^The code, between the fence lines/m);
    const charge = context.indexOf('## charge, called from the reviewed lines: defined in src/billing.ts lines 1-3');
    const audit = context.indexOf('## audit, called from the code shown: src/pay.ts lines 3-34');
    assert.ok(charge >= 0 && audit > charge, `${charge} ${audit}`);
    // The budget left after the changed line's callee holds audit's signature, not its body.
    assert.match(
      context.slice(audit),
      /\nfunction audit\(id: string\): void \{\n… \(body not shown for the budget: 31 more lines\)/,
    );
  });

  describe('sent to the model (loopback server)', function () {
    this.timeout(30_000);
    let server: ModelServer;
    beforeEach(async () => {
      server = await startModelServer({ handler: () => findingsAnswer([]) });
    });
    afterEach(async () => server.close());

    const handler = [
      "import { charge } from './billing';", // 1
      '', // 2
      'export async function pay(id: string): Promise<void> {', // 3
      '  await charge(id, 100);', // 4
      '}', // 5
      '',
    ].join('\n');
    const longBody = Array.from({ length: 60 }, (_, i) => `  ledger.push({ id, amount, step: ${i} });`);
    const files = {
      'src/pay.ts': handler,
      'src/billing.ts': [
        'const ledger: unknown[] = [];',
        'const stripeKey = "sk_live_51HqLyjWDarjtT1zdp7dcXYZabcdefghijklmnop";',
        'export async function charge(',
        '  id: string,',
        '  amount: number,',
        '): Promise<void> {',
        '  const key = "sk_live_51HqLyjWDarjtT1zdp7dcXYZabcdefghijklmnop";',
        ...longBody,
        '}',
        '',
      ].join('\n'),
      'src/other/billing.ts': 'export function charge() {\n  return 0;\n}\n',
    };

    async function review(budgetTokens: number): Promise<{ user: string; stats: Record<string, unknown> }> {
      const before = server.chatRequests().length;
      const provider = new OpenAICompatibleProvider({ baseUrl: server.url, model: 'test-model', retryBaseDelayMs: 10 });
      const result = await runReview({
        units: [{ path: 'src/pay.ts', text: handler, changedLines: [4] }],
        persona,
        mode: 'pragmatic',
        provider,
        context: { repository: repository(files), budgetTokens },
      });
      const requests = server.chatRequests().slice(before);
      assert.equal(requests.length, 1);
      return { user: requests[0].user, stats: result.stats.context as unknown as Record<string, unknown> };
    }

    it('sends the imported definition, redacted, and its signature alone when the whole is over the budget', async () => {
      const whole = await review(1500);
      assert.match(whole.user, /## charge, called from the reviewed lines: defined in src\/billing\.ts lines 3-68/);
      assert.match(whole.user, /^ {2}ledger\.push\(\{ id, amount, step: 0 \}\);$/m);
      assert.match(whole.user, /… \(26 more lines\)/, 'a definition over 40 lines shows its first 40');
      assert.ok(!whole.user.includes('sk_live_51HqLyjWDarjtT1zdp7dcXYZ'), 'the key in the definition is redacted');
      assert.match(whole.user, /const key = "‹redacted:[^›]+›";/);
      assert.ok(!whole.user.includes('src/other/billing.ts'), 'the same-named function elsewhere is not sent');
      assert.equal(whole.stats.otherFileCalleesSent, 1);
      assert.equal(whole.stats.signaturesOnly, 0);

      const brief = await review(300);

      const [context] = brief.user.split(/^The code, between the fence lines/m);
      assert.match(
        context,
        /## charge, called from the reviewed lines: defined in src\/billing\.ts lines 3-68\nexport async function charge\(\n {2}id: string,\n {2}amount: number,\n\): Promise<void> \{\n… \(body not shown for the budget: 62 more lines\)/,
      );
      assert.doesNotMatch(context, /ledger\.push/);
      assert.deepEqual(
        [brief.stats.otherFileCallees, brief.stats.otherFileCalleesSent, brief.stats.signaturesOnly],
        [1, 1, 1],
      );
      assert.ok((brief.stats.tokens as number) <= 300, JSON.stringify(brief.stats));
    });
  });
});
