import * as assert from 'node:assert/strict';
import { backendSource } from '../../../../bench/generate';
import {
  planParts,
  runOfflineCheckPart,
  runOfflineChecks,
  runOfflineChecksInParts,
  wholeFilePart,
  type CheckPart,
  type OfflineConfig,
  type SplitCheckResult,
} from '../../../../src/core/offline';
import type { ReviewUnit } from '../../../../src/core/review/types';

const CONFIG: OfflineConfig = { mode: 'backendpe' };

interface PartCall {
  part: CheckPart;
  clean: boolean;
  moduleScopeAt: number;
  importsAsPlanned: boolean;
  needsWholeFile: boolean;
}

/** Checks `unit` in parts in this thread, recording each part asked for and how it went. */
async function inParts(
  unit: ReviewUnit,
  options: { whole?: boolean } = {},
): Promise<SplitCheckResult & { calls: PartCall[] }> {
  const calls: PartCall[] = [];
  const result = await runOfflineChecksInParts(
    unit,
    2,
    async (part) => {
      const checked = await runOfflineCheckPart(unit, CONFIG, part);
      calls.push({
        part,
        clean: checked.parsedCleanly,
        moduleScopeAt: checked.moduleScopeAt,
        importsAsPlanned: checked.importsAsPlanned,
        needsWholeFile: checked.needsWholeFile,
      });
      return checked;
    },
    options,
  );
  return { ...result, calls };
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
      const text = manyFunctions(
        400,
        (index) =>
          `// Loads item ${index}.\nexport async function load${index}(url: string) {\n  const response = await fetch(url);\n  return response.json();\n}`,
      );
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
      assert.deepEqual(
        plan[0].included,
        [plan[0].own],
        'the first part is parsed up to the split, with no ranges before it',
      );
    });

    it('keeps a Python decorator with its function and includes the imports, each with its line break, before a later part', () => {
      const header = 'import os\nfrom typing import (\n    Any,\n    Optional,\n)\n\n';
      const text =
        header +
        manyFunctions(
          300,
          (index) =>
            `@app.get("/items/${index}")\ndef item_${index}(request):\n    return requests.get(URL, timeout=5)`,
        );
      const plan = planParts(text, 'python', 2, 400);
      assert.ok(plan);
      const [first, second] = plan;
      assert.match(text.slice(second.own.start), /^@app\.get\("\/items\/\d+"\)\ndef item_/);
      assert.equal(first.own.end, second.own.start);
      assert.deepEqual(
        second.included.slice(0, -1).map((range) => text.slice(range.start, range.end)),
        ['import os\nfrom typing import (\n    Any,\n    Optional,\n)\n'],
      );
      assert.deepEqual(second.included[second.included.length - 1], second.own);
    });

    it('includes the Go package clause and import block before a later part', () => {
      const header = 'package orders\n\nimport (\n\t"math/rand"\n\t"net/http"\n)\n\n';
      const text =
        header +
        manyFunctions(
          300,
          (index) => `func Get${index}(url string) (*http.Response, error) {\n\treturn http.Get(url)\n}`,
        );
      const plan = planParts(text, 'go', 2, 400);
      assert.ok(plan);
      assert.deepEqual(
        plan[1].included.slice(0, -1).map((range) => text.slice(range.start, range.end)),
        ['package orders\n', 'import (\n\t"math/rand"\n\t"net/http"\n)\n'],
      );
    });

    it('finds no split in a file without top-level declarations after blank lines', () => {
      const text = `export const handlers = {\n${'  a: 1,\n'.repeat(3_000)}};\n`;
      assert.equal(planParts(text, 'js', 2, 1_000), undefined);
    });
  });

  describe('runOfflineChecksInParts', () => {
    for (const [language, path] of [
      ['typescript', 'src/orders.ts'],
      ['python', 'app/orders.py'],
      ['go', 'orders/store.go'],
    ] as const) {
      it(`${language}: two clean parts find exactly what one whole-file check finds`, async () => {
        const unit = { path, text: backendSource(language, 6_000, 1) };
        const whole = await runOfflineChecks(unit, CONFIG);
        const { findings, calls, split, splitNextTime } = await inParts(unit);
        assert.equal(calls.length, 2, 'checked in two parts, no whole-file fallback');
        assert.deepEqual(
          calls.map((call) => call.clean),
          [true, true],
        );
        assert.deepEqual([split, splitNextTime], [true, true]);
        assert.ok(whole.length > 300, `the generated file should have many findings (${whole.length})`);
        assert.deepEqual(findings, whole);
      });
    }

    it("Go: a later part sees the file's imports (http-no-timeout asks whether `http` is net/http)", async () => {
      const header = 'package orders\n\nimport (\n\t"net/http" // the client (see docs)\n)\n\n';
      const unit = {
        path: 'orders/fetch.go',
        text:
          header +
          manyFunctions(
            1_300,
            (index) => `func Get${index}(url string) (*http.Response, error) {\n\treturn http.Get(url)\n}`,
          ),
      };
      const { findings, calls, split } = await inParts(unit);
      assert.equal(split, true);
      const secondPartLine = lineOf(unit.text, calls[1].part.own.start);
      const callsInSecondPart = unit.text
        .split('\n')
        .filter((line, index) => index + 1 > secondPartLine && line.includes('http.Get(')).length;
      assert.ok(callsInSecondPart > 600, `${callsInSecondPart} calls after line ${secondPartLine}`);
      assert.equal(
        findings.filter((finding) => finding.ruleId === 'http-no-timeout' && finding.startLine > secondPartLine).length,
        callsInSecondPart,
      );
      assert.deepEqual(findings, await runOfflineChecks(unit, CONFIG));
    });

    it('Python: names from `random` count wherever they were imported at the top level, before or after the split', async () => {
      const functions = manyFunctions(
        1_700,
        (index) => `def reset_token_${index}():\n    token = choice(ALPHABET)\n    return token`,
      );
      const lines = functions.split('\n');
      lines.splice(4_000, 0, 'from random import (', '    choice,  # fast enough here', ')', '');
      const unit = { path: 'app/tokens.py', text: `import os\n\n${lines.join('\n')}` };
      const { findings, split, calls } = await inParts(unit);
      assert.equal(split, true);
      assert.ok(calls[0].part.own.end < unit.text.indexOf('from random import'), 'the import is in the second part');
      assert.equal(findings.filter((finding) => finding.ruleId === 'weak-random-secret').length, 1_700);
      assert.deepEqual(findings, await runOfflineChecks(unit, CONFIG));
    });

    it("checks the whole file when a part's import statements are not the planned ones (under try:, split over lines, text in a string)", async () => {
      const functions = manyFunctions(
        1_700,
        (index) => `def reset_token_${index}():\n    token = choice(ALPHABET)\n    return token`,
      );
      const variants = {
        'under try:': `try:\n    from random import choice\nexcept ImportError:\n    raise\n\n${functions}`,
        'continued line': `${functions}\nfrom random \\\n    import choice\n`,
        docstring: `"""Helpers.\n\nfrom random import choice\n"""\nfrom secrets import choice\n\n${functions}`,
      };
      for (const [name, text] of Object.entries(variants)) {
        const unit = { path: 'app/tokens.py', text };
        const whole = await runOfflineChecks(unit, CONFIG);
        const { findings, calls, split, splitNextTime } = await inParts(unit);
        // An indented import is reported by the rule that reads it; the others by the import check.
        assert.ok(
          calls.slice(0, 2).some((call) => (name === 'under try:' ? call.needsWholeFile : !call.importsAsPlanned)),
          `${name}: a part noticed`,
        );
        assert.deepEqual([split, splitNextTime], [false, false], name);
        assert.deepEqual(findings, whole, name);
      }
      const go = {
        path: 'orders/doc.go',
        text: `package orders\n\nconst usage = \`\nimport "math/rand"\n\`\n\n${manyFunctions(1_700, (index) => `func Token${index}() int {\n\treturn rand.Int()\n}`)}`,
      };
      const { findings, split } = await inParts(go);
      assert.equal(split, false, 'an import in a Go raw string');
      assert.deepEqual(findings, await runOfflineChecks(go, CONFIG));
    });

    it('finds the whole-file findings where an import line carries more (a comment or string opened after it), a Go import is indented, or a match runs across the split', async () => {
      const filler = (language: 'js' | 'python' | 'go'): string =>
        manyFunctions(2_600, (index) =>
          language === 'python'
            ? `def f${index}():\n    return ${index}`
            : language === 'go'
              ? `func f${index}() int { return ${index} }`
              : `export function f${index}() { return ${index}; }`,
        );
      const cases: Array<{ name: string; unit: ReviewUnit; split: boolean }> = [
        {
          name: 'TS import opening a block comment',
          split: false,
          unit: {
            path: 'src/a.ts',
            text: `import x from 'x'; /* legacy\nnotes */\n\n${filler('js')}\nexport async function load(u: string) { return fetch(u); }\n\n/** Docs. */\nexport function g() {}\n`,
          },
        },
        {
          name: 'Python import opening a string',
          split: false,
          unit: {
            path: 'app/a.py',
            text: `import os; NOTE = """\nnotes\n"""\n\n${filler('python')}\ndef load(u):\n    return requests.get(u)\n\nX = 1  # """\n`,
          },
        },
        {
          name: 'Go package clause opening a comment',
          split: false,
          unit: {
            path: 'p/a.go',
            text: `package p /* orders\nservice */\n\nimport "net/http"\n\n${filler('go')}\nfunc load(u string) { http.Get(u) }\n\n// */\nfunc g() {}\n`,
          },
        },
        {
          name: 'Go indented import',
          split: false,
          unit: {
            path: 'p/b.go',
            text: `package p\n\n\timport mrand "math/rand"\n\n${filler('go')}\nfunc newToken() int {\n\ttoken := mrand.Int()\n\treturn token\n}\n`,
          },
        },
        {
          name: 'a commented key header just before the split',
          split: true,
          unit: {
            path: 'app/k.py',
            text: `${filler('python')}\n# -----BEGIN PRIVATE KEY----- (format below)\n\ndef key():\n    return "-----BEGIN PRIVATE KEY-----\\nMIIabc\\n-----END PRIVATE KEY-----"\n\n${filler('python')}`,
          },
        },
      ];
      for (const { name, unit, split } of cases) {
        const whole = await runOfflineChecks(unit, CONFIG);
        const result = await inParts(unit);
        assert.equal(result.split, split, name);
        assert.deepEqual(result.findings, whole, name);
      }
    });

    it('finds the whole-file findings on generated files with tricky code inserted at random places (fixed seeds)', async function () {
      // Hundreds of whole-file checks: on a machine shared by many processes they outlast mocha's default.
      this.timeout(120_000);
      // Snippets that have broken the equality before: code-looking text in strings and comments,
      // top-level code, imports in odd places, a commented key header. Inserted at top-level spots.
      const snippets: Record<'typescript' | 'python' | 'go', string[]> = {
        typescript: [
          "export const TEMPLATE = `\nimport fs from 'fs';\n\nexport function fake() {\n  return fetch(url);\n}\n`;",
          "import x from 'x'; /* legacy\nnotes */",
          "const q = 'SELECT * FROM t WHERE id = ' + process.argv[2];\nawait db.query(q);",
          '// algorithms: [ see below',
          'const claims = jwt.decode(token);\nif (claims.isAdmin) grant();',
          '/**\n * export function documented() {}\n */',
        ],
        python: [
          'NOTE = """\nimport os\nfrom random import choice\n\ndef fake():\n    requests.get(u)\n"""',
          'try:\n    from random import choice\nexcept ImportError:\n    pass',
          'import os; BANNER = """\norders service\n"""',
          'cmd = "ls " + sys.argv[1]\nsubprocess.run(cmd, shell=True)',
          '# -----BEGIN PRIVATE KEY----- (format below)',
          'def make_token():\n    token = choice("abcdef")\n    return token',
        ],
        go: [
          'const usage = `\nimport "math/rand"\n\nfunc Fake() {}\n`',
          '/* block\n\nfunc Commented() { http.Get(u) }\n*/',
          'var token = mrand.Int()',
          'func Reset() string {\n\treturn fmt.Sprintf("%d", mrand.Int())\n}',
        ],
      };
      const paths = { typescript: 'src/orders.ts', python: 'app/orders.py', go: 'orders/store.go' } as const;
      for (const language of ['typescript', 'python', 'go'] as const) {
        for (const seed of [21, 22, 23]) {
          let state = seed;
          const random = (): number => {
            state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
            return state / 2_147_483_648;
          };
          const lines = backendSource(language, 5_600, seed).split('\n');
          // Top-level spots: a blank line followed by a line at column 0.
          const spots = lines
            .map((_, index) => index)
            .filter((index) => lines[index] === '' && /^\S/.test(lines[index + 1] ?? ''));
          for (let count = 0; count < 6; count += 1) {
            const at = spots[Math.floor(random() * spots.length)];
            const snippet = snippets[language][Math.floor(random() * snippets[language].length)];
            lines.splice(at + 1, 0, ...snippet.split('\n'), '');
            spots.forEach((spot, index) => {
              if (spot > at) spots[index] = spot + snippet.split('\n').length + 1;
            });
          }
          const unit = { path: paths[language], text: lines.join('\n') };
          assert.deepEqual(
            (await inParts(unit)).findings,
            await runOfflineChecks(unit, CONFIG),
            `${language} seed ${seed}`,
          );
        }
      }
    });

    it('does not split where an import statement found in the text would cross a split', () => {
      const classes = manyFunctions(1_000, (index) => `class Holder${index}:\n    value = ${index}`);
      const text = `"""\nfrom helpers import (\n"""\n\n${classes}\nprint(Holder0)\n`;
      assert.equal(planParts(text, 'python', 2, 500), undefined);
      assert.ok(planParts(text.replace('from helpers import (', 'see helpers'), 'python', 2, 500), 'splits without it');
    });

    it('JS: jwt.decode at the top level reads the whole file for a later verify, in the first part too', async () => {
      const decode = "import jwt from 'jsonwebtoken';\n\nconst claims = jwt.decode(token);\n\n";
      const functions = manyFunctions(1_700, (index) => `export function f${index}() {\n  return ${index};\n}`);
      for (const tail of ['jwt.verify(token, key);\n', 'if (claims.isAdmin) grant();\n']) {
        const unit = { path: 'src/auth.ts', text: decode + functions + tail };
        const whole = await runOfflineChecks(unit, CONFIG);
        const { findings } = await inParts(unit);
        assert.deepEqual(findings, whole, tail);
      }
      const unverified = { path: 'src/auth.ts', text: `${decode + functions}if (claims.isAdmin) grant();\n` };
      assert.deepEqual(
        (await runOfflineChecks(unverified, CONFIG)).map((finding) => finding.ruleId),
        ['jwt-verification-disabled'],
        'the claims are used after the split',
      );
    });

    it('checks the whole file when a later part follows a name assigned at the top level (SQL, a shell command)', async () => {
      const python = {
        path: 'scripts/run.py',
        text: `import subprocess\nimport sys\n\ncmd = "ls " + sys.argv[1]\n\n${manyFunctions(1_700, (index) => `def f_${index}():\n    return ${index}`)}\nif __name__ == "__main__":\n    subprocess.run(cmd, shell=True)\n`,
      };
      const js = {
        path: 'scripts/report.ts',
        text: `const q = 'SELECT * FROM orders WHERE id = ' + process.argv[2];\n\n${manyFunctions(1_700, (index) => `export function f${index}() {\n  return ${index};\n}`)}\nawait db.query(q);\n`,
      };
      for (const unit of [python, js]) {
        const whole = await runOfflineChecks(unit, CONFIG);
        assert.equal(whole.length, 1, `${unit.path}: ${whole.map((finding) => finding.ruleId).join(', ')}`);
        const { findings, calls, split, splitNextTime } = await inParts(unit);
        assert.deepEqual(
          calls.map((call) => call.moduleScopeAt >= 0),
          [false, true, true],
          unit.path,
        );
        assert.deepEqual([split, splitNextTime], [false, false], unit.path);
        assert.deepEqual(findings, whole, unit.path);
      }
    });

    it('checks a file with a byte-order mark in parts with its first import', async () => {
      const unit = {
        path: 'app/tokens.py',
        text: `\uFEFFimport random\n\n${manyFunctions(1_700, (index) => `def reset_token_${index}():\n    token = random.random()\n    return token`)}`,
      };
      const plan = planParts(unit.text, 'python', 2);
      assert.ok(plan);
      assert.deepEqual(
        plan[1].included.slice(0, -1).map((range) => unit.text.slice(range.start, range.end)),
        ['\uFEFFimport random\n'],
      );
      const { findings, split } = await inParts(unit);
      assert.equal(split, true);
      assert.deepEqual(findings, await runOfflineChecks(unit, CONFIG));
    });

    it('checks the whole file at once when asked', async () => {
      const unit = { path: 'src/orders.ts', text: backendSource('typescript', 6_000, 9) };
      const { calls, split, splitNextTime } = await inParts(unit, { whole: true });
      assert.deepEqual(
        calls.map((call) => call.part),
        [wholeFilePart(unit.text, planParts(unit.text, 'js', 2)?.[0].imports)],
      );
      assert.deepEqual([split, splitNextTime], [false, true]);
    });

    it('finds what the whole-file check finds on generated files of other lengths and orders, CRLF and ranges included', async function () {
      // Hundreds of whole-file checks: on a machine shared by many processes they outlast mocha's default.
      this.timeout(120_000);
      for (const [language, path] of [
        ['typescript', 'src/orders.ts'],
        ['python', 'app/orders.py'],
        ['go', 'orders/store.go'],
      ] as const) {
        for (const seed of [2, 3]) {
          const text = backendSource(language, 5_200 + seed * 700, seed);
          const variants: ReviewUnit[] = [
            { path, text },
            { path, text: text.replace(/\n/g, '\r\n') },
            { path, text, range: { startLine: 1_000, endLine: 4_000 } },
            { path, text, changedLines: Array.from({ length: 400 }, (_, index) => index * 13 + seed) },
          ];
          for (const [index, unit] of variants.entries()) {
            const { findings, split } = await inParts(unit);
            assert.equal(split, true, `${language} seed ${seed} variant ${index} split`);
            assert.deepEqual(
              findings,
              await runOfflineChecks(unit, CONFIG),
              `${language} seed ${seed} variant ${index}`,
            );
          }
        }
      }
    });

    it('uses names declared in another part (a data handle declared at the top of the file)', async () => {
      const header = "import { db } from './db';\n\nconst orders = db.collection('orders');\n\n";
      const text =
        header +
        manyFunctions(
          1_300,
          (index) =>
            `export async function load${index}(ids: string[]) {\n  for (const id of ids) {\n    await orders.findOne({ id });\n  }\n}`,
        );
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
      const { findings, calls, split, splitNextTime } = await inParts(unit);
      assert.deepEqual(
        calls.map((call) => call.clean),
        [true, false, false],
      );
      assert.deepEqual(
        calls[2].part,
        wholeFilePart(unit.text, calls[0].part.imports),
        'the whole file, checked against the same planned imports',
      );
      assert.deepEqual(
        [split, splitNextTime],
        [false, false],
        'a file with a syntax error is checked whole next time too',
      );
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
      assert.deepEqual(
        findings.map((finding) => `${finding.startLine} ${finding.ruleId}`),
        ['2 http-no-timeout', `${text.split('\n').length - 2} http-no-timeout`],
      );
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
