import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReviewFinding } from '../../../src/core/findings';
import {
  enclosingSymbolByText,
  fingerprintFindings,
  findingFingerprint,
  normaliseCode,
  SymbolLocator,
} from '../../../src/core/fingerprint';
import { runOfflineChecksWithSymbols } from '../../../src/core/offline';
import { classifyFile } from '../../../src/core/roles';

const service = [
  "import { db } from './db';",
  '',
  'export class OrderService {',
  '  async find(id: string) {',
  '    return db.query("SELECT * FROM orders WHERE id = " + id);',
  '  }',
  '',
  '  async list() {',
  '    return db.query("SELECT * FROM orders WHERE id = " + id);',
  '  }',
  '}',
  '',
  'export const handler = async (req) => {',
  '  await fetch(req.url);',
  '};',
].join('\n');

function finding(over: Partial<ReviewFinding>): ReviewFinding {
  return {
    title: 'SQL built by concatenation',
    severity: 'high',
    category: 'security',
    startLine: 5,
    endLine: 5,
    quote: 'db.query("SELECT * FROM orders WHERE id = " + id)',
    message: 'User input reaches the query.',
    suggestion: 'Bind it.',
    fix: null,
    confidence: 0.9,
    file: 'src/orders.ts',
    ruleId: 'sql-injection',
    origin: 'offline',
    ...over,
  };
}

async function printOf(text: string, f: ReviewFinding): Promise<string> {
  return (await fingerprintFindings([f], () => text))[0];
}

