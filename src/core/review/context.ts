import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import { parserFor } from '../offline/grammars';
import { grammarForUnit } from '../offline/languages';
import { familyOf, type GrammarName, type LanguageFamily } from '../offline/types';
import { field } from '../offline/syntax';
import type { LineRange } from './chunk';
import { importedFiles, RepositoryIndex } from './imports';
import { readTree, readTreeNow, type SharedTrees } from './trees';
import { reviewFocusLines, type ReviewUnit } from './types';

/**
 * What a model needs to judge a change besides the changed lines, found with tree-sitter: the
 * function or class each change sits in (the reviewed region is widened to it), the same file's
 * functions the changed lines call, the file's imports, and the definitions in other files of the
 * repository that the changed lines call, nearest files first. Languages without a grammar keep
 * the line-based regions and get no related code. plan.ts turns this into the prompt's context
 * block within a token budget.
 */

/** An enclosing function or class longer than this is not shown whole: its first line is, as a header. */
export const MAX_ENCLOSING_LINES = 120;
/** Lines of one related definition shown; a longer one shows its start and says how many lines more. */
export const MAX_DEFINITION_LINES = 40;
/** Repository files looked at per reviewed file while looking for definitions in other files (nearest first). */
const MAX_FILES_SEARCHED = 400;
/** Repository files listed at most; a larger tree is searched in the part listed first (breadth first). */
const MAX_FILES_LISTED = 20_000;
const MAX_RELATED_FILE_BYTES = 256 * 1024;
/** Folders never searched for definitions: dependencies, build output, caches. */
const SKIPPED_FOLDERS = new Set([
  'node_modules',
  'vendor',
  'dist',
  'build',
  'out',
  'coverage',
  'target',
  '__pycache__',
  'venv',
  'site-packages',
]);

/**
 * Names too common to be looked up in other files, per language: the language's built-ins and its
 * standard library's everyday calls. A definition found under such a name elsewhere is almost never
 * the one called. Go's own methods (`Error`, `Set`) are user code: its list holds built-ins only.
 */
const COMMON_NAMES: Record<LanguageFamily, ReadonlySet<string>> = {
  js: new Set(
    (
      'get set has add delete clear push pop shift unshift map filter reduce forEach find findIndex some every then catch finally ' +
      'join split slice splice concat includes indexOf keys values entries toString valueOf json send status log error warn info debug ' +
      'parse stringify resolve reject require next call apply bind emit on once close write read end trim replace match test exec ' +
      'assign from of isArray Error Promise Date Number String Boolean Object Array Map Set Math super sort reverse toLowerCase ' +
      'toUpperCase startsWith endsWith padStart now all race fetch setTimeout clearTimeout encodeURIComponent'
    ).split(' '),
  ),
  python: new Set(
    (
      'len print range str int float dict list tuple set isinstance getattr setattr hasattr super format join split strip lower ' +
      'upper replace get items keys values append extend pop update open encode decode sorted enumerate zip min max sum any all type'
    ).split(' '),
  ),
  go: new Set(
    'len cap append make new copy delete panic recover print println close min max clear Errorf Sprintf Printf Println Fatal Fatalf'.split(
      ' ',
    ),
  ),
};

interface SyntaxKinds {
  /** Function-like nodes a change is widened to. */
  functions: ReadonlySet<string>;
  /** Class-like nodes (widened to when no function encloses the change). */
  classes: ReadonlySet<string>;
  /** Call nodes and the field holding what is called. */
  calls: Record<string, string>;
  /** Top-level nodes that import. */
  imports: ReadonlySet<string>;
}

/** The nodes of a function (declared, expression, arrow, method, closure) in each family. */
export const FUNCTION_TYPES: Record<LanguageFamily, ReadonlySet<string>> = {
  js: new Set([
    'function_declaration',
    'generator_function_declaration',
    'function_expression',
    'function',
    'generator_function',
    'arrow_function',
    'method_definition',
  ]),
  python: new Set(['function_definition']),
  go: new Set(['function_declaration', 'method_declaration', 'func_literal']),
};

