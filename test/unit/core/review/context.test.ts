import { strict as assert } from 'node:assert';
import { ContextGatherer, nearestFirst, type RepositoryFiles } from '../../../../src/core/review/context';
import { previewPrompt } from '../../../../src/core/review/plan';
import { previewReviewPrompt, runReview } from '../../../../src/core/review/engine';
import type { ChatProvider, ChatRequest } from '../../../../src/core/providers/provider';
import type { RenderedPersona } from '../../../../src/core/personas/types';
import type { ReviewContextOptions, ReviewUnit } from '../../../../src/core/review/types';

/** A repository held in memory: the context search reads it through RepositoryFiles. */
function repository(files: Record<string, string>): RepositoryFiles {
  return { list: async () => Object.keys(files), read: async (file) => files[file] };
}

const persona = { id: 'p', name: 'P', text: 'Review backend code.', warnings: [] } as unknown as RenderedPersona;

const goHandler = [
  'package orders', //  1
  '', //  2
  'import "net/http"', //  3
  '', //  4
  'func validate(id string) bool {', //  5
  '\treturn id != ""', //  6
  '}', //  7
  '', //  8
  'func Get(w http.ResponseWriter, r *http.Request) {', //  9
  '\tid := r.URL.Query().Get("id")', // 10
  '\tif id == "" {', // 11
  '\t\tw.WriteHeader(400)', // 12
  '\t\treturn', // 13
  '\t}', // 14
  '\tok := validate(id)', // 15
  '\t_ = ok', // 16
  '\torder, err := store.Load(r.Context(), id)', // 17
  '\tif err != nil {', // 18
  '\t\tw.WriteHeader(500)', // 19
  '\t\treturn', // 20
  '\t}', // 21
  '\twriteJSON(w, order)', // 22
  '}', // 23
  '',
].join('\n');

/** The prompt a review of one unit would send, with the repository context options given. */
function previewOne(unit: ReviewUnit, context: ReviewContextOptions = {}): ReturnType<typeof previewReviewPrompt> {
  return previewReviewPrompt({
    units: [unit],
    persona,
    mode: 'pragmatic',
    maxInputTokens: 32_000,
    countTokens: (t) => Math.ceil(t.length / 4),
    context,
  });
}

