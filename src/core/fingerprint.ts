import { createHash } from 'node:crypto';
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import type { ReviewFinding } from './findings';
import { parserFor } from './offline/grammars';
import { grammarForUnit } from './offline/languages';
import type { GrammarName } from './offline/types';
import { REDACTION_MARK } from './review/redact';
import { isBinaryText } from './review/binary';

/**
 * A finding's stable identity: what it is about, never where it is. The recipe is the rule id (for
 * model findings `review/<category>`, so the category), the file, the quoted code with whitespace
 * normalised, and the enclosing symbol (function, method, class). Line numbers are not part of it, so
 * a finding keeps its identity when lines above it are inserted or removed and when unrelated code
 * changes; it changes when the quoted code changes, or moves to another function.
 *
 * Used by the editor (dismissals), the CLI (repository dismissals, baselines), SARIF
 * `partialFingerprints` and the JSON report. Bump FINGERPRINT_VERSION when the recipe changes.
 */
export const FINGERPRINT_VERSION = 2;

export interface FingerprintSubject {
  ruleId: string;
  file: string;
  quote: string;
  title: string;
  /** Tells apart quotes that differ only in a redacted secret (the message names the variable). */
  message?: string;
  /** Qualified name of the enclosing declaration (`OrderService.create`), '' at the top level. */
  symbol?: string;
}

/**
 * Code with formatting taken out: runs of whitespace become one space, and whitespace next to
 * punctuation goes (`foo( a ,b )` and `foo(a, b)` are the same code). Line breaks inside the quote
 * are whitespace like any other.
 */
export function normaliseCode(code: string): string {
  return code
    .replace(/\s+/g, ' ')
    .replace(/ ?([^\w\s$]) ?/g, '$1')
    .trim();
}

/** 32 hex characters (128 bits of SHA-256). */
export function findingFingerprint(subject: FingerprintSubject): string {
  const quote = normaliseCode(subject.quote);
  const what = quote.includes(REDACTION_MARK)
    ? `${quote}\u0000${(subject.message ?? '').trim()}`
    : quote || subject.title.trim().toLowerCase();
  return createHash('sha256')
    .update(
      [`v${FINGERPRINT_VERSION}`, subject.ruleId, subject.file.replace(/\\/g, '/'), subject.symbol ?? '', what].join(
        '\u0000',
      ),
    )
    .digest('hex')
    .slice(0, 32);
}

/** Node types that declare a named scope, per grammar family, and where their name is. */
const DECLARATIONS: Record<string, ReadonlySet<string>> = {
  js: new Set([
    'function_declaration',
    'generator_function_declaration',
    'class_declaration',
    'abstract_class_declaration',
    'method_definition',
    'interface_declaration',
    'enum_declaration',
    'internal_module',
    'module',
  ]),
  python: new Set(['function_definition', 'class_definition']),
  go: new Set(['function_declaration', 'method_declaration', 'type_spec']),
};

function familyOf(grammar: GrammarName): 'js' | 'python' | 'go' {
  if (grammar === 'python') return 'python';
  if (grammar === 'go') return 'go';
  return 'js';
}

/** `const handler = async () => …` and `handler = function () {…}` name the function they hold. */
const JS_FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);

function declarationName(node: Node, family: 'js' | 'python' | 'go'): string | undefined {
  if (family === 'js' && JS_FUNCTION_VALUES.has(node.type)) {
    const parent = node.parent;
    if (parent?.type === 'variable_declarator') return parent.childForFieldName('name')?.text;
    if (parent?.type === 'pair') return parent.childForFieldName('key')?.text;
    if (parent?.type === 'public_field_definition') return parent.childForFieldName('name')?.text;
    if (parent?.type === 'assignment_expression') return parent.childForFieldName('left')?.text;
    return undefined;
  }
  if (!DECLARATIONS[family].has(node.type)) return undefined;
  const name = node.childForFieldName('name')?.text;
  if (family === 'go' && node.type === 'method_declaration') {
    // `func (s *Store) Get()` → `Store.Get`: the receiver's type names the scope.
    const receiver = node.childForFieldName('receiver')?.text ?? '';
    const type = /([A-Za-z_]\w*)(?:\[[^\]]*\])?\s*\)\s*$/.exec(receiver)?.[1];
    return type && name ? `${type}.${name}` : name;
  }
  return name;
}

/** The smallest node starting on `line` (0-based) that is not just whitespace: where the finding is. */
function nodeOnLine(root: Node, line: number, lineText: string): Node {
  const column = lineText.length - lineText.trimStart().length;
  return root.descendantForPosition({ row: line, column }) ?? root;
}

/** Qualified name of the declarations around a line, outermost first, from a syntax tree. */
function symbolFromTree(root: Node, line: number, lineText: string, family: 'js' | 'python' | 'go'): string {
  const names: string[] = [];
  for (let node: Node | null = nodeOnLine(root, line, lineText); node; node = node.parent) {
    const name = declarationName(node, family);
    if (name) names.unshift(...name.split('.'));
  }
  // Go methods bring their receiver: a type declared around them is not nested in the source.
  return names.join('.');
}

/**
 * Declaration lines as text, for languages without a grammar here (and files that do not parse):
 * `function f`, `def f`, `class C`, `func (r T) f`, `fn f`, `fun f`, `sub f`, and method-like lines
 * `name(args) {` in C-family code.
 */
