import type { GrammarName } from './types';

const BY_EXTENSION: Record<string, GrammarName> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.py': 'python',
  '.pyi': 'python',
  '.go': 'go',
};

const BY_LANGUAGE_ID: Record<string, GrammarName> = {
  typescript: 'typescript',
  typescriptreact: 'tsx',
  tsx: 'tsx',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  jsx: 'javascript',
  python: 'python',
  go: 'go',
  golang: 'go',
};

/**
 * The grammar for a VS Code language id (`typescriptreact`) or a path (`src/app.tsx`), or
 * undefined when the offline checks do not cover it.
 */
export function supportedLanguage(languageIdOrPath: string): GrammarName | undefined {
  const key = languageIdOrPath.trim();
  const byId = BY_LANGUAGE_ID[key.toLowerCase()];
  if (byId) return byId;
  const dot = key.lastIndexOf('.');
  if (dot < 0 || dot < key.lastIndexOf('/')) return undefined;
  return BY_EXTENSION[key.slice(dot).toLowerCase()];
}

/** Path first (it tells .tsx from .ts), then the language id. */
export function grammarForUnit(path: string, language: string | undefined): GrammarName | undefined {
  const byPath = supportedLanguage(path);
  if (byPath) return byPath;
  return language ? supportedLanguage(language) : undefined;
}