describe('context: the code around a change, found with tree-sitter', () => {
  it('widens a Go change to its function, finds same-file and other-file callees, nearest file first', async () => {
    const gatherer = new ContextGatherer({
      contextLines: 1,
      repository: repository({
        'internal/orders/handler.go': goHandler,
        'internal/orders/store.go': 'package orders\n\nfunc writeJSON(w any, v any) {\n\t_ = v\n}\n',
        'internal/billing/store.go': 'package billing\n\nfunc Load(id string) string {\n\treturn id\n}\n',
        'internal/orders/load.go':
          'package orders\n\nfunc Load(ctx any, id string) (any, error) {\n\treturn nil, nil\n}\n',
      }),
    });
    const unit = { path: 'internal/orders/handler.go', text: goHandler, changedLines: [15, 22] };
    const context = await gatherer.forUnit(unit, [
      { startLine: 14, endLine: 16 },
      { startLine: 21, endLine: 23 },
    ]);
    assert.ok(context);
    assert.deepEqual(context.regions, [{ startLine: 9, endLine: 23 }], 'widened to func Get');
    assert.deepEqual(
      context.callees.map((c) => [c.name, c.range]),
      [['validate', { startLine: 5, endLine: 7 }]],
    );
    assert.deepEqual(
      context.related.map((r) => [r.name, r.file]),
      [['writeJSON', 'internal/orders/store.go']],
    );
    assert.deepEqual(context.imports, [{ startLine: 3, endLine: 3 }]);
  });

  it('widens a Python selection to its method and keeps findings to the selection', async () => {
    const text = [
      'class Orders:', //  1
      '    def total(self, items):', //  2
      '        value = 0', //  3
      '        for item in items:', //  4
      '            value += item.price', //  5
      '        return value', //  6
      '',
    ].join('\n');
    const requests: ChatRequest[] = [];
    const provider: ChatProvider = {
      id: 'fake:test',
      modelName: 'test',
      maxInputTokens: 32_000,
      countTokens: (t) => Math.ceil(t.length / 4),
      async complete(request) {
        requests.push(request);
        const finding = (line: number, quote: string): Record<string, unknown> => ({
          title: `line ${line}`,
          severity: 'medium',
          category: 'correctness',
          startLine: line,
          endLine: line,
          quote,
          message: 'm',
          suggestion: 's',
          fix: null,
          confidence: 0.9,
        });
        return {
          text: JSON.stringify({
            summary: '',
            overkill: [],
            findings: [finding(5, 'value += item.price'), finding(2, 'def total(self, items):')],
          }),
          usage: { promptTokens: 1, completionTokens: 1 },
        };
      },
    } as ChatProvider;
    const result = await runReview({
      units: [{ path: 'orders.py', text, range: { startLine: 5, endLine: 5 } }],
      persona,
      mode: 'pragmatic',
      provider,
      diffContextSlack: 0,
    });
    const user = requests[0].messages[1].content;
    assert.match(user, /^2 \| {5}def total\(self, items\):$/m, 'the enclosing method is shown');
    assert.match(user, /The other lines shown are the code around it/);
    assert.deepEqual(
      result.findings.map((f) => f.title),
      ['line 5'],
      'a finding outside the selection is not kept',
    );
    assert.equal(result.stats.context?.widened, 1);
  });

  it('falls back to lines for a language without a grammar', async () => {
    const gatherer = new ContextGatherer({ contextLines: 5 });
    const context = await gatherer.forUnit({ path: 'a.rb', text: 'def x\n  1\nend\n', changedLines: [2] }, []);
    assert.equal(context, undefined);
    const preview = previewPrompt({
      units: [{ path: 'a.rb', text: 'def x\n  1\nend\n', changedLines: [2] }],
      persona,
      mode: 'pragmatic',
      maxInputTokens: 32_000,
      countTokens: (t) => Math.ceil(t.length / 4),
    });
    assert.match(preview.prompts[0].user, /^2 \+ \| {3}1$/m);
  });

  it("previews a review's prompt with its context, as the review would send it", async () => {
    const files = {
      'internal/orders/handler.go': goHandler,
      'internal/orders/store.go': 'package orders\n\nfunc writeJSON(w any, v any) {\n\t_ = v\n}\n',
    };
    const preview = await previewOne(
      { path: 'internal/orders/handler.go', text: goHandler, changedLines: [22] },
      { repository: repository(files), note: 'mind the status codes' },
    );
    const user = preview.prompts[0].user;
    assert.match(
      user,
      /## writeJSON, called from the reviewed lines: defined in internal\/orders\/store\.go lines 3-5/,
    );
    assert.match(user, /mind the status codes/);
    assert.match(user, /^ 9 {3}\| func Get\(/m);
  });

  it('sends, of adjacent import statements, only those the changed function uses', async () => {
    // The changed function is longer than the lines around a change, and the other one is far enough away.
    const text = [
      "import axios from 'axios';", // 1
      "import { exec } from 'node:child_process';", // 2
      "import { Pool } from 'pg';", // 3
      "import { logger } from './logger';", // 4
      '', // 5
      'export async function lookup(id: string): Promise<unknown> {', // 6
      ...Array.from({ length: 10 }, (_, i) => `  logger.info({ id, step: ${i} });`), // 7-16
      '  return (await axios.get(`/lookup/${id}`)).data;', // 17
      '}', // 18
      ...Array.from({ length: 8 }, () => ''), // 19-26
      'export function run(cmd: string): void {', // 27
      '  exec(cmd);', // 28
      '}', // 29
      '',
    ].join('\n');
    const gatherer = new ContextGatherer({ contextLines: 1 });
    const context = await gatherer.forUnit({ path: 'src/lookup.ts', text, changedLines: [17] }, []);
    assert.ok(context);
    assert.deepEqual(
      context.imports,
      [1, 2, 3, 4].map((line) => ({ startLine: line, endLine: line })),
      'one range per statement',
    );
    const preview = await previewOne({ path: 'src/lookup.ts', text, changedLines: [17] });
    const user = preview.prompts[0].user;
    assert.match(user, /^import axios from 'axios';$/m);
    assert.match(user, /^import \{ logger \} from '\.\/logger';$/m);
    assert.doesNotMatch(user, /child_process|from 'pg'/, 'imports the function does not use stay out');
    // A selection that shows an import line itself does not get it again as context.
    const shown = await previewOne({ path: 'src/lookup.ts', text, range: { startLine: 4, endLine: 7 } });
    const selected = shown.prompts[0].user;
    assert.match(selected, /^ ?4 \| import \{ logger \} from '\.\/logger';$/m, 'the selection shows the import');
    assert.equal(selected.split("import { logger } from './logger';").length, 2, 'once, not again as context');
  });

  it('orders files nearest first: same folder, then by folder distance', () => {
    assert.deepEqual(nearestFirst(['x/y/z.go', 'a/c.go', 'a/b/d.go', 'e.go'], 'a/b/handler.go'), [
      'a/b/d.go',
      'a/c.go',
      'e.go',
      'x/y/z.go',
    ]);
  });
});
