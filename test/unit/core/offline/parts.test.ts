import * as assert from 'node:assert/strict';
import { backendSource } from '../../../../bench/generate';
import { planParts, runOfflineCheckPart, runOfflineChecks, runOfflineChecksInParts, type CheckPart, type OfflineConfig } from '../../../../src/core/offline';
import type { ReviewUnit } from '../../../../src/core/review/types';

const CONFIG: OfflineConfig = { mode: 'backendpe' };

/** Checks `unit` in parts in this thread, recording each part asked for and whether it parsed cleanly. */
async function inParts(unit: ReviewUnit, parts = 2): Promise<{ findings: Awaited<ReturnType<typeof runOfflineChecks>>; calls: Array<{ part: CheckPart; clean: boolean }> }> {
  const calls: Array<{ part: CheckPart; clean: boolean }> = [];
  const findings = await runOfflineChecksInParts(unit, parts, async (part) => {
    const result = await runOfflineCheckPart(unit, CONFIG, part);
    calls.push({ part, clean: result.parsedCleanly });
    return result;
  });
  return { findings, calls };
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** `count` small functions separated by blank lines, each with one fetch without a timeout. */
function manyFunctions(count: number, render: (index: number) => string): string {
  return Array.from({ length: count }, (_, index) => render(index)).join('\n\n') + '\n';
}

describe('offline checks: large files in parts', () => {
  describe('planParts', () => {
    it('leaves files shorter than two parts whole', () => {
      const text = manyFunctions(100, (index) => `export function f${index}() {\n  return ${index};\n}`);
      assert.equal(planParts(text, 'js', 2, 1_000), undefined);
      assert.ok(planParts(text, 'js', 2, 100));
    });

    it('splits at a top-level declaration after a blank line, keeping the comments above it, near the middle', () => {
      const text = manyFunctions(400, (index) => `// Loads item ${index}.\nexport async function load${index}(url: string) {\n  const response = await fetch(url);\n  return response.json();\n}`);
      const plan = planParts(text, 'js', 2, 500);
      assert.ok(plan);
      assert.equal(plan.length, 2);
      const split = plan[1].own.start;
      assert.equal(plan[0].own.start, 0);
      assert.equal(plan[0].own.end, split);
      assert.equal(plan[1].own.end, text.length);
      assert.match(text.slice(split, split + 40), /^\/\/ Loads item \d+\.\nexport async function/);
      assert.equal(text[split - 1], '\n');
      assert.equal(text[split - 2], '\n', 'the line before the split is blank');
      const line = lineOf(text, split);
      const total = text.split('\n').length;
      assert.ok(Math.abs(line - total / 2) < 10, `split at line ${line} of ${total}`);
      assert.deepEqual(plan[0].included, [plan[0].own], 'the first part is parsed up to the split, with no ranges before it');
    });

    it('keeps a Python decorator with its function and includes the imports, each with its line break, before a later part', () => {
      const header = 'import os\nfrom typing import (\n    Any,\n    Optional,\n)\n\n';
      const text = header + manyFunctions(300, (index) => `@app.get("/items/${index}")\ndef item_${index}(request):\n    return requests.get(URL, timeout=5)`);
      const plan = planParts(text, 'python', 2, 400);
      assert.ok(plan);
      const [first, second] = plan;
      assert.match(text.slice(second.own.start), /^@app\.get\("\/items\/\d+"\)\ndef item_/);
      assert.equal(first.own.end, second.own.start);
      assert.deepEqual(second.included.slice(0, -1).map((range) => text.slice(range.start, range.end)), ['import os\nfrom typing import (\n    Any,\n    Optional,\n)\n']);
      assert.deepEqual(second.included[second.included.length - 1], second.own);
    });

    it('includes the Go package clause and import block before a later part', () => {
      const header = 'package orders\n\nimport (\n\t"math/rand"\n\t"net/http"\n)\n\n';
      const text = header + manyFunctions(300, (index) => `func Get${index}(url string) (*http.Response, error) {\n\treturn http.Get(url)\n}`);
      const plan = planParts(text, 'go', 2, 400);
      assert.ok(plan);
      assert.deepEqual(plan[1].included.slice(0, -1).map((range) => text.slice(range.start, range.end)), ['package orders\n', 'import (\n\t"math/rand"\n\t"net/http"\n)\n']);
    });

    it('finds no split in a file without top-level declarations after blank lines', () => {
      const text = `export const handlers = {\n${'  a: 1,\n'.repeat(3_000)}};\n`;
      assert.equal(planParts(text, 'js', 2, 1_000), undefined);
    });
  });

  describe('runOfflineChecksInParts', () => {
    // Per language, a rule that is found in the second part only if the part sees the file's imports
    // (Go's http-no-timeout asks whether `http` is net/http; Python's weak-random-secret which names come from `random`).
    for (const [language, path, importDependentRule] of [['typescript', 'src/orders.ts', 'weak-random-secret'], ['python', 'app/orders.py', 'weak-random-secret'], ['go', 'orders/store.go', 'http-no-timeout']] as const) {
      it(`${language}: two clean parts find exactly what one whole-file check finds`, async () => {
        const unit = { path, text: backendSource(language, 6_000, 1) };
        const whole = await runOfflineChecks(unit, CONFIG);
        const { findings, calls } = await inParts(unit);
        assert.equal(calls.length, 2, 'checked in two parts, no whole-file fallback');
        assert.deepEqual(calls.map((call) => call.clean), [true, true]);
        assert.ok(whole.length > 300, `the generated file should have many findings (${whole.length})`);
        const secondStartLine = lineOf(unit.text, calls[1].part.own.start);
        assert.ok(findings.some((finding) => finding.ruleId === importDependentRule && finding.startLine > secondStartLine), `${importDependentRule} in the second part`);
        assert.deepEqual(findings, whole);
      });
    }

    it('uses names declared in another part (a data handle declared at the top of the file)', async () => {
      const header = "import { db } from './db';\n\nconst orders = db.collection('orders');\n\n";
      const text = header + manyFunctions(1_300, (index) => `export async function load${index}(ids: string[]) {\n  for (const id of ids) {\n    await orders.findOne({ id });\n  }\n}`);
      const unit = { path: 'src/orders.ts', text };
      const { findings, calls } = await inParts(unit);
      assert.equal(calls.length, 2);
      assert.equal(findings.filter((finding) => finding.ruleId === 'query-in-loop').length, 1_300);
      assert.deepEqual(findings, await runOfflineChecks(unit, CONFIG));
    });

    it('checks the whole file instead when a part does not parse cleanly (a syntax error)', async () => {
      const text = backendSource('typescript', 6_000, 2);
      const lines = text.split('\n');
      lines[4_800] += ' )(';
      const unit = { path: 'src/broken.ts', text: lines.join('\n') };
      const { findings, calls } = await inParts(unit);
      assert.deepEqual(calls.map((call) => call.clean), [true, false, false]);
      assert.deepEqual(calls[2].part, { included: [], own: { start: 0, end: unit.text.length } });
      assert.deepEqual(findings, await runOfflineChecks(unit, CONFIG));
    });

    it('checks the whole file instead when the split lands inside a multi-line string', async () => {
      // A template literal holding code, blank lines and all: the split point inside it looks like a declaration.
      const body = manyFunctions(2_000, (index) => `export function f${index}() {\n  return fetch(url${index});\n}`);
      const text = `export async function first() {\n  return fetch(start);\n}\n\nexport const TEMPLATE = \`\n${body}\`;\n\nexport async function last() {\n  return fetch(end);\n}\n`;
      const unit = { path: 'src/generated.ts', text };
      const { findings, calls } = await inParts(unit);
      assert.equal(calls.length, 3, 'the parts were not clean, so the whole file was checked');
      assert.equal(calls[1].clean, false);
      // Only the two real calls: the code inside the string is text.
      assert.deepEqual(findings.map((finding) => `${finding.startLine} ${finding.ruleId}`), ['2 http-no-timeout', `${text.split('\n').length - 2} http-no-timeout`]);
    });

    it('checks a short file whole in one call', async () => {
      const unit = { path: 'src/a.ts', text: 'await fetch(url);\n' };
      const { findings, calls } = await inParts(unit);
      assert.equal(calls.length, 1);
      assert.deepEqual(calls[0].part.included, []);
      assert.equal(findings.length, 1);
    });
  });
});