describe('fingerprint', () => {
  it('normalises formatting, not code', () => {
    assert.equal(normaliseCode('foo( a ,\n   b )'), normaliseCode('foo(a, b)'));
    assert.notEqual(normaliseCode('foo(a, b)'), normaliseCode('foo(a, c)'));
    assert.notEqual(normaliseCode('return a b'), normaliseCode('return ab'));
  });

  it('finds the enclosing symbol with the syntax tree, per language', async () => {
    const ts = await SymbolLocator.forFile('src/orders.ts', service);
    assert.equal(ts.symbolAt(5), 'OrderService.find');
    assert.equal(ts.symbolAt(9), 'OrderService.list');
    assert.equal(ts.symbolAt(14), 'handler');
    assert.equal(ts.symbolAt(1), '');
    ts.dispose();
    const py = await SymbolLocator.forFile(
      'app.py',
      'class Repo:\n    def get(self, id):\n        return run("x" + id)\n\ndef top():\n    pass\n',
    );
    assert.equal(py.symbolAt(3), 'Repo.get');
    assert.equal(py.symbolAt(6), 'top');
    py.dispose();
    const go = await SymbolLocator.forFile(
      'store.go',
      'package s\n\nfunc (s *Store) Get(id string) {\n\trun(id)\n}\n\nfunc Free() {\n\trun("x")\n}\n',
    );
    assert.equal(go.symbolAt(4), 'Store.Get');
    assert.equal(go.symbolAt(8), 'Free');
    go.dispose();
  });

  it('falls back to the nearest declaration line by text where there is no grammar', async () => {
    const java = 'class A {\n  public void save(Order o) {\n    if (x) {\n      db.exec(sql + o.id);\n    }\n  }\n}\n';
    const locator = await SymbolLocator.forFile('A.java', java);
    assert.equal(locator.symbolAt(4), 'save');
    assert.equal(enclosingSymbolByText('fn main() {\n    let x = 1;\n}\n', 1), 'main');
    assert.equal(enclosingSymbolByText('x = 1\n', 0), '');
  });

  it('survives lines inserted above and unrelated edits elsewhere in the file', async () => {
    const before = await printOf(service, finding({}));
    const moved = ['// a new header comment', '', ...service.split('\n')].join('\n');
    assert.equal(await printOf(moved, finding({ startLine: 7, endLine: 7 })), before);
    const unrelated = service.replace('await fetch(req.url);', 'await fetch(req.url, { signal });');
    assert.equal(await printOf(unrelated, finding({})), before);
    const reformatted = service.replace('" + id);\n  }\n\n  async list', '"   +   id);\n  }\n\n  async list');
    assert.equal(
      await printOf(reformatted, finding({ quote: 'db.query("SELECT * FROM orders WHERE id = "   +   id)' })),
      before,
    );
  });

  it('changes when the quoted code changes, or the same code is in another function, rule or file', async () => {
    const before = await printOf(service, finding({}));
    assert.notEqual(
      await printOf(service, finding({ quote: 'db.query("SELECT * FROM users WHERE id = " + id)' })),
      before,
    );
    assert.notEqual(await printOf(service, finding({ startLine: 9, endLine: 9 })), before, 'list, not find');
    assert.notEqual(await printOf(service, finding({ ruleId: 'review/security' })), before);
    assert.notEqual(await printOf(service, finding({ file: 'src/other.ts' })), before);
    const renamed = service.replace('async find(', 'async findOne(');
    assert.notEqual(await printOf(renamed, finding({})), before, 'the enclosing function was renamed');
  });

  it('tells apart quotes that differ only in a redacted secret by the message', () => {
    const quote = 'const key = "‹redacted:hardcoded secret›"';
    const a = findingFingerprint({ ruleId: 'hardcoded-secret', file: 'a.ts', quote, title: 't', message: 'apiKey' });
    const b = findingFingerprint({
      ruleId: 'hardcoded-secret',
      file: 'a.ts',
      quote,
      title: 't',
      message: 'dbPassword',
    });
    assert.notEqual(a, b);
  });

  it('uses the title when there is no quote, and paths with either separator', () => {
    const base = { ruleId: 'review/reliability', quote: '', title: 'No retries' };
    assert.equal(
      findingFingerprint({ ...base, file: 'src\\a.ts' }),
      findingFingerprint({ ...base, file: 'src/a.ts', title: 'no retries ' }),
    );
  });

  it('takes symbols the offline checks read from their own tree, and gives the same fingerprints as parsing again', async () => {
    const fixtures = path.join(__dirname, '../../fixtures/offline');
    let compared = 0;
    for (const language of ['typescript', 'python', 'go']) {
      for (const name of fs.readdirSync(path.join(fixtures, language))) {
        const file = `${language}/${name}`;
        const text = fs.readFileSync(path.join(fixtures, file), 'utf8');
        const unit = { path: file, text, role: classifyFile(file, text).role };
        const checked = await runOfflineChecksWithSymbols(unit, { mode: 'backendpe' });
        if (checked.findings.length === 0) continue;
        assert.ok(checked.symbols, `${file}: symbols read from the check's tree`);
        const locator = await SymbolLocator.forFile(file, text);
        assert.deepEqual(
          checked.symbols,
          checked.findings.map((f) => locator.symbolAt(f.startLine)),
          file,
        );
        locator.dispose();
        const byLine = new Map(checked.findings.map((f, i) => [f.startLine, checked.symbols![i]]));
        let read = 0;
        const known = await fingerprintFindings(
          checked.findings,
          () => {
            read += 1;
            return text;
          },
          undefined,
          (f, line) => (f === file ? byLine.get(line) : undefined),
        );
        assert.equal(read, 0, `${file}: not read again when every symbol is known`);
        assert.deepEqual(known, await fingerprintFindings(checked.findings, () => text), file);
        compared += checked.findings.length;
      }
    }
    assert.ok(compared > 50, `compared ${compared} findings`);
  });

  it('parses the file when a finding has no known symbol, and reads no symbol from a tree of another grammar', async () => {
    const f = finding({});
    let read = 0;
    const [print] = await fingerprintFindings(
      [f, finding({ startLine: 9, endLine: 9 })],
      () => {
        read += 1;
        return service;
      },
      undefined,
      (_file, line) => (line === 5 ? 'OrderService.find' : undefined),
    );
    assert.equal(read, 1);
    assert.equal(print, await printOf(service, f));
    // An editor buffer with no extension checked as TypeScript: fingerprints read such a file by text, so the tree's symbols do not stand in.
    const unnamed = { path: 'Untitled-1', language: 'typescript', text: service, role: 'production' as const };
    const checked = await runOfflineChecksWithSymbols(unnamed, { mode: 'backendpe' });
    assert.ok(checked.findings.length > 0);
    assert.equal(checked.symbols, undefined);
    const named = await runOfflineChecksWithSymbols({ ...unnamed, path: 'src/orders.ts' }, { mode: 'backendpe' });
    assert.deepEqual(
      named.findings.map((finding, index) => [finding.startLine, named.symbols?.[index]]),
      [
        [5, 'OrderService.find'],
        [9, 'OrderService.list'],
        [14, 'handler'],
      ],
    );
  });
});
