/**
 * What a Python module's plain functions do that its importers need to know, read from the text (no
 * parse): whether a top-level `def` blocks the thread (a `requests` call, `time.sleep`, `urlopen`), and
 * the names a module imports with `from … import …`. ProjectFacts joins the two (UnitFacts.pyBlockingImports)
 * so that blocking-call-in-async sees a blocking helper called from `async def` in another module.
 */

/** One `from MODULE import a, b as c` at the top level: the leading dots, the module path, and (imported, local) pairs. */
export interface PyFromImport {
  level: number;
  module: string;
  names: Array<{ imported: string; local: string }>;
}

const FROM_IMPORT = /^from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*(?:\\\n[^\n]*)*)/gm;

/** The file's top-level `from … import …` statements (not `import *`). */
export function pyFromImports(text: string): PyFromImport[] {
  const found: PyFromImport[] = [];
  for (const match of text.matchAll(FROM_IMPORT)) {
    const list = match[3]
      .replace(/^\(|\)$/g, '')
      .replace(/#[^\n]*/g, '')
      .replace(/\\\n/g, ' ');
    const names: PyFromImport['names'] = [];
    for (const piece of list.split(',')) {
      const named = /^\s*([A-Za-z_]\w*)(?:\s+as\s+([A-Za-z_]\w*))?\s*$/.exec(piece);
      if (named) names.push({ imported: named[1], local: named[2] ?? named[1] });
    }
    if (names.length > 0) found.push({ level: match[1].length, module: match[2], names });
  }
  return found;
}

/** A call that holds the thread until the network or the clock answers. */
const BLOCKING_CALL =
  /\b(?:requests\.(?:get|post|put|patch|delete|head|request|options)|time\.sleep|urllib\.request\.urlopen)[ \t]*\(/g;
const IMPORTS_REQUESTS = /^[ \t]*import[ \t]+requests[ \t]*(?:#[^\n]*)?$/m;
const IMPORTS_TIME = /^[ \t]*import[ \t]+(?:[\w.]+[ \t]*,[ \t]*)*time\b/m;
const IMPORTS_URLLIB = /^[ \t]*import[ \t]+urllib(?:\.request)?\b/m;
/** A header that opens a scope of its own: `def`, `async def`, `class`, or a line holding a `lambda`. */
const SCOPE_HEADER = /^(?:(?:async[ \t]+)?def|class)\b|\blambda\b/;

/**
 * Per plain top-level function (`def NAME(` at column 0) of a module, the first call in its own body that
 * blocks the thread (`requests.get(…)` with `import requests`, `time.sleep(…)` with `import time`,
 * `urllib.request.urlopen(…)`), with its 1-based line; not one inside a function, class or lambda nested in
 * it (run elsewhere, or handed to a thread).
 */
export function pyBlockingFunctions(text: string): Map<string, { call: string; line: number }> {
  const found = new Map<string, { call: string; line: number }>();
  const modules = {
    requests: IMPORTS_REQUESTS.test(text),
    time: IMPORTS_TIME.test(text),
    urllib: IMPORTS_URLLIB.test(text),
  };
  if (!modules.requests && !modules.time && !modules.urllib) return found;
  const lines = text.split('\n');
  let current: string | undefined;
  // The indentation of each scope header open inside the current function (innermost last).
  let nested: number[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index];
    const code = line.trimStart();
    if (code === '' || code.startsWith('#')) continue;
    const indent = line.length - code.length;
    // `):` closing a signature written over several lines belongs to the `def` above it.
    if (indent === 0 && !/^[)\]}]/.test(code)) {
      current = /^def[ \t]+([A-Za-z_]\w*)[ \t]*\(/.exec(code)?.[1];
      nested = [];
      continue;
    }
    if (current === undefined || found.has(current)) continue;
    while (nested.length > 0 && indent <= nested[nested.length - 1]) nested.pop();
    for (const match of code.matchAll(BLOCKING_CALL)) {
      const call = match[0].replace(/[ \t]*\($/, '');
      const root = call.split('.')[0] as keyof typeof modules;
      const inLambda = /\blambda\b/.test(code.slice(0, match.index));
      if (nested.length === 0 && !inLambda && modules[root]) {
        found.set(current, { call, line: index + 1 });
        break;
      }
    }
    if (SCOPE_HEADER.test(code)) nested.push(indent);
  }
  return found;
}

/**
 * The project files (`/`-separated, from the root) a `from` import of a module in folder `dir` may name:
 * relative (`from .net import x`, `from ..util import y`) from the folder, absolute (`from app.net import x`)
 * from each folder above the module's, nearest first (a project's packages sit under its root, `src/` or
 * a folder above them); each as `NAME.py` or `NAME/__init__.py`.
 */
export function pyImportCandidates(dir: string, imported: PyFromImport): string[] {
  const parts = dir.split('/').filter(Boolean);
  const path = imported.module.split('.').filter(Boolean);
  if (path.length === 0) return [];
  const bases: string[][] = [];
  if (imported.level > 0) {
    if (imported.level - 1 > parts.length) return [];
    bases.push(parts.slice(0, parts.length - (imported.level - 1)));
  } else for (let keep = parts.length; keep >= 0; keep -= 1) bases.push(parts.slice(0, keep));
  return bases.flatMap((base) => {
    const stem = [...base, ...path].join('/');
    return [`${stem}.py`, `${stem}/__init__.py`];
  });
}