const KINDS: Record<LanguageFamily, SyntaxKinds> = {
  js: {
    functions: FUNCTION_TYPES.js,
    classes: new Set(['class_declaration', 'abstract_class_declaration', 'class', 'interface_declaration']),
    calls: { call_expression: 'function', new_expression: 'constructor' },
    imports: new Set(['import_statement']),
  },
  python: {
    functions: FUNCTION_TYPES.python,
    classes: new Set(['class_definition']),
    calls: { call: 'function' },
    imports: new Set(['import_statement', 'import_from_statement', 'future_import_statement']),
  },
  go: {
    functions: FUNCTION_TYPES.go,
    classes: new Set(['type_declaration']),
    calls: { call_expression: 'function' },
    imports: new Set(['import_declaration']),
  },
};

/** A definition of a name in one file: its lines (with its decorators, `export`, `const x =`). */
export interface Definition {
  name: string;
  range: LineRange;
  /** The last line of its signature (before its body), when the body starts on a later line than the definition. */
  signatureEnd?: number;
}

/** A definition in another file of the repository. */
export interface RelatedDefinition extends Definition {
  file: string;
  /** The file's text of `range`. */
  text: string;
  /** The name the reviewed code calls it by (an import may rename it). */
  calledAs: string;
  /** Whether the file was found from the reviewed file's imports (else by searching nearest files first). */
  imported: boolean;
}

/** Context for one file under review (see plan.ts for how it is sent). */
export interface UnitContext {
  /** The reviewed regions after widening (replace the line-based ones). */
  regions: LineRange[];
  /** Regions widened to their enclosing function or class, and headers added for larger ones. */
  widened: number;
  /** The same file's definitions called from the reviewed lines, outside the regions; nearest first. */
  callees: Definition[];
  /**
   * The same file's definitions the rest of the shown code calls (the enclosing function's other
   * calls), outside the regions; nearest first. Sent after everything the changed lines call.
   */
  shownCodeCallees: Definition[];
  /** The file's import lines. */
  imports: LineRange[];
  /**
   * Whole-file reviews: `imports` is looked up (a parse of the file) only when read. A file sent
   * whole in one request shows its imports with the code, so the plan reads them only when the
   * file may be sent in parts (plan.ts).
   */
  importsOnRead?: boolean;
  /** Definitions in other files called from the reviewed lines, imported files first, then nearest first; `text` is the file's text of `range`. */
  related: RelatedDefinition[];
  /** Names called from the reviewed lines and how each was resolved (for the context figures). */
  calls: { name: string; resolved: 'same-file' | 'other-file' | 'none' }[];
}

/** Reads the repository's files for definitions in other files. */
export interface RepositoryFiles {
  /** Repository-relative paths with `/`, listed once per review. */
  list(): Promise<string[]>;
  /** A file's text, or undefined when it cannot be read or is too large. */
  read(relativePath: string): Promise<string | undefined>;
}

