// Child process for bench/offline.ts: counts the calls into web-tree-sitter's Node API and
// `Tree#rootNode` (each one a WebAssembly round trip) during one check of each 10,000-line bench file, in total, per API entry
// and per rule. A count does not depend on the machine's load, so a rule change that reads the tree
// more shows here even when the CPU rows are noise. The counting wrappers slow every call, which is
// why they live in their own process. Prints one JSON line.
import { Node, Tree } from '@vscode/tree-sitter-wasm';
import { loadGrammars, runOfflineChecks } from '../src/core/offline';
import { GO_RULES } from '../src/core/offline/rules/go';
import { JS_RULES } from '../src/core/offline/rules/javascript';
import { PYTHON_RULES } from '../src/core/offline/rules/python';
import type { RuleChecker } from '../src/core/offline/types';
import { BENCH_LANGUAGES } from './generate';
import { syntheticFile } from './offline';

/** The Node getters and methods that call into WebAssembly (`text` also reads `endIndex`, counted once). */
const GETTERS = [
  'type',
  'typeId',
  'endIndex',
  'endPosition',
  'children',
  'namedChildren',
  'parent',
  'firstChild',
  'lastChild',
  'firstNamedChild',
  'lastNamedChild',
  'nextSibling',
  'previousSibling',
  'nextNamedSibling',
  'previousNamedSibling',
  'childCount',
  'namedChildCount',
  'hasError',
  'isNamed',
  'isMissing',
] as const;
const METHODS = [
  'childForFieldId',
  'childrenForFieldId',
  'child',
  'namedChild',
  'childWithDescendant',
  'descendantForIndex',
  'descendantsOfType',
] as const;

/** Outside any rule: the collecting walk, the check's own reads and the findings. */
const OUTSIDE = '(walk and check)';

let current = OUTSIDE;
/** Nesting: `text` reads `endIndex`, `childForFieldName` calls `childForFieldId`; only the outermost call counts. */
let depth = 0;
const byApi = new Map<string, number>();
const byRule = new Map<string, number>();

function counted<T>(api: string, call: () => T): T {
  if (depth === 0) {
    byApi.set(api, (byApi.get(api) ?? 0) + 1);
    byRule.set(current, (byRule.get(current) ?? 0) + 1);
  }
  depth += 1;
  try {
    return call();
  } finally {
    depth -= 1;
  }
}

function wrapGetter(prototype: object, name: string, api: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
  const get = descriptor?.get;
  if (!get) throw new Error(`wasm reads bench: web-tree-sitter has no getter ${api}`);
  Object.defineProperty(prototype, name, {
    ...descriptor,
    get(this: unknown) {
      return counted(api, () => get.call(this));
    },
  });
}

function wrapNodeApi(): void {
  const prototype = Node.prototype as unknown as Record<string, unknown>;
  for (const name of [...GETTERS, 'text']) wrapGetter(prototype, name, name);
  wrapGetter(Tree.prototype, 'rootNode', 'Tree#rootNode');
  for (const name of METHODS) {
    const method = prototype[name];
    if (typeof method !== 'function') throw new Error(`wasm reads bench: web-tree-sitter's Node has no method ${name}`);
    prototype[name] = function (this: unknown, ...args: unknown[]) {
      return counted(name, () => (method as (...rest: unknown[]) => unknown).apply(this, args));
    };
  }
}

/** Each rule's checker, wrapped so the reads it makes are put on its account (index.ts reads these records per check). */
function wrapRules(): void {
  for (const rules of [JS_RULES, PYTHON_RULES, GO_RULES] as Array<Record<string, RuleChecker>>) {
    for (const [id, check] of Object.entries(rules)) {
      rules[id] = (input) => {
        current = id;
        try {
          check(input);
        } finally {
          current = OUTSIDE;
        }
      };
    }
  }
}

async function main(): Promise<void> {
  await loadGrammars([...BENCH_LANGUAGES]);
  wrapNodeApi();
  wrapRules();
  const result: Record<string, { total: number; byApi: Record<string, number>; byRule: Record<string, number> }> = {};
  for (const language of BENCH_LANGUAGES) {
    byApi.clear();
    byRule.clear();
    await runOfflineChecks(syntheticFile(language), { mode: 'backendpe' });
    const sorted = (counts: Map<string, number>): Record<string, number> =>
      Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
    result[language] = {
      total: [...byApi.values()].reduce((sum, count) => sum + count, 0),
      byApi: sorted(byApi),
      byRule: sorted(byRule),
    };
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `wasm reads bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
