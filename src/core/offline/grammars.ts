import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from '@vscode/tree-sitter-wasm';
import { GRAMMARS, type GrammarName } from './types';

/**
 * Loads web-tree-sitter and the language grammars lazily, once per process, only for the
 * languages in use. The .wasm files come from `dist/grammars/` in the bundle (copied by
 * scripts/build.mjs) or from the @vscode/tree-sitter-wasm package when running from source.
 */

const RUNTIME_WASM = 'tree-sitter.wasm';

function candidateDirs(): string[] {
  const dirs = [path.join(__dirname, 'grammars')];
  try {
    dirs.push(path.dirname(require.resolve('@vscode/tree-sitter-wasm')));
  } catch {
    // Not resolvable inside the bundle (the VSIX ships without node_modules); dist/grammars serves.
  }
  return dirs;
}

let grammarDir: string | undefined;

/** The folder holding tree-sitter.wasm and the grammar .wasm files. */
function grammarDirectory(): string {
  if (grammarDir) return grammarDir;
  const dirs = candidateDirs();
  const found = dirs.find((dir) => fs.existsSync(path.join(dir, RUNTIME_WASM)));
  if (!found) {
    throw new Error(
      `Offline checks: tree-sitter grammars not found (looked for ${RUNTIME_WASM} in ${dirs.join(', ')}). Rebuild with \`npm run build\`.`,
    );
  }
  grammarDir = found;
  return found;
}

let runtimeReady: Promise<void> | undefined;
const languages = new Map<GrammarName, Promise<Language>>();
const parsers = new Map<GrammarName, Parser>();

function initRuntime(): Promise<void> {
  if (!runtimeReady) {
    const dir = grammarDirectory();
    runtimeReady = Parser.init({ locateFile: (file: string) => path.join(dir, file) });
    // A failed init must not poison later attempts (for example after the files are rebuilt).
    runtimeReady.catch(() => {
      runtimeReady = undefined;
    });
  }
  return runtimeReady;
}

function loadLanguage(grammar: GrammarName): Promise<Language> {
  let loading = languages.get(grammar);
  if (!loading) {
    loading = initRuntime().then(() => Language.load(path.join(grammarDirectory(), `tree-sitter-${grammar}.wasm`)));
    languages.set(grammar, loading);
    loading.catch(() => languages.delete(grammar));
  }
  return loading;
}

/** Loads the runtime and the given grammars (all when omitted): for warm-up and the benchmark. */
export async function loadGrammars(grammars: readonly GrammarName[] = GRAMMARS): Promise<void> {
  await Promise.all(grammars.map((grammar) => loadLanguage(grammar)));
}

/** One parser per grammar, reused: parsing is synchronous, so there is no sharing hazard. */
export async function parserFor(grammar: GrammarName): Promise<Parser> {
  const language = await loadLanguage(grammar);
  let parser = parsers.get(grammar);
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(language);
    parsers.set(grammar, parser);
  }
  return parser;
}

/** The .wasm files the bundle needs; scripts/build.mjs copies its own GRAMMAR_WASM list, which a unit test keeps equal to this one. */
export function wasmFiles(): string[] {
  return [RUNTIME_WASM, ...GRAMMARS.map((grammar) => `tree-sitter-${grammar}.wasm`)];
}