const DECLARATION_LINE =
  /^\s*(?:(?:export|public|private|protected|internal|static|async|abstract|final|override|virtual|pub(?:\([^)]*\))?|default|open|suspend|inline|unsafe|extern|partial|sealed)\s+)*(?:(?:function\*?|def|class|interface|struct|enum|trait|impl|module|namespace|object|fn|fun|func|sub|type)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)|(?:[A-Za-z_$][\w$<>,[\]?. ]*\s+)?([A-Za-z_$][\w$]*)\s*\([^;]*\)\s*(?:[\w\s,.<>[\]:?|&]*)\{\s*$)/;
const NOT_A_NAME = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'else', 'do', 'try', 'with', 'new']);

/** Name on the nearest line at or before `line` (0-based) that declares something, by text. */
export function enclosingSymbolByText(text: string, line: number): string {
  const lines = text.split('\n');
  for (let i = Math.min(line, lines.length - 1); i >= 0; i--) {
    const match = DECLARATION_LINE.exec(lines[i]);
    const name = match?.[1] ?? match?.[2];
    if (name && !NOT_A_NAME.has(name)) return name;
  }
  return '';
}

/**
 * Finds enclosing symbols in one file: parses it once with tree-sitter where a grammar exists, and
 * reads declaration lines by text otherwise. Lines are 1-based.
 */
export class SymbolLocator {
  private root: Node | null | undefined;
  private readonly lines: string[];

  private constructor(
    private readonly text: string,
    private readonly family: 'js' | 'python' | 'go' | undefined,
    root: Node | null,
  ) {
    this.root = root;
    this.lines = text.split('\n');
  }

  static async forFile(path: string, text: string, language?: string): Promise<SymbolLocator> {
    const grammar = grammarForUnit(path, language);
    if (!grammar || isBinaryText(text)) return new SymbolLocator(text, undefined, null);
    try {
      const parser = await parserFor(grammar);
      const tree = parser.parse(text);
      // Symbols are read right away (symbolAt); a tree kept across awaits would hold WASM memory.
      return new SymbolLocator(text, familyOf(grammar), tree?.rootNode ?? null);
    } catch {
      // No grammar files (a broken build): declarations by text still give a symbol.
      return new SymbolLocator(text, undefined, null);
    }
  }

  /**
   * A locator over a tree the caller parsed from `text` with `grammar` and still owns (do not
   * dispose): the same symbols forFile would find, without parsing again.
   */
  static fromTree(text: string, grammar: GrammarName, tree: Tree): SymbolLocator {
    return new SymbolLocator(text, familyOf(grammar), tree.rootNode);
  }

  /** Qualified name of the declarations enclosing `line` (1-based), '' at the top level. */
  symbolAt(line: number): string {
    const row = Math.max(0, Math.min(line - 1, this.lines.length - 1));
    if (this.root && this.family) {
      const fromTree = symbolFromTree(this.root, row, this.lines[row] ?? '', this.family);
      if (fromTree !== '' || !this.root.hasError) return fromTree;
    }
    return enclosingSymbolByText(this.text, row);
  }

  /** Frees the syntax tree (WASM memory); symbolAt reads by text afterwards. */
  dispose(): void {
    this.root?.tree.delete();
    this.root = null;
  }
}

/**
 * The enclosing symbols of `lines` (1-based), as SymbolLocator.forFile(path, text).symbolAt would
 * give them, read from a tree already parsed from `text` with `grammar` (the offline checks' tree,
 * so that fingerprinting the findings does not parse the file a second time). Undefined when
 * forFile would not read this tree: the path alone names another grammar, or the text holds NUL.
 */
export function symbolsFromTree(
  path: string,
  text: string,
  grammar: GrammarName,
  tree: Tree,
  lines: readonly number[],
): string[] | undefined {
  if (grammarForUnit(path, undefined) !== grammar || isBinaryText(text)) return undefined;
  const locator = SymbolLocator.fromTree(text, grammar, tree);
  return lines.map((line) => locator.symbolAt(line));
}

/** The enclosing symbol of a file's line when it is already known (symbolsFromTree), else undefined. */
export type KnownSymbol = (file: string, line: number) => string | undefined;

/**
 * Fingerprints for findings, reading each file's text once through `textOf` (undefined when the text
 * is not at hand: the symbol is then left empty). `projectPath` maps a finding's file to the path
 * that goes into the fingerprint: relative to the project root, so a review run from a sub-folder,
 * the editor and CI agree. A file whose findings all have a `known` symbol is not read or parsed.
 */
export async function fingerprintFindings(
  findings: readonly ReviewFinding[],
  textOf: (file: string) => string | undefined | Promise<string | undefined>,
  projectPath: (file: string) => string = (file) => file,
  known?: KnownSymbol,
): Promise<string[]> {
  const byFile = new Map<string, number[]>();
  findings.forEach((f, i) => {
    const indexes = byFile.get(f.file);
    if (indexes) indexes.push(i);
    else byFile.set(f.file, [i]);
  });
  const out = new Array<string>(findings.length);
  for (const [file, indexes] of byFile) {
    const inProject = projectPath(file);
    const symbols = known && indexes.map((i) => known(file, findings[i].startLine));
    if (symbols?.every((symbol) => symbol !== undefined)) {
      indexes.forEach((i, at) => {
        out[i] = findingFingerprint({ ...findings[i], file: inProject, symbol: symbols[at] });
      });
      continue;
    }
    const text = await textOf(file);
    const locator = text === undefined ? undefined : await SymbolLocator.forFile(file, text);
    try {
      for (const i of indexes) {
        const f = findings[i];
        out[i] = findingFingerprint({ ...f, file: inProject, symbol: locator?.symbolAt(f.startLine) ?? '' });
      }
    } finally {
      locator?.dispose();
    }
  }
  return out;
}