/** The repository under `root` on disk, without dependency and build folders or hidden ones. */
export function repositoryFilesOnDisk(root: string): RepositoryFiles {
  let listing: Promise<string[]> | undefined;
  const walk = async (): Promise<string[]> => {
    const files: string[] = [];
    const queue = [''];
    while (queue.length > 0 && files.length < MAX_FILES_LISTED) {
      const dir = queue.shift() as string;
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(path.join(root, dir), { withFileTypes: true });
      } catch {
        continue; // An unreadable folder holds no definition we can show.
      }
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.name.startsWith('.')) continue;
        const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (!SKIPPED_FOLDERS.has(entry.name)) queue.push(relative);
        } else if (entry.isFile()) files.push(relative);
      }
    }
    return files;
  };
  return {
    list: () => (listing ??= walk()),
    async read(relativePath) {
      const file = path.join(root, relativePath);
      try {
        const info = await fs.stat(file);
        if (!info.isFile() || info.size > MAX_RELATED_FILE_BYTES) return undefined;
        return await fs.readFile(file, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

export interface ContextGathererOptions {
  /** The repository: other files are searched for the definitions the reviewed lines call. */
  repository?: RepositoryFiles;
  /** A unit's path as a repository-relative path (units' paths may be relative to another folder). */
  repositoryPath?: (unitPath: string) => string;
  /** Context lines around changed lines (as plan.ts uses). */
  contextLines: number;
  /** The review's trees: a reviewed file is parsed once for its context and the checks of its answers. */
  trees?: SharedTrees;
}

function linesOf(node: Node): LineRange {
  return { startLine: node.startPosition.row + 1, endLine: node.endPosition.row + 1 };
}

function rangeLength(range: LineRange): number {
  return range.endLine - range.startLine + 1;
}

/** Sorted, merged (overlapping or adjacent) ranges. */
export function mergeRanges(ranges: readonly LineRange[]): LineRange[] {
  const sorted = [...ranges].sort((a, b) => a.startLine - b.startLine);
  const out: LineRange[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last && range.startLine <= last.endLine + 1) last.endLine = Math.max(last.endLine, range.endLine);
    else out.push({ ...range });
  }
  return out;
}

function overlaps(a: LineRange, b: LineRange): boolean {
  return a.startLine <= b.endLine && b.startLine <= a.endLine;
}

/** The declaration a definition node belongs to: `export`, decorators, `const x = () => …`. */
function declarationOf(node: Node): Node {
  let current = node;
  for (;;) {
    const parent = current.parent;
    if (!parent) return current;
    const t = parent.type;
    if (
      t === 'export_statement' ||
      t === 'decorated_definition' ||
      t === 'lexical_declaration' ||
      t === 'variable_declaration' ||
      (t === 'variable_declarator' && current.type !== 'identifier')
    ) {
      current = parent;
      continue;
    }
    return current;
  }
}

const DEFINITION_TYPES: Record<LanguageFamily, ReadonlySet<string>> = {
  js: new Set([
    'function_declaration',
    'generator_function_declaration',
    'method_definition',
    'class_declaration',
    'abstract_class_declaration',
    'variable_declarator',
  ]),
  python: new Set(['function_definition', 'class_definition']),
  go: new Set(['function_declaration', 'method_declaration', 'type_spec']),
};

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);

/** Every named function, method and class defined in a tree. */
export function definitionsIn(tree: Tree, family: LanguageFamily): Definition[] {
  const out: Definition[] = [];
  for (const node of tree.rootNode.descendantsOfType([...DEFINITION_TYPES[family]])) {
    if (!node) continue;
    if (node.type === 'variable_declarator') {
      const value = field(node, 'value');
      if (!value || !FUNCTION_VALUES.has(value.type)) continue;
    }
    const name = field(node, 'name');
    if (!name) continue;
    const declaration = node.type === 'type_spec' ? (node.parent ?? node) : declarationOf(node);
    const range = linesOf(declaration);
    const definition: Definition = { name: name.text, range };
    const body = field(node.type === 'variable_declarator' ? field(node, 'value') : node, 'body');
    if (body) {
      // Python's body starts on the line after `def …:`; a brace body on the signature's last line.
      const end = family === 'python' ? body.startPosition.row : body.startPosition.row + 1;
      if (end >= range.startLine && end < range.endLine) definition.signatureEnd = end;
    }
    out.push(definition);
  }
  return out;
}

/** The name a call calls: `f(…)` → f, `a.b.f(…)` → f, `pkg.F(…)` → F, `new Client(…)` → Client. */
function calleeName(call: Node, fieldName: string): string | undefined {
  let target = field(call, fieldName);
  while (target && (target.type === 'parenthesized_expression' || target.type === 'await_expression'))
    target = target.namedChildren[0] ?? null;
  if (!target) return undefined;
  if (target.type === 'identifier') return target.text;
  const last =
    field(target, 'property') ?? field(target, 'attribute') ?? field(target, 'field') ?? field(target, 'name');
  return last && /^[A-Za-z_$][\w$]*$/.test(last.text) ? last.text : undefined;
}

/** Names called on the given lines, in order of first call. */
export function callsOnLines(tree: Tree, family: LanguageFamily, lines: ReadonlySet<number>): string[] {
  const names = new Set<string>();
  const kinds = KINDS[family];
  const sorted = [...lines].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const start = { row: sorted[0] - 1, column: 0 };
  const end = { row: sorted[sorted.length - 1], column: 0 };
  for (const call of tree.rootNode.descendantsOfType(Object.keys(kinds.calls), start, end)) {
    if (!call || !lines.has(call.startPosition.row + 1)) continue;
    const name = calleeName(call, kinds.calls[call.type]);
    if (name) names.add(name);
  }
  return [...names];
}

/** Names that look called (`name(`) in text that is not in the tree any more (removed lines). */
function callsInText(lines: readonly string[]): string[] {
  const names = new Set<string>();
  for (const line of lines) for (const match of line.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)) names.add(match[1]);
  return [...names];
}

/** The innermost function (else class) around a line, or undefined at the top level. */
function enclosingOf(tree: Tree, kinds: SyntaxKinds, line: number, text: string): Node | undefined {
  const lineText = text.split('\n', line)[line - 1] ?? '';
  const column = Math.max(0, lineText.length - lineText.trimStart().length);
  let node: Node | null = tree.rootNode.descendantForPosition({ row: line - 1, column });
  let klass: Node | undefined;
  for (; node; node = node.parent) {
    // A function that starts on a later line (a callback opened at the end of this one) does not
    // enclose it, nor does a one-line function (`ids.map((id) => id.trim())`).
    if (
      kinds.functions.has(node.type) &&
      node.startPosition.row + 1 <= line &&
      node.endPosition.row > node.startPosition.row
    )
      return node;
    if (!klass && kinds.classes.has(node.type)) klass = node;
  }
  return klass;
}

/**
 * The innermost function around each of `lines` (tree-sitter; a function that starts on a later line
 * or fits on one line does not count), for the languages with a grammar. Lines outside any function,
 * and every line of a language without a grammar, are absent from the result.
 */
export async function enclosingFunctions(
  unit: Pick<ReviewUnit, 'path' | 'language' | 'text'>,
  lines: readonly number[],
  trees?: SharedTrees,
): Promise<Map<number, LineRange>> {
  const found = new Map<number, LineRange>();
  const grammar = grammarForUnit(unit.path, unit.language);
  if (!grammar || lines.length === 0) return found;
  const kinds = KINDS[familyOf(grammar)];
  return readTree(trees, unit, grammar, (tree) => {
    const textLines = unit.text.split('\n');
    for (const line of new Set(lines)) {
      const lineText = textLines[line - 1] ?? '';
      const column = Math.max(0, lineText.length - lineText.trimStart().length);
      for (
        let node: Node | null = tree.rootNode.descendantForPosition({ row: line - 1, column });
        node;
        node = node.parent
      ) {
        if (
          kinds.functions.has(node.type) &&
          node.startPosition.row + 1 <= line &&
          node.endPosition.row > node.startPosition.row
        ) {
          found.set(line, linesOf(node));
          break;
        }
      }
    }
    return found;
  });
}

/** The file's top-level import statements, one range per statement (not merged when adjacent: a part is sent only the statements it uses). */
function importsIn(tree: Tree, family: LanguageFamily): LineRange[] {
  const kinds = KINDS[family];
  const imports: LineRange[] = [];
  for (const node of tree.rootNode.namedChildren) {
    if (!node) continue;
    const isImport =
      kinds.imports.has(node.type) ||
      (family === 'js' &&
        (node.type === 'lexical_declaration' || node.type === 'variable_declaration') &&
        /\brequire\s*\(/.test(node.text));
    if (isImport) imports.push(linesOf(node));
  }
  return imports.sort((a, b) => a.startLine - b.startLine);
}

/** Files nearest to `from` (a repository-relative file) first: same folder, then by folder distance. */
export function nearestFirst(files: readonly string[], from: string): string[] {
  const fromParts = from.split('/').slice(0, -1);
  const distance = (file: string): number => {
    const parts = file.split('/').slice(0, -1);
    let common = 0;
    while (common < parts.length && common < fromParts.length && parts[common] === fromParts[common]) common++;
    return parts.length + fromParts.length - 2 * common;
  };
  return files
    .map((file) => ({ file, d: distance(file) }))
    .sort((a, b) => a.d - b.d || a.file.localeCompare(b.file))
    .map((entry) => entry.file);
}

/**
 * Finds the context of each unit of one review; the repository's listing and parsed files are kept
 * for the review's other units. Units in languages without a grammar get undefined (line regions).
 */
export class ContextGatherer {
  private readonly parsedFiles = new Map<string, Promise<Definition[] | undefined>>();

  constructor(private readonly options: ContextGathererOptions) {}

  async forUnit(unit: ReviewUnit, baseRegions: LineRange[]): Promise<UnitContext | undefined> {
    const grammar = grammarForUnit(unit.path, unit.language);
    if (!grammar) return undefined;
    const family = familyOf(grammar);
    const kinds = KINDS[family];
    if (!reviewFocusLines(unit) && !unit.range) {
      // A whole-file review: the file's own lines are the regions and it calls for no related code
      // (every definition of the file is under review); only its imports come from the tree.
      const parser = await parserFor(grammar);
      const trees = this.options.trees;
      let imports: LineRange[] | undefined;
      return {
        regions: baseRegions,
        widened: 0,
        callees: [],
        shownCodeCallees: [],
        get imports(): LineRange[] {
          return (imports ??= readTreeNow(trees, unit, grammar, parser, (tree) => importsIn(tree, family)));
        },
        importsOnRead: true,
        related: [],
        calls: [],
      };
    }
    return readTree(this.options.trees, unit, grammar, async (tree) => {
      const lineCount = unit.text.split('\n').length;
      const focus = reviewFocusLines(unit);
      const reviewed = new Set<number>(
        unit.changedLines ??
          (unit.range
            ? Array.from({ length: rangeLength(unit.range) }, (_, i) => unit.range!.startLine + i)
            : Array.from({ length: lineCount }, (_, i) => i + 1)),
      );
      // Each changed line is shown with the function or class it is in (instead of the lines around
      // it); outside any, or in one too long to show, with the lines around it (and the long one's header).
      const regions =
        focus || unit.range ? this.widen(tree, kinds, unit, focus, lineCount) : { ranges: baseRegions, widened: 0 };

      // Whole-file reviews send no related code: every definition of the file is already under review.
      const wholeFile = !focus && !unit.range;
      const called = wholeFile ? [] : callsOnLines(tree, family, reviewed);
      if (unit.removed) {
        for (const name of callsInText(unit.removed.flatMap((b) => b.lines)))
          if (!called.includes(name)) called.push(name);
      }
      // Only looked at for the names the reviewed lines call: a whole-file review calls for none.
      let definitions: Definition[] | undefined;
      const definedAs = (name: string): Definition[] =>
        (definitions ??= definitionsIn(tree, family)).filter((d) => d.name === name);
      const shown = (range: LineRange): boolean =>
        regions.ranges.some((r) => r.startLine <= range.startLine && r.endLine >= range.endLine);
      const firstChange = Math.min(...(focus ?? [unit.range?.startLine ?? 1]));
      const calls: UnitContext['calls'] = [];
      const callees: Definition[] = [];
      const missing: string[] = [];
      for (const name of called) {
        const own = definedAs(name);
        if (own.length > 0) {
          calls.push({ name, resolved: 'same-file' });
          for (const d of own) if (!shown(d.range) && !callees.some((c) => overlaps(c.range, d.range))) callees.push(d);
        } else if (name.length >= 3 && !COMMON_NAMES[family].has(name)) missing.push(name);
        else calls.push({ name, resolved: 'none' });
      }
      const nearest = (a: Definition, b: Definition): number =>
        Math.abs(a.range.startLine - firstChange) - Math.abs(b.range.startLine - firstChange);
      callees.sort(nearest);
      // What the rest of the shown code calls in this file (the enclosing function's other calls):
      // sent after what the changed lines call, here and in other files, so the budget serves those first.
      const more: Definition[] = [];
      if (!wholeFile) {
        const shownLines = new Set<number>();
        for (const r of regions.ranges) for (let l = r.startLine; l <= r.endLine; l++) shownLines.add(l);
        for (const name of callsOnLines(tree, family, shownLines)) {
          if (called.includes(name)) continue;
          for (const d of definedAs(name))
            if (!shown(d.range) && ![...callees, ...more].some((c) => overlaps(c.range, d.range))) more.push(d);
        }
        more.sort(nearest);
      }

      const imports = importsIn(tree, family);

      const related = await this.relatedDefinitions(unit, family, missing, tree);
      for (const name of missing)
        calls.push({ name, resolved: related.some((r) => r.calledAs === name) ? 'other-file' : 'none' });
      return {
        regions: regions.ranges,
        widened: regions.widened,
        callees,
        shownCodeCallees: more,
        imports,
        related,
        calls,
      };
    });
  }

  /** The regions of a diff's focus lines or a selection, each widened to its enclosing function or class. */
  private widen(
    tree: Tree,
    kinds: SyntaxKinds,
    unit: ReviewUnit,
    focus: number[] | undefined,
    lineCount: number,
  ): { ranges: LineRange[]; widened: number } {
    const n = this.options.contextLines;
    const ranges: LineRange[] = unit.range && !focus ? [{ ...unit.range }] : [];
    const anchors = focus ?? (unit.range ? [unit.range.startLine, unit.range.endLine] : []);
    const seen = new Set<number>();
    let widened = 0;
    for (const line of anchors) {
      if (line < 1 || line > lineCount) continue;
      const node = enclosingOf(tree, kinds, line, unit.text);
      const window = { startLine: Math.max(1, line - n), endLine: Math.min(lineCount, line + n) };
      if (!node) {
        if (focus) ranges.push(window);
        continue;
      }
      const range = linesOf(node);
      const whole = rangeLength(range) <= MAX_ENCLOSING_LINES;
      // A function shorter than the lines around a change (a callback on one line) is not enough context.
      if ((!whole || rangeLength(range) < 2 * n + 1) && focus) ranges.push(window);
      if (seen.has(node.id)) continue;
      seen.add(node.id);
      ranges.push(whole ? range : { startLine: range.startLine, endLine: range.startLine });
      const wider = focus
        ? range.startLine < window.startLine
        : range.startLine < unit.range!.startLine || range.endLine > unit.range!.endLine;
      if (wider || !whole) widened++;
    }
    return { ranges: mergeRanges(ranges), widened };
  }

  /**
   * Definitions of `names` in the repository's other files of the same language family: first in
   * the files the reviewed file imports (imports.ts), then in the others, nearest first.
   */
  private async relatedDefinitions(
    unit: ReviewUnit,
    family: LanguageFamily,
    names: string[],
    tree: Tree,
  ): Promise<RelatedDefinition[]> {
    const repository = this.options.repository;
    if (!repository || names.length === 0) return [];
    const own = this.options.repositoryPath?.(unit.path) ?? unit.path;
    const sameFamily = (file: string): boolean => {
      const grammar = grammarForUnit(file, undefined);
      return grammar !== undefined && familyOf(grammar) === family && !/\.d\.ts$/.test(file);
    };
    const index = await this.repositoryIndex(repository);
    const imports = await importedFiles(tree, family, own, index, (file) => this.readCached(repository, file));
    const imported = imports.files.filter(sameFamily);
    const importedSet = new Set(imported);
    const others = nearestFirst(
      (await repository.list()).filter((file) => file !== own && !importedSet.has(file) && sameFamily(file)),
      own,
    ).slice(0, MAX_FILES_SEARCHED);
    // The name each call is defined under (an import may rename it), and the names still looked for.
    const wanted = new Map<string, string[]>();
    for (const name of names) {
      const defined = imports.aliases.get(name) ?? name;
      wanted.set(defined, [...(wanted.get(defined) ?? []), name]);
    }
    const out: RelatedDefinition[] = [];
    for (const file of [...imported, ...others]) {
      if (wanted.size === 0) break;
      const text = await this.readCached(repository, file);
      if (text === undefined || ![...wanted.keys()].some((name) => text.includes(name))) continue;
      const definitions = await this.definitionsOf(file, text);
      if (!definitions) continue;
      const lines = text.split(/\r?\n/);
      for (const [name, calledAs] of [...wanted]) {
        const found = definitions.filter((d) => d.name === name);
        if (found.length === 0) continue;
        wanted.delete(name);
        for (const d of found)
          for (const as of calledAs)
            out.push({
              ...d,
              file,
              text: lines.slice(d.range.startLine - 1, d.range.endLine).join('\n'),
              calledAs: as,
              imported: importedSet.has(file),
            });
      }
    }
    return out;
  }

  private index: Promise<RepositoryIndex> | undefined;

  private repositoryIndex(repository: RepositoryFiles): Promise<RepositoryIndex> {
    return (this.index ??= repository.list().then((files) => new RepositoryIndex(files)));
  }

  private readonly texts = new Map<string, Promise<string | undefined>>();

  private readCached(repository: RepositoryFiles, file: string): Promise<string | undefined> {
    let text = this.texts.get(file);
    if (!text) {
      text = repository.read(file);
      this.texts.set(file, text);
    }
    return text;
  }

  private definitionsOf(file: string, text: string): Promise<Definition[] | undefined> {
    let parsed = this.parsedFiles.get(file);
    if (!parsed) {
      const grammar = grammarForUnit(file, undefined) as GrammarName;
      parsed = parserFor(grammar).then((parser) => {
        const tree = parser.parse(text);
        if (!tree) return undefined;
        try {
          return definitionsIn(tree, familyOf(grammar));
        } finally {
          tree.delete();
        }
      });
      this.parsedFiles.set(file, parsed);
    }
    return parsed;
  }
}
