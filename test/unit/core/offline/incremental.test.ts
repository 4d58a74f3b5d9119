import * as assert from 'node:assert/strict';
import { backendSource } from '../../../../bench/generate';
import { runOfflineChecks, type OfflineConfig } from '../../../../src/core/offline';
import { parserFor } from '../../../../src/core/offline/grammars';
import { editBetween, IncrementalChecker } from '../../../../src/core/offline/incremental';

const CONFIG: OfflineConfig = { mode: 'backendpe' };
const LANGUAGES = ['typescript', 'python', 'go'] as const;
type Language = (typeof LANGUAGES)[number];
const PATHS: Record<Language, string> = { typescript: 'src/orders.ts', python: 'app/orders.py', go: 'orders/store.go' };

/** Lines a user might type anywhere: findings, suppressions, imports, openers of comments and strings. */
const TYPED: Record<Language, string[]> = {
  typescript: [
    '  const page = await fetch(url);',
    "  await db.query('SELECT * FROM orders WHERE id = ' + id);",
    '// backend-review-ignore',
    '// backend-review-ignore http-no-timeout',
    "import axios from 'axios';",
    '/* a comment that opens',
    '*/',
    '  const apiKey = "sk_live_51Hx9aQ2eZvKYlo2C0aBcDeFgH";',
    '}',
    'export function added(url: string) {',
    '  try { risky(); } catch (e) {}',
    '`',
    "const q = 'SELECT * FROM t WHERE id = ' + process.argv[2];",
  ],
  python: [
    '    page = requests.get(url)',
    '    cursor.execute("SELECT * FROM orders WHERE id = %s" % order_id)',
    '# backend-review-ignore',
    '# backend-review-ignore http-no-timeout',
    'import requests as r',
    'from random import choice',
    '"""',
    'def added(url):',
    '    try:\n        risky()\n    except:\n        pass',
    '    token = choice("abcdef")',
    'cmd = "ls " + sys.argv[1]',
    '    password = "hunter2-but-longer-9f8e7d"',
  ],
  go: [
    '\tresp, err := http.Get(url)',
    '\trows, _ := db.Query("SELECT * FROM orders WHERE id = " + id)',
    '// backend-review-ignore',
    '// backend-review-ignore http-no-timeout',
    'import "math/rand"',
    '/* opens a comment',
    '*/',
    'func Added(url string) {',
    '}',
    '\ttoken := rand.Int()',
    '`',
    '\tvar x interface{} = nil',
  ],
};

async function parsesCleanly(language: Language, text: string): Promise<boolean> {
  const tree = (await parserFor(language)).parse(text);
  try {
    return !!tree && !tree.rootNode.hasError;
  } finally {
    tree?.delete();
  }
}

function randomFrom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** One random edit: insert a typed line, delete a line, change characters in a line, or duplicate a line. */
function randomEdit(text: string, language: Language, random: () => number): string {
  const lines = text.split('\n');
  const at = Math.floor(random() * lines.length);
  const kind = Math.floor(random() * 4);
  if (kind === 0) {
    const typed = TYPED[language][Math.floor(random() * TYPED[language].length)];
    lines.splice(at, 0, ...typed.split('\n'));
  } else if (kind === 1 && lines.length > 2) {
    lines.splice(at, 1);
  } else if (kind === 2) {
    const line = lines[at];
    const column = Math.floor(random() * (line.length + 1));
    const insert = ['x', ' ', '(', '"', '0', 'timeout'][Math.floor(random() * 6)];
    lines[at] = line.slice(0, column) + insert + line.slice(column + (random() < 0.5 ? 1 : 0));
  } else {
    lines.splice(at, 0, lines[at]);
  }
  return lines.join('\n');
}

