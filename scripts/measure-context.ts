/**
 * Measures what a diff review sends besides the changed lines, on a real repository's history:
 *
 *   npx tsx scripts/measure-context.ts GIT_DIR [--commits N] [--large FILE] [--budget TOKENS] [--commit SHA]
 *
 * For each of the last N non-merge commits that change .go/.py/.ts/.js files, the commit's diff is
 * reviewed as `review --diff COMMIT^` would review it (the repository read at COMMIT from git's
 * objects) against a scripted model server, and what the server RECEIVED is checked against a
 * ground truth found with plain regular expressions, independent of the tree-sitter search:
 *  - removed lines: every `-` line of the reviewed hunks must be in a request as a removed line
 *    (a line holding a secret counts when it is there redacted: `removedLinesSentRedacted`);
 *  - callees: names called on added lines (`name(`) whose definition the same file holds, or another
 *    file of the same language holds (`func name(`, `def name(`, `function name(`...), count as sent
 *    when a request carries the definition's first line.
 * With `--large FILE` (a path in the repository at HEAD), the prompt tokens of a 5-line change in
 * the file's first 3,000 lines are compared with a whole-file review of those lines.
 * Prints one JSON object with the figures and the commits they come from.
 */
import { execFileSync } from 'node:child_process';
import {
  loadPersonaCatalog,
  bundledSkillsDir,
  personaForMode,
  renderPersona,
  personaRenderContext,
} from '../src/core/personas';
import { OpenAICompatibleProvider } from '../src/core/providers/openaiCompatible';
import type { RepositoryFiles } from '../src/core/review/context';
import { unitsFromDiff } from '../src/core/review/diff';
import { runReview } from '../src/core/review/engine';
import { redactSecrets } from '../src/core/review/redact';
import type { ReviewUnit } from '../src/core/review/types';
import { findingsAnswer, startModelServer } from '../test/support/modelServer';

const SOURCE = /\.(go|py|ts|js)$/;
const KEYWORDS = new Set(
  'if for while switch return func function def class new typeof await async catch with elif print super make len append range map int str float bool dict list set tuple isinstance'.split(
    ' ',
  ),
);

