import * as path from 'node:path';
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import type { LanguageFamily } from '../offline/types';
import { field } from '../offline/syntax';

/**
 * The repository files a file imports, found from its import statements with tree-sitter, so that
 * the definitions its changed lines call are looked up first where the file says they come from:
 * relative imports and `require`s in TypeScript and JavaScript (with or without the extension, a
 * folder's index, `./x.js` written for `x.ts`), path aliases that name a repository folder
 * (`@/lib/x`, `~/lib/x`, `@server/models`); Python's relative and absolute module imports (a module
 * or a package's `__init__.py`, wherever the source root is); Go's own package (the other files of
 * the folder) and the packages of the module (`go.mod`'s module path). Third-party imports resolve
 * to nothing and are left to the name search.
 */

export interface FileImports {
  /** Repository files, in the order the imports name them (Go: the file's own package first). */
  files: string[];
  /** Local names bound to another exported name: `import { a as b }`, `from m import a as b` (b → a). */
  aliases: Map<string, string>;
}

const JS_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];

function stringValue(node: Node | null): string | undefined {
  if (!node) return undefined;
  const text = node.text;
  const match = /^(["'`])(.*)\1$/s.exec(text);
  return match ? match[2] : undefined;
}

/** The index of repository files by path without its extension (and a folder by its index file). */
export class RepositoryIndex {
  private readonly set: ReadonlySet<string>;
  /** `a/b/c` → files `a/b/c.ts`, `a/b/c/index.ts`, `a/b/c.py`, `a/b/c/__init__.py`. */
  private readonly byStem = new Map<string, string[]>();
  /** Folder → its files. */
  private readonly byFolder = new Map<string, string[]>();

  constructor(files: readonly string[]) {
    this.set = new Set(files);
    for (const file of files) {
      const folder = path.posix.dirname(file);
      const inFolder = this.byFolder.get(folder);
      if (inFolder) inFolder.push(file);
      else this.byFolder.set(folder, [file]);
      const ext = path.posix.extname(file);
      if (ext === '') continue;
      let stem = file.slice(0, -ext.length);
      const base = path.posix.basename(stem);
      if (base === 'index' || base === '__init__') stem = path.posix.dirname(stem);
      const list = this.byStem.get(stem);
      if (list) list.push(file);
      else this.byStem.set(stem, [file]);
    }
  }

  has(file: string): boolean {
    return this.set.has(file);
  }

  folder(folder: string): readonly string[] {
    return this.byFolder.get(folder) ?? [];
  }

  /** Files whose path without extension is `stem` (or a folder `stem` with an index file), of the extensions given. */
  stem(stem: string, extensions: readonly string[]): string[] {
    return (this.byStem.get(stem) ?? []).filter((file) => extensions.includes(path.posix.extname(file)));
  }

  /** Files whose stem ends with `/suffix` or is `suffix` (a module path whose source root is unknown). */
  stemSuffix(suffix: string, extensions: readonly string[]): string[] {
    const out = this.stem(suffix, extensions);
    const tail = `/${suffix}`;
    for (const [stem, files] of this.byStem)
      if (stem.endsWith(tail)) out.push(...files.filter((file) => extensions.includes(path.posix.extname(file))));
    return out;
  }
}

/** What `from` (a repository-relative file) imports, as repository files. */
export async function importedFiles(
  tree: Tree,
  family: LanguageFamily,
  from: string,
  index: RepositoryIndex,
  read: (file: string) => Promise<string | undefined>,
): Promise<FileImports> {
  const out: FileImports = { files: [], aliases: new Map() };
  const add = (files: readonly string[]): void => {
    for (const file of files) if (file !== from && !out.files.includes(file)) out.files.push(file);
  };
  const folder = path.posix.dirname(from);
  if (family === 'js') {
    for (const spec of jsImports(tree, out.aliases)) add(resolveJs(spec, folder, index));
  } else if (family === 'python') {
    for (const { module, level, names } of pythonImports(tree, out.aliases))
      add(resolvePython(module, level, names, folder, index));
  } else {
    // The file's own package first: the folder's other (non-test) Go files.
    add(index.folder(folder).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go')));
    const specs = goImports(tree);
    if (specs.length > 0) {
      const module = await goModule(folder, index, read);
      if (module)
        for (const spec of specs) {
          if (spec !== module.path && !spec.startsWith(`${module.path}/`)) continue;
          const dir = path.posix.join(module.root, spec.slice(module.path.length).replace(/^\//, ''));
          add(index.folder(dir === '' ? '.' : dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go')));
        }
    }
  }
  return out;
}

/** Import sources of a JS/TS file (renamed imports noted in `aliases`): `import … from 's'`, `require('s')`, `export … from 's'`. */
function jsImports(tree: Tree, aliases: Map<string, string>): string[] {
  const out: string[] = [];
  const note = (spec: string): void => {
    if (!out.includes(spec)) out.push(spec);
  };
  for (const node of tree.rootNode.namedChildren) {
    if (!node) continue;
    if (node.type === 'import_statement' || node.type === 'export_statement') {
      const spec = stringValue(field(node, 'source'));
      if (!spec) continue;
      for (const specifier of node.descendantsOfType(['import_specifier', 'export_specifier'])) {
        if (!specifier) continue;
        const name = field(specifier, 'name')?.text;
        const alias = field(specifier, 'alias')?.text;
        if (name && alias && alias !== name) aliases.set(alias, name);
      }
      note(spec);
    } else if (node.type === 'lexical_declaration' || node.type === 'variable_declaration') {
      for (const match of node.text.matchAll(/\brequire\s*\(\s*(['"])([^'"]+)\1\s*\)/g)) note(match[2]);
    }
  }
  return out;
}

function resolveJs(spec: string, folder: string, index: RepositoryIndex): string[] {
  const clean = spec.replace(/[?#].*$/, '');
  let stems: string[];
  if (clean.startsWith('.')) stems = [path.posix.normalize(path.posix.join(folder, clean))];
  // Path aliases: `@/lib/x`, `~/lib/x` (the source root), `@server/models` (a folder of the repository).
  else if (/^[@~#]\//.test(clean)) stems = [clean.slice(2), `src/${clean.slice(2)}`];
  else if (/^@[\w.-]+\/./.test(clean)) stems = [clean.slice(1)];
  // `lib/x` under a `baseUrl`; a package's subpath (`lodash/fp`) matches no repository file.
  else if (clean.includes('/')) stems = [clean, `src/${clean}`];
  else return [];
  for (const stem of stems) {
    const withoutJs = stem.replace(/\.(m|c)?jsx?$/, '');
    const found = index.stem(withoutJs, JS_EXTENSIONS);
    if (found.length > 0) return found;
  }
  if (clean.startsWith('.')) return [];
  // An alias whose root is not the repository's nor `src/`: the folder wherever it is, when that is clear.
  const anywhere = index.stemSuffix(stems[0].replace(/\.(m|c)?jsx?$/, ''), JS_EXTENSIONS);
  return anywhere.length <= 3 ? anywhere : [];
}

interface PythonImport {
  /** Dotted module path without the leading dots (may be empty for `from . import x`). */
  module: string;
  /** Leading dots: 0 absolute, 1 this package, 2 the parent... */
  level: number;
  /** Names imported from the module (each may be a submodule). */
  names: string[];
}

function pythonImports(tree: Tree, aliases: Map<string, string>): PythonImport[] {
  const out: PythonImport[] = [];
  const nameOf = (node: Node): string | undefined => {
    if (node.type === 'aliased_import') {
      const name = field(node, 'name')?.text;
      const alias = field(node, 'alias')?.text;
      if (name && alias && alias !== name) aliases.set(alias, name.split('.').pop() as string);
      return name;
    }
    return node.type === 'dotted_name' ? node.text : undefined;
  };
  for (const node of tree.rootNode.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!node) continue;
    if (node.type === 'import_statement') {
      for (const child of node.namedChildren) {
        const name = child ? nameOf(child) : undefined;
        if (name) out.push({ module: name, level: 0, names: [] });
      }
      continue;
    }
    const moduleNode = field(node, 'module_name');
    if (!moduleNode) continue;
    let module = moduleNode.text;
    let level = 0;
    if (moduleNode.type === 'relative_import') {
      level = /^\.*/.exec(module)?.[0].length ?? 0;
      module = module.slice(level);
    }
    const names: string[] = [];
    for (const child of node.namedChildren) {
      if (!child || child.id === moduleNode.id) continue;
      const name = nameOf(child);
      if (name) names.push(name);
    }
    out.push({ module, level, names });
  }
  return out;
}

function resolvePython(
  module: string,
  level: number,
  names: string[],
  folder: string,
  index: RepositoryIndex,
): string[] {
  const dotted = module.replace(/\./g, '/');
  const found: string[] = [];
  const py = ['.py', '.pyi'];
  if (level > 0) {
    let base = folder;
    for (let i = 1; i < level; i++) base = path.posix.dirname(base);
    const stem = dotted === '' ? base : base === '.' ? dotted : `${base}/${dotted}`;
    found.push(...index.stem(stem, py));
    // `from . import views` / `from .api import routes`: the names may be submodules.
    for (const name of names) found.push(...index.stem(`${stem}/${name}`, py));
    return found;
  }
  if (dotted === '') return found;
  // An absolute import: the source root is unknown (`app/`, `src/`, the repository root), so any
  // file whose path ends with the module's.
  const matches = index.stemSuffix(dotted, py);
  // A name that is as common as `utils` or `models` may be in many places: only a few are believable.
  if (matches.length <= 4) found.push(...matches);
  for (const name of names) {
    const sub = index.stemSuffix(`${dotted}/${name}`, py);
    if (sub.length <= 4) found.push(...sub);
  }
  return found;
}

function goImports(tree: Tree): string[] {
  const out: string[] = [];
  for (const spec of tree.rootNode.descendantsOfType('import_spec')) {
    const value = stringValue(field(spec, 'path'));
    if (value) out.push(value);
  }
  return out;
}

/** The Go module a folder belongs to: the nearest `go.mod` above it, its folder and module path. */
async function goModule(
  folder: string,
  index: RepositoryIndex,
  read: (file: string) => Promise<string | undefined>,
): Promise<{ root: string; path: string } | undefined> {
  for (let dir = folder; ; dir = path.posix.dirname(dir)) {
    const file = dir === '.' ? 'go.mod' : `${dir}/go.mod`;
    if (index.has(file)) {
      const text = await read(file);
      const match = text ? /^module\s+("?)([^\s"]+)\1\s*$/m.exec(text) : null;
      return match ? { root: dir === '.' ? '' : dir, path: match[2] } : undefined;
    }
    if (dir === '.' || dir === '/' || dir === '') return undefined;
  }
}