describe('offline checks: incremental re-checks', function () {
  // Many whole-file checks to compare with: a safety limit for a loaded machine, not a speed test.
  this.timeout(180_000);
  describe('editBetween', () => {
    it('finds the one span that changed', () => {
      assert.deepEqual(editBetween('abcdef', 'abXYef'), { start: 2, oldEnd: 4, newEnd: 4 });
      assert.deepEqual(editBetween('abc', 'abc'), { start: 3, oldEnd: 3, newEnd: 3 });
      assert.deepEqual(editBetween('abc', 'abxc'), { start: 2, oldEnd: 2, newEnd: 3 });
      assert.deepEqual(editBetween('aaaa', 'aa'), { start: 2, oldEnd: 4, newEnd: 2 });
    });

    it('does not split a CRLF or a surrogate pair', () => {
      assert.equal(editBetween('a\r\nb', 'a\rX\nb').start, 1);
      assert.equal(editBetween('x\u{1F600}y', 'x\u{1F601}y').start, 1);
    });
  });

  it('re-checks an edit inside one function incrementally and finds what a whole-file check finds', async () => {
    for (const language of LANGUAGES) {
      const checker = new IncrementalChecker();
      const text = backendSource(language, 1_200, 7);
      const first = await checker.check({ path: PATHS[language], text }, CONFIG);
      assert.equal(checker.lastCheck, 'whole', language);
      assert.deepEqual(first, await runOfflineChecks({ path: PATHS[language], text }, CONFIG), language);
      // A line added in the middle of a function body, which adds a finding.
      const lines = text.split('\n');
      const inBody = lines.findIndex(
        (line, index) => index > 600 && /^(\s{2,}|\t)\S/.test(line) && /^(\s{2,}|\t)\S/.test(lines[index + 1] ?? ''),
      );
      assert.ok(inBody > 0, `${language}: a line inside a function`);
      lines.splice(inBody + 1, 0, TYPED[language][0]);
      const edited = { path: PATHS[language], text: lines.join('\n') };
      const again = await checker.check(edited, CONFIG);
      assert.equal(checker.lastCheck, 'incremental', language);
      const whole = await runOfflineChecks(edited, CONFIG);
      assert.deepEqual(again, whole, language);
      assert.ok(again.length > first.length, `${language}: the typed line adds a finding`);
      checker.reset();
    }
  });

  it("moves a finding's related locations with the lines an edit above them adds", async () => {
    const lines = [
      'def first(url):',
      '    return url',
      '',
      '',
      'def second(url):',
      '    return url',
      '',
      '',
      'def third(url):',
      '    return url',
      '',
      '',
      'def report(users: list):',
      '    for user in users:',
      '        a = Picture.objects.filter(owner=user).count()',
      '        b = Person.objects.filter(owner=user).count()',
      '        totals.append((a, b))',
      '',
    ];
    const checker = new IncrementalChecker();
    const path = 'app/report.py';
    const first = await checker.check({ path, text: lines.join('\n') }, CONFIG);
    assert.deepEqual(
      first.map((f) => [f.startLine, f.related?.map((r) => r.startLine)]),
      [[15, [16]]],
    );
    lines.splice(1, 0, '    url = url.strip()', '    url = url.lower()');
    const edited = { path, text: lines.join('\n') };
    const again = await checker.check(edited, CONFIG);
    assert.equal(checker.lastCheck, 'incremental');
    assert.deepEqual(again, await runOfflineChecks(edited, CONFIG));
    assert.deepEqual(
      again.map((f) => [f.startLine, f.related?.map((r) => r.startLine)]),
      [[17, [18]]],
    );
  });

  it('answers an unchanged text without checking, and checks whole after another configuration', async () => {
    const checker = new IncrementalChecker();
    const unit = { path: PATHS.typescript, text: backendSource('typescript', 300, 1) };
    const first = await checker.check(unit, CONFIG);
    assert.deepEqual(await checker.check(unit, CONFIG), first);
    assert.equal(checker.lastCheck, 'unchanged');
    const pragmatic = await checker.check(unit, { mode: 'pragmatic' });
    assert.equal(checker.lastCheck, 'whole');
    assert.deepEqual(pragmatic, await runOfflineChecks(unit, { mode: 'pragmatic' }));
    checker.reset();
  });

  it('checks whole when the edit touches an import statement', async () => {
    const checker = new IncrementalChecker();
    const text =
      "import axios from 'axios';\n\nexport async function load(url: string) {\n  return axios.get(url);\n}\n";
    const first = await checker.check({ path: 'src/a.ts', text }, CONFIG);
    assert.equal(first.length, 1);
    const edited = text.replace("import axios from 'axios';", "import axios from 'other';");
    const again = await checker.check({ path: 'src/a.ts', text: edited }, CONFIG);
    assert.equal(checker.lastCheck, 'whole');
    assert.deepEqual(again, await runOfflineChecks({ path: 'src/a.ts', text: edited }, CONFIG));
    checker.reset();
  });

  it('applies a suppression typed above a top-level function to that function', async () => {
    const checker = new IncrementalChecker();
    const body = (index: number): string =>
      `export async function load${index}(url: string) {\n  const page = await fetch(url);\n  return page.json();\n}\n`;
    const text = Array.from({ length: 20 }, (_, index) => body(index)).join('\n');
    const first = await checker.check({ path: 'src/a.ts', text }, CONFIG);
    const lines = text.split('\n');
    const at = lines.indexOf('export async function load10(url: string) {');
    lines.splice(at + 1, 0, '  // backend-review-ignore http-no-timeout');
    const edited = { path: 'src/a.ts', text: lines.join('\n') };
    const again = await checker.check(edited, CONFIG);
    assert.equal(checker.lastCheck, 'incremental');
    assert.equal(again.length, first.length - 1);
    assert.deepEqual(again, await runOfflineChecks(edited, CONFIG));
    checker.reset();
  });

  it('equals a whole-file check after every one of many random edits (fixed seeds, three languages)', async () => {
    let incremental = 0;
    let total = 0;
    for (const language of LANGUAGES) {
      for (const seed of [31, 32, 33]) {
        const random = randomFrom(seed);
        const checker = new IncrementalChecker();
        let text = backendSource(language, 700, seed);
        await checker.check({ path: PATHS[language], text }, CONFIG);
        for (let step = 0; step < 40; step += 1) {
          // Like a user: an edit, then it is kept or undone (a half-typed line is fixed or removed).
          const edited = randomEdit(text, language, random);
          const keep = random() < 0.5 && (await parsesCleanly(language, edited));
          for (const version of keep ? [edited] : [edited, text]) {
            const unit = { path: PATHS[language], text: version };
            const found = await checker.check(unit, CONFIG);
            total += 1;
            if (checker.lastCheck === 'incremental') incremental += 1;
            assert.deepEqual(
              found,
              await runOfflineChecks(unit, CONFIG),
              `${language} seed ${seed} step ${step} (${checker.lastCheck})`,
            );
          }
          if (keep) text = edited;
        }
        checker.reset();
      }
    }
    // The shortcut must actually be taken, or this test would only compare whole checks.
    assert.ok(incremental > total / 4, `${incremental} of ${total} re-checks were incremental`);
  });
});