function git(gitDir: string, args: string[]): string {
  return execFileSync('git', [`--git-dir=${gitDir}`, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

function family(file: string): 'go' | 'py' | 'js' {
  if (file.endsWith('.go')) return 'go';
  if (file.endsWith('.py')) return 'py';
  return 'js';
}

/** The first line of a definition of `name`, found by a regular expression (the ground truth). */
function definitionLine(text: string, name: string, lang: 'go' | 'py' | 'js'): string | undefined {
  const n = name.replace(/\$/g, '\\$');
  const patterns =
    lang === 'go'
      ? [new RegExp(`^func\\s+(?:\\([^)]*\\)\\s*)?${n}\\s*[[(]`, 'm')]
      : lang === 'py'
        ? [new RegExp(`^\\s*(?:async\\s+)?def\\s+${n}\\s*\\(`, 'm'), new RegExp(`^\\s*class\\s+${n}\\b`, 'm')]
        : [
            new RegExp(`^\\s*(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?function\\s*\\*?\\s*${n}\\s*\\(`, 'm'),
            new RegExp(
              `^\\s*(?:export\\s+)?(?:const|let|var)\\s+${n}\\s*=\\s*(?:async\\s*)?(?:function|\\(|[A-Za-z_$][\\w$]*\\s*=>)`,
              'm',
            ),
            new RegExp(`^\\s*(?:export\\s+)?(?:default\\s+)?(?:abstract\\s+)?class\\s+${n}\\b`, 'm'),
            new RegExp(
              `^\\s+(?:public\\s+|private\\s+|protected\\s+|static\\s+|async\\s+)*${n}\\s*\\([^)]*\\)\\s*(?::[^{]+)?\\{\\s*$`,
              'm',
            ),
          ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (!match) continue;
    // `^\s*` with the m flag can start on a blank line above the definition: its line is where the text starts.
    const start = match.index + match[0].length - match[0].trimStart().length;
    const end = text.indexOf('\n', start);
    return text.slice(start, end < 0 ? undefined : end).trim();
  }
  return undefined;
}

function calledNames(line: string): string[] {
  const names = new Set<string>();
  for (const m of line.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)) if (!KEYWORDS.has(m[1])) names.add(m[1]);
  return [...names];
}

/** The repository at `commit`, read from git's objects. */
const repositories = new Map<string, RepositoryFiles>();
function repositoryAt(gitDir: string, commit: string): RepositoryFiles {
  const known = repositories.get(commit);
  if (known) return known;
  let files: string[] | undefined;
  const texts = new Map<string, string | undefined>();
  const repository: RepositoryFiles = {
    list: async () => (files ??= git(gitDir, ['ls-tree', '-r', '--name-only', commit]).split('\n').filter(Boolean)),
    read: async (file) => {
      if (texts.has(file)) return texts.get(file);
      let text: string | undefined;
      try {
        text = git(gitDir, ['show', `${commit}:${file}`]);
      } catch {
        text = undefined;
      }
      texts.set(file, text);
      return text;
    },
  };
  repositories.clear();
  repositories.set(commit, repository);
  return repository;
}

async function main(): Promise<void> {
  const [gitDir, ...rest] = process.argv.slice(2);
  if (!gitDir)
    throw new Error('usage: measure-context.ts GIT_DIR [--commits N] [--large FILE] [--budget TOKENS] [--commit SHA]');
  const commitsWanted = Number(rest[rest.indexOf('--commits') + 1] ?? 20) || 20;
  const large = rest.includes('--large') ? rest[rest.indexOf('--large') + 1] : undefined;
  // The context budget of one request (tokens); the engine's default when left out.
  // One commit only (its 12-character or full id), instead of the last ones.
  const only = rest.includes('--commit') ? rest[rest.indexOf('--commit') + 1] : undefined;
  const budgetTokens = rest.includes('--budget') ? Number(rest[rest.indexOf('--budget') + 1]) : undefined;
  if (budgetTokens !== undefined && !(budgetTokens > 0)) throw new Error('--budget needs a positive number of tokens');
  const catalog = await loadPersonaCatalog({ bundledDir: bundledSkillsDir(), includeWorkspace: false });
  const persona = renderPersona(personaForMode(catalog, 'pragmatic'), personaRenderContext({}));
  const server = await startModelServer({ handler: () => findingsAnswer([]) });
  const provider = new OpenAICompatibleProvider({ baseUrl: server.url, model: 'measure', retryBaseDelayMs: 10 });
  const totals = {
    commits: 0,
    files: 0,
    removedLines: 0,
    removedLinesSent: 0,
    /** Removed lines sent with a secret redacted (counted in removedLinesSent). */
    removedLinesSentRedacted: 0,
    sameFileCallees: 0,
    sameFileCalleesSent: 0,
    otherFileCallees: 0,
    otherFileCalleesSent: 0,
    otherFileUniqueCallees: 0,
    otherFileUniqueCalleesSent: 0,
    contextTokens: 0,
    promptTokens: 0,
  };
  const missed: string[] = [];
  const used: string[] = [];
  const started = Date.now();
  try {
    const log = only
      ? [git(gitDir, ['rev-parse', only]).trim()]
      : git(gitDir, ['log', '--no-merges', '--format=%H', '-n', '400', 'HEAD']).split('\n').filter(Boolean);
    for (const commit of log) {
      if (totals.commits >= commitsWanted) break;
      const names = git(gitDir, ['diff', '--name-only', `${commit}^`, commit])
        .split('\n')
        .filter(
          (f) =>
            SOURCE.test(f) &&
            !/(^|\/)(test|tests|__tests__|vendor|docs_src|docs)\//.test(f) &&
            !/_test\.go$|\.test\.[jt]s$|(^|\/)test_[^/]*\.py$/.test(f),
        );
      if (names.length === 0 || names.length > 8) continue;
      const diffText = git(gitDir, ['diff', '--no-color', `${commit}^`, commit, '--', ...names]);
      if (diffText.length > 200_000) continue;
      const repository = repositoryAt(gitDir, commit);
      const { units } = await unitsFromDiff(diffText, async (file) => repository.read(file));
      if (units.length === 0) continue;
      totals.commits++;
      used.push(commit.slice(0, 10));
      const before = server.chatRequests().length;
      const result = await runReview({
        units,
        persona,
        mode: 'pragmatic',
        provider,
        context: {
          repository,
          commitMessages: [git(gitDir, ['log', '-1', '--format=%B', commit]).trim()],
          ...(budgetTokens === undefined ? {} : { budgetTokens }),
        },
      });
      const sent = server.chatRequests().slice(before);
      totals.contextTokens += result.stats.context?.tokens ?? 0;
      totals.promptTokens += result.stats.promptTokens;
      for (const unit of units)
        await score(
          unit,
          commit,
          sent.filter((r) => r.user.includes(`File: ${unit.path}\n`)).map((r) => r.user),
        );
    }
    const ratio = large ? await tokenRatio(large) : undefined;
    const share = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 1000) / 1000);
    console.log(
      JSON.stringify(
        {
          repository: gitDir,
          head: git(gitDir, ['rev-parse', 'HEAD']).trim(),
          ...totals,
          removedShare: share(totals.removedLinesSent, totals.removedLines),
          sameFileShare: share(totals.sameFileCalleesSent, totals.sameFileCallees),
          otherFileShare: share(totals.otherFileCalleesSent, totals.otherFileCallees),
          otherFileUniqueShare: share(totals.otherFileUniqueCalleesSent, totals.otherFileUniqueCallees),
          durationMs: Date.now() - started,
          contextShareOfPrompt: share(totals.contextTokens, totals.promptTokens),
          tokenRatio: ratio,
          commitsUsed: used,
          missedExamples: missed.slice(0, 15),
        },
        null,
        2,
      ),
    );
  } finally {
    await server.close();
  }

  async function score(unit: ReviewUnit, commit: string, requests: string[]): Promise<void> {
    totals.files++;
    const all = requests.join('\n');
    const shownRemoved = new Set([...all.matchAll(/^ +- \| (.*)$/gm)].map((m) => m[1].trim()));
    for (const block of unit.removed ?? []) {
      // A removed line holding a secret is sent redacted, as the review redacts every removed block.
      const redacted = redactSecrets(block.lines.join('\n'), { path: unit.path }).text.split('\n');
      block.lines.forEach((line, i) => {
        totals.removedLines++;
        if (shownRemoved.has(line.trim())) totals.removedLinesSent++;
        else if (redacted[i] !== undefined && redacted[i] !== line && shownRemoved.has(redacted[i].trim())) {
          totals.removedLinesSent++;
          totals.removedLinesSentRedacted++;
        } else missed.push(`${commit.slice(0, 8)} ${unit.path}: removed line not sent: ${line.trim().slice(0, 60)}`);
      });
    }
    const lang = family(unit.path);
    const lines = unit.text.split('\n');
    const called = new Set((unit.changedLines ?? []).flatMap((n) => calledNames(lines[n - 1] ?? '')));
    const repository = repositoryAt(gitDir, commit);
    const others = (await repository.list()).filter((f) => f !== unit.path && SOURCE.test(f) && family(f) === lang);
    for (const name of called) {
      const own = definitionLine(unit.text, name, lang);
      if (own) {
        totals.sameFileCallees++;
        if (all.includes(own)) totals.sameFileCalleesSent++;
        else missed.push(`${commit.slice(0, 8)} ${unit.path}: same-file callee not sent: ${name}`);
        continue;
      }
      if (name.length < 3) continue;
      // Other files holding a definition (git grep at the commit, then the regex on each file).
      let holders: string[] = [];
      try {
        holders = git(gitDir, ['grep', '-l', '-w', '-F', name, commit, '--', ...others.slice(0, 3000)])
          .split('\n')
          .filter(Boolean)
          .map((l) => l.slice(commit.length + 1));
      } catch {
        holders = [];
      }
      const defs: string[] = [];
      for (const file of holders.slice(0, 200)) {
        const text = await repository.read(file);
        const line = text ? definitionLine(text, name, lang) : undefined;
        if (line) defs.push(line);
      }
      if (defs.length === 0) continue;
      totals.otherFileCallees++;
      const sent = defs.some((d) => all.includes(d));
      if (sent) totals.otherFileCalleesSent++;
      else missed.push(`${commit.slice(0, 8)} ${unit.path}: other-file callee not sent: ${name}`);
      // A name only one other file defines: no doubt about which definition is the right one.
      if (defs.length === 1) {
        totals.otherFileUniqueCallees++;
        if (sent) totals.otherFileUniqueCalleesSent++;
      }
    }
  }

  async function tokenRatio(file: string): Promise<Record<string, number>> {
    const text =
      git(gitDir, ['show', `HEAD:${file}`])
        .split('\n')
        .slice(0, 3000)
        .join('\n') + '\n';
    const repository = repositoryAt(gitDir, 'HEAD');
    const changed = [1500, 1501, 1502, 1503, 1504];
    const lines = text.split('\n');
    for (const n of changed)
      lines[n - 1] = `${lines[n - 1]}  # changed`.replace(/#/, file.endsWith('.py') ? '#' : '//');
    const edited = lines.join('\n');
    const whole = await runReview({ units: [{ path: file, text: edited }], persona, mode: 'pragmatic', provider });
    const diff = await runReview({
      units: [{ path: file, text: edited, changedLines: changed }],
      persona,
      mode: 'pragmatic',
      provider,
      context: { repository },
    });
    return {
      wholePromptTokens: whole.stats.promptTokens,
      wholeRequests: whole.stats.requests,
      diffPromptTokens: diff.stats.promptTokens,
      diffContextTokens: diff.stats.context?.tokens ?? 0,
      ratio: Math.round((diff.stats.promptTokens / whole.stats.promptTokens) * 10000) / 10000,
    };
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
