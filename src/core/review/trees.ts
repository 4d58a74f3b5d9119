import type { Parser, Tree } from '@vscode/tree-sitter-wasm';
import { parserFor } from '../offline/grammars';
import type { GrammarName } from '../offline/types';
import type { ReviewUnit } from './types';

/**
 * One tree-sitter parse per file per review. The engine reads a file's tree before sending it (the
 * context: enclosing functions, callees, imports; context.ts) and again after each answer (the
 * absence check, absence.ts, and the grounds gate, grounds.ts); each used to parse the file itself,
 * and a parse of a 2,000-line file costs about as much CPU as the whole model call to a server that
 * answers at once. A review says which files it will read again and how often (`expect`, `done`):
 * their trees are kept until the last of those reads, within a budget; any other read parses,
 * reads and frees, as before. Parsing is deterministic, so a kept tree is the tree a new parse
 * would give.
 */

/**
 * Source characters whose trees one review keeps at once. A tree takes about 22 bytes of
 * WebAssembly memory per character of source (1.7 MB for a 2,000-line file), and that memory is
 * never given back to the system: this keeps a review's trees to about 22 MB. A file planned when
 * the budget is spent is parsed again when its answers are checked (what every file did before).
 */
export const KEPT_TREES_BUDGET_CHARS = 1_000_000;

type Parsable = Pick<ReviewUnit, 'path' | 'text'>;

interface Kept {
  text: string;
  grammar: GrammarName;
  tree: Tree;
  /** Reads running now (an async read may hold the tree across awaits). */
  readers: number;
}

export class SharedTrees {
  private readonly kept = new Map<Parsable, Kept>();
  /** Reads still to come per file (a planning step, the file's parts). */
  private readonly expected = new Map<Parsable, number>();
  private keptChars = 0;

  constructor(private readonly budgetChars = KEPT_TREES_BUDGET_CHARS) {}

  /** `reads` more reads of this file's tree are to come: keep it (within the budget) until they are done. */
  expect(unit: Parsable, reads: number): void {
    const left = (this.expected.get(unit) ?? 0) + reads;
    if (left > 0) this.expected.set(unit, left);
    else this.forget(unit);
  }

  /** One of the expected reads is over (it may not have read the tree at all). */
  done(unit: Parsable): void {
    this.expect(unit, -1);
  }

  /** Frees every kept tree that is not being read (the end of a review, whatever happened). */
  dispose(): void {
    for (const unit of [...this.kept.keys()]) this.forget(unit);
    this.expected.clear();
  }

  /**
   * Runs `read` on the tree of `unit.text` in `grammar`: the kept one, else a new parse (kept when
   * more reads of the file are expected and the budget allows, else freed when `read` ends).
   */
  async read<T>(unit: Parsable, grammar: GrammarName, read: (tree: Tree) => T | Promise<T>): Promise<T> {
    const entry = this.kept.get(unit);
    const parser =
      entry && entry.text === unit.text && entry.grammar === grammar ? undefined : await parserFor(grammar);
    const reading = this.entryFor(unit, grammar, parser);
    reading.readers++;
    try {
      return await read(reading.tree);
    } finally {
      this.release(unit, reading);
    }
  }

  /** `read` without waiting: the grammar's parser is given (loaded beforehand with `parserFor`). */
  readNow<T>(unit: Parsable, grammar: GrammarName, parser: Parser, read: (tree: Tree) => T): T {
    const reading = this.entryFor(unit, grammar, parser);
    reading.readers++;
    try {
      return read(reading.tree);
    } finally {
      this.release(unit, reading);
    }
  }

  private entryFor(unit: Parsable, grammar: GrammarName, parser: Parser | undefined): Kept {
    const entry = this.kept.get(unit);
    if (entry && entry.text === unit.text && entry.grammar === grammar) return entry;
    if (!parser) throw new Error(`no parser for ${grammar}`);
    const tree = parser.parse(unit.text);
    if (!tree) throw new Error(`tree-sitter could not parse ${unit.path}`);
    const made: Kept = { text: unit.text, grammar, tree, readers: 0 };
    if (!entry && (this.expected.get(unit) ?? 0) > 0 && this.keptChars + unit.text.length <= this.budgetChars) {
      this.kept.set(unit, made);
      this.keptChars += unit.text.length;
    }
    return made;
  }

  private release(unit: Parsable, reading: Kept): void {
    reading.readers--;
    if (reading.readers === 0 && this.kept.get(unit) !== reading) reading.tree.delete();
  }

  private forget(unit: Parsable): void {
    this.expected.delete(unit);
    const entry = this.kept.get(unit);
    if (!entry) return;
    this.kept.delete(unit);
    this.keptChars -= entry.text.length;
    if (entry.readers === 0) entry.tree.delete();
  }
}

/** Runs `read` on a tree of `unit.text`: the review's shared one when given, else a new parse freed afterwards. */
export function readTree<T>(
  trees: SharedTrees | undefined,
  unit: Parsable,
  grammar: GrammarName,
  read: (tree: Tree) => T | Promise<T>,
): Promise<T> {
  return (trees ?? new SharedTrees(0)).read(unit, grammar, read);
}

/** `readTree` without waiting, with the grammar's parser loaded beforehand. */
export function readTreeNow<T>(
  trees: SharedTrees | undefined,
  unit: Parsable,
  grammar: GrammarName,
  parser: Parser,
  read: (tree: Tree) => T,
): T {
  return (trees ?? new SharedTrees(0)).readNow(unit, grammar, parser, read);
}
