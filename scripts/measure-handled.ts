/**
 * Checks the gate's reading of "errors handled here" (src/core/review/speculation.ts,
 * `errorsHandledAt`, an indentation reading of `try`/`catch`/`except`) against tree-sitter's syntax
 * tree on real code:
 *
 *   npx tsx scripts/measure-handled.ts DIR [--max-files N]
 *
 * For every statement line of the TypeScript, JavaScript and Python files under DIR that makes a
 * call, the truth is: the line is in the body of a `try` whose `catch`/`except` has a statement
 * other than `pass`, or the statement's own call chains `.catch(…)` (through `return`, `await`, an
 * assignment). Prints the counts: handled by both, by the
 * gate only (the gate would withhold an "errors are not handled" claim that the tree does not back),
 * by the tree only (the gate keeps such a claim: safe).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import { parserFor } from '../src/core/offline/grammars';
import { grammarForUnit } from '../src/core/offline/languages';
import { errorsHandledAt } from '../src/core/review/speculation';

const SKIP = /(?:^|\/)(?:node_modules|vendor|dist|build|\.git|migrations|__pycache__)(?:\/|$)|\.min\.js$|\.d\.ts$/;
const SOURCE = /\.(?:ts|tsx|js|mjs|cjs|py)$/;

async function walk(dir: string, out: string[], max: number): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (out.length >= max) return;
    const full = path.join(dir, entry.name);
    if (SKIP.test(full)) continue;
    if (entry.isDirectory()) await walk(full, out, max);
    else if (SOURCE.test(entry.name)) out.push(full);
  }
}

/** A handler body that does something: a statement other than `pass` and comments. */
function handlerDoesSomething(handler: Node): boolean {
  const body =
    handler.childForFieldName('body') ??
    handler.namedChildren.find((c) => c?.type === 'block' || c?.type === 'statement_block');
  if (!body) return false;
  return body.namedChildren.some((c) => c !== null && c.type !== 'comment' && c.type !== 'pass_statement');
}

/** Whether the tree puts `row` in the body of a try with a handler that does something. */
function inHandledTry(root: Node, row: number, column: number): boolean {
  for (let node: Node | null = root.descendantForPosition({ row, column }); node; node = node.parent) {
    if (node.type !== 'try_statement') continue;
    const handlers = node.namedChildren.filter(
      (c): c is Node => c !== null && (c.type === 'catch_clause' || c.type === 'except_clause'),
    );
    const body = node.childForFieldName('body') ?? node.namedChildren.find((c) => c?.type === 'block') ?? null;
    if (!body || row < body.startPosition.row || row > body.endPosition.row) continue;
    // The innermost enclosing try decides, as the gate reads the nearest `try` above.
    return handlers.some(handlerDoesSomething);
  }
  return false;
}

/** Whether the statement starting on `row` is a call chained with its own `.catch(…)` (through `return`, `await`, an assignment). */
function chainsCatch(root: Node, row: number, column: number): boolean {
  let node: Node | null = root.descendantForPosition({ row, column });
  while (node?.parent && node.parent.startPosition.row === row && !/statement|declaration/.test(node.type))
    node = node.parent;
  for (let depth = 0; node && depth < 8; depth++) {
    if (node.type === 'call_expression') {
      const callee = node.childForFieldName('function');
      return callee?.type === 'member_expression' && callee.childForFieldName('property')?.text === 'catch';
    }
    node =
      node.childForFieldName('right') ??
      node.childForFieldName('value') ??
      node.namedChildren.find((c) => c !== null && c.type !== 'comment' && c.type !== 'identifier') ??
      null;
  }
  return false;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: measure-handled.ts DIR [--max-files N]');
  const maxIndex = process.argv.indexOf('--max-files');
  const max = maxIndex > 0 ? Number(process.argv[maxIndex + 1]) : 400;
  const files: string[] = [];
  await walk(dir, files, max);
  const counts = { files: 0, statements: 0, both: 0, gateOnly: 0, treeOnly: 0 };
  const gateOnly: string[] = [];
  for (const file of files) {
    const grammar = grammarForUnit(file, undefined);
    if (!grammar) continue;
    const text = await fs.readFile(file, 'utf8');
    if (text.length > 300_000) continue;
    const tree = (await parserFor(grammar)).parse(text);
    if (!tree) continue;
    counts.files++;
    const lines = text.split(/\r?\n/);
    try {
      lines.forEach((line, i) => {
        const t = line.trim();
        // A statement line that makes a call (not a comment, a continuation or a declaration header).
        if (
          !/[\w)\]]\s*\(/.test(t) ||
          /^(?:\/\/|#|\/?\*|[.)\]},+|&?:]|def |class |function |async function |export |if |elif |for |while |return$)/.test(
            t,
          )
        )
          return;
        counts.statements++;
        const gate = errorsHandledAt(lines, i + 1) !== undefined;
        const column = line.length - line.trimStart().length;
        const truth = inHandledTry(tree.rootNode, i, column) || chainsCatch(tree.rootNode, i, column);
        if (gate && truth) counts.both++;
        else if (gate) {
          counts.gateOnly++;
          if (gateOnly.length < 10) gateOnly.push(`${path.relative(dir, file)}:${i + 1}: ${t.slice(0, 80)}`);
        } else if (truth) counts.treeOnly++;
      });
    } finally {
      tree.delete();
    }
  }
  console.log(JSON.stringify({ dir, ...counts, gateOnlyExamples: gateOnly }, null, 2));
}

main().catch((error: unknown) => {
  console.error(`measure-handled: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
