import { existsSync, type Dirent } from 'node:fs';
import { open, readdir, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { SkippedPart } from '../findings';
import type { ReviewUnit } from './types';
import { ReviewInputError } from './errors';
import { errorMessage } from '../errorMessage';
import { languageFromPath } from '../language';
import { generatedOrVendoredByHead, generatedOrVendoredByPath, SNIFF_BYTES } from '../roles';
import { binaryRead, DATA_LANGUAGES, isBinaryText, isOwnCodePath } from './binary';

/**
 * Collects the files to review from the paths the user gave: folders are walked honouring
 * `.gitignore` files (from the repository root down), skipping vendored and generated code, binaries
 * and files over the size cap. Every skipped file is reported with its reason.
 */
export const DEFAULT_MAX_FILE_BYTES = 512 * 1024;

const VENDORED_DIRECTORIES = new Set([
  'node_modules',
  'vendor',
  'dist',
  'build',
  '.git',
  'third_party',
  'bower_components',
  '.venv',
  'venv',
  '__pycache__',
  '.next',
  'target',
  'out',
]);
/** Prose, not code: not walked into from folders (a file named explicitly is still reviewed). */
const DOCUMENTATION_FILES =
  /(?:\.(?:md|markdown|mdx|rst|txt|adoc)|(?:^|[\\/])(?:LICEN[CS]E|COPYING|NOTICE|AUTHORS)(?:\.\w+)?)$/i;
const VENDORED_FILES = [
  /\.min\.(?:js|css)$/i,
  /\.map$/i,
  /(?:^|[\\/])(?:package-lock\.json|yarn\.lock|pnpm-lock\.yaml|npm-shrinkwrap\.json|Cargo\.lock|poetry\.lock|Pipfile\.lock|go\.sum|composer\.lock|Gemfile\.lock|uv\.lock)$/i,
];

export interface CollectOptions {
  /** Paths in findings are relative to this directory. */
  cwd: string;
  maxFileBytes?: number;
}

export interface CollectedFiles {
  units: ReviewUnit[];
  skipped: SkippedPart[];
  /** How a file was read when that is worth knowing (e.g. not UTF-8), each naming the file. */
  notes: string[];
}

function displayPath(cwd: string, absolutePath: string): string {
  const rel = relative(cwd, absolutePath);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? absolutePath : rel;
  return shown.split(sep).join('/');
}

/** The nearest folder at or above `start` that holds a `.git` entry, or undefined. */
export function findRepositoryRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

interface IgnoreScope {
  dir: string;
  rules: Ignore;
}

async function loadGitignore(dir: string): Promise<IgnoreScope | undefined> {
  try {
    const text = await readFile(join(dir, '.gitignore'), 'utf8');
    return { dir, rules: ignore().add(text) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isIgnored(scopes: IgnoreScope[], absolutePath: string, isDirectory: boolean): boolean {
  for (const scope of scopes) {
    const rel = relative(scope.dir, absolutePath).split(sep).join('/');
    if (rel === '' || rel.startsWith('..')) continue;
    if (scope.rules.ignores(isDirectory ? `${rel}/` : rel)) return true;
  }
  return false;
}

function isVendoredFile(path: string): boolean {
  return VENDORED_FILES.some((pattern) => pattern.test(path));
}

/** A source file read for review, or why it was not. */
export type SourceRead =
  | {
      ok: true;
      /** The text with a BOM removed and every line ending (CRLF, lone CR) made `\n`. */
      text: string;
      /**
       * Only when the file had lone CRs: `lineMap[i]` is the 1-based line of the text on which line i+1
       * as git counts lines (split at `\n` only) starts, and `lineMap[n]` the line after the last.
       */
      lineMap?: number[];
      /** Things changed on the way in (the encoding used when the bytes were not UTF-8). */
      notes: string[];
    }
  | {
      ok: false;
      reason: string;
      failed: boolean;
      /** The file-system error code when reading failed (ENOENT: the file is not there). */
      errno?: string;
    };

const kib = (bytes: number): string => `${Math.max(1, Math.round(bytes / 1024))} KiB`;

/**
 * What a file over the size cap is when it is not the team's code: told by its path, or by its first
 * bytes (`head`, when the caller read them: a generated marker, a licence header, minified lines).
 */
function notOwnCode(path: string | undefined, head: string | undefined) {
  if (path === undefined) return undefined;
  if (head === undefined) return generatedOrVendoredByPath(path);
  // Data (a one-line JSON document) is left out by policy anyway; only code is told by its content.
  const language = languageFromPath(path);
  return language === undefined || DATA_LANGUAGES.has(language)
    ? generatedOrVendoredByPath(path)
    : generatedOrVendoredByHead(path, head);
}

/**
 * Whether a file over the size cap makes the review incomplete: program code (a language the
 * reviewer knows, data formats aside) is a part that should have been reviewed and was not, in a
 * folder walk, a diff and the editor alike. Other files (data, unknown types, bundles and generated
 * code told by path or by `head`, the file's first bytes) are left out by policy.
 */
export function oversizeFails(path: string | undefined, head?: string): boolean {
  return isOwnCodePath(path) && !notOwnCode(path, head);
}

/** Why a file of `size` bytes is not reviewed under a cap of `maxBytes` (`path` tells code from data, `head` bundles from own code). */
export function oversizeReason(size: number, maxBytes: number, path?: string, head?: string): string {
  const shown = size >= 10 * 1024 * 1024 ? `${Math.round(size / (1024 * 1024))} MiB` : kib(size);
  const notOwn = notOwnCode(path, head);
  if (notOwn)
    return `larger than the ${kib(maxBytes)} size cap (${shown}): ${notOwn.role} code (${notOwn.reason}), not reviewed`;
  return oversizeFails(path, head)
    ? `larger than the ${kib(maxBytes)} size cap (${shown}): code not reviewed (exclude it from reviews if it is generated)`
    : `larger than the ${kib(maxBytes)} size cap (${shown}): not reviewed`;
}

/** A file over the size cap, as a read that did not happen (`head`: its first bytes as text, when read). */
export function tooLarge(size: number, maxBytes: number, path?: string, head?: string): SourceRead {
  return {
    ok: false,
    reason: oversizeReason(size, maxBytes, path, head),
    failed: oversizeFails(path, head),
  };
}

/** The first SNIFF_BYTES of a file as text, for telling a bundle by its content (a cut character at the end is harmless). */
function headText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes.subarray(0, SNIFF_BYTES));
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Line endings made `\n` before anything numbers lines: CRLF, and a lone CR (old Mac files, or a CR
 * inside a line that would otherwise let code show the model a line number of its own making).
 * Editors count a lone CR as a line break too, so lines stay where the user sees them.
 */
export function normaliseLineEndings(text: string): { text: string; lineMap?: number[] } {
  if (!text.includes('\r')) return { text };
  const segments = text.split('\n');
  let loneCr = false;
  const lineMap: number[] = [];
  let line = 1;
  for (let i = 0; i < segments.length; i++) {
    lineMap.push(line);
    const segment = segments[i].endsWith('\r') && i < segments.length - 1 ? segments[i].slice(0, -1) : segments[i];
    let crs = 0;
    for (let at = segment.indexOf('\r'); at !== -1; at = segment.indexOf('\r', at + 1)) crs++;
    if (crs > 0) loneCr = true;
    line += crs + 1;
  }
  lineMap.push(line);
  const normalised = text.replace(/\r\n?/g, '\n');
  return loneCr ? { text: normalised, lineMap } : { text: normalised };
}

/**
 * Whether bytes hold a control byte no text file has: below 0x20 other than tab, line feed, vertical
 * tab, form feed, carriage return, SUB (a DOS end-of-file mark) and ESC (terminal colour codes). A NUL is one.
 */
function hasBinaryControlByte(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte < 0x20 && (byte < 0x09 || byte > 0x0d) && byte !== 0x1a && byte !== 0x1b) return true;
  }
  return false;
}

/**
 * Source bytes as review text, the same for every way a file reaches a review (folder walk, diff,
 * staged text, the editor's reads): size cap, BOM (UTF-8, UTF-16 LE/BE) decoded, binary refused
 * (bytes that are not UTF-8 holding a NUL or another control byte, or more than a stray NUL: see isBinaryText;
 * program code refused so is `failed`),
 * bytes that are not UTF-8 read as Windows-1252 (said in a note), line endings normalised.
 */
export function decodeSource(bytes: Uint8Array, maxBytes: number = DEFAULT_MAX_FILE_BYTES, path?: string): SourceRead {
  if (bytes.length > maxBytes) return tooLarge(bytes.length, maxBytes, path, headText(bytes));
  const notes: string[] = [];
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    if (bytes[2] === 0 && bytes[3] === 0)
      return { ok: false, reason: 'UTF-32 text is not supported: not reviewed', failed: false };
    text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  } else {
    const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
    try {
      text = strictUtf8.decode(body);
    } catch {
      // Bytes that are not UTF-8 and hold a NUL or another control byte text never has are a binary
      // format (an image, a font, an archive, a small packed data file with no NUL in it).
      if (hasBinaryControlByte(body)) return binaryRead(path);
      // Legacy single-byte files (Latin-1 / Windows-1252) are still code: every byte is one character,
      // so lines and columns stay right.
      text = new TextDecoder('windows-1252').decode(body);
      notes.push('not valid UTF-8: read as Windows-1252');
    }
  }
  // A stray NUL in valid text (one inside a regular expression literal) is text; many are binary.
  if (isBinaryText(text)) return binaryRead(path);
  return { ok: true, ...normaliseLineEndings(text), notes };
}

/** Source text that arrived as a string (an editor buffer, `git show` output): the same checks. */
export function sourceFromText(text: string, maxBytes: number = DEFAULT_MAX_FILE_BYTES, path?: string): SourceRead {
  // Cheap bound first: a UTF-8 byte is at least one UTF-16 code unit and at most three.
  if (text.length > maxBytes)
    return tooLarge(Buffer.byteLength(text, 'utf8'), maxBytes, path, text.slice(0, SNIFF_BYTES));
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) return tooLarge(size, maxBytes, path, text.slice(0, SNIFF_BYTES));
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (isBinaryText(body)) return binaryRead(path);
  return { ok: true, ...normaliseLineEndings(body), notes: [] };
}

/** A file-system error as words for a skipped entry. */
function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'ENOENT':
      return 'disappeared while the review was reading it';
    case 'ELOOP':
      return 'symlink loop';
    case 'EISDIR':
      return 'is a folder, expected a file';
    default:
      return `cannot be read (${code ?? errorMessage(error)})`;
  }
}

/**
 * Reads one file for review without ever holding more than the size cap (plus one byte) in memory:
 * a file that grows past the cap between the size check and the read is refused too.
 */
export async function readSourceFile(
  absolutePath: string,
  maxBytes: number = DEFAULT_MAX_FILE_BYTES,
): Promise<SourceRead> {
  let handle: FileHandle | undefined;
  try {
    const info = await stat(absolutePath);
    if (!info.isFile()) return { ok: false, reason: 'not a regular file: not reviewed', failed: false };
    handle = await open(absolutePath, 'r');
    if (info.size > maxBytes) {
      // Only the first bytes, to tell a minified or generated bundle from code that should have been reviewed.
      const head = Buffer.alloc(Math.min(info.size, SNIFF_BYTES));
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return tooLarge(info.size, maxBytes, absolutePath, headText(head.subarray(0, bytesRead)));
    }
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) {
        if (length > maxBytes) return tooLarge(length, maxBytes, absolutePath);
        break;
      }
    }
    return decodeSource(buffer.subarray(0, length), maxBytes, absolutePath);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException | undefined)?.code;
    return { ok: false, reason: `${fsReason(error)}: not reviewed`, failed: true, ...(errno ? { errno } : {}) };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function loadFile(absolutePath: string, shown: string, maxBytes: number, out: CollectedFiles): Promise<void> {
  const read = await readSourceFile(absolutePath, maxBytes);
  if (!read.ok) {
    out.skipped.push({ file: shown, reason: read.reason, ...(read.failed ? { failed: true } : {}) });
    return;
  }
  out.units.push({ path: shown, text: read.text });
  for (const note of read.notes) out.notes.push(`${shown}: ${note}`);
}

interface WalkState {
  options: Required<CollectOptions>;
  out: CollectedFiles;
  /** The folder as given, and its real path: symlinks are followed only to files inside it. */
  root: string;
  realRoot: string;
  /** Absolute paths of the files reviewed, so a symlink to one of them does not review it twice. */
  loaded: Set<string>;
  links: { link: string; shown: string }[];
}

/** A name that is not valid UTF-8 cannot be shown, matched or reported faithfully: skipped, named by its bytes. */
function entryName(raw: Buffer): string | undefined {
  try {
    return strictUtf8.decode(raw);
  } catch {
    return undefined;
  }
}

function escapedName(raw: Buffer): string {
  return Array.from(raw, (byte) =>
    byte >= 0x20 && byte < 0x7f && byte !== 0x5c
      ? String.fromCharCode(byte)
      : `\\x${byte.toString(16).padStart(2, '0')}`,
  ).join('');
}

async function walk(dir: string, scopes: IgnoreScope[], state: WalkState): Promise<void> {
  const { options, out } = state;
  let own: IgnoreScope | undefined;
  let entries: Dirent<Buffer>[];
  try {
    own = await loadGitignore(dir);
    entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    out.skipped.push({
      file: displayPath(options.cwd, dir),
      reason: `folder ${fsReason(error)}: not reviewed`,
      failed: true,
    });
    return;
  }
  const active = own ? [...scopes, own] : scopes;
  const named = entries.map((entry) => ({ entry, name: entryName(entry.name) }));
  named.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  for (const { entry, name } of named) {
    if (name === undefined) {
      out.skipped.push({
        file: displayPath(options.cwd, join(dir, escapedName(entry.name))),
        reason: 'file name is not valid UTF-8: not reviewed (rename the file)',
        failed: true,
      });
      continue;
    }
    const full = join(dir, name);
    if (entry.isDirectory()) {
      if (VENDORED_DIRECTORIES.has(name) || isIgnored(active, full, true)) continue;
      await walk(full, active, state);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      if (
        isVendoredFile(name) ||
        DOCUMENTATION_FILES.test(name) ||
        name === '.gitignore' ||
        isIgnored(active, full, false)
      )
        continue;
      const shown = displayPath(options.cwd, full);
      if (entry.isSymbolicLink()) {
        // Decided after the walk, when every file reviewed as itself is known.
        state.links.push({ link: full, shown });
        continue;
      }
      state.loaded.add(join(state.realRoot, relative(state.root, full)));
      await loadFile(full, shown, options.maxFileBytes, out);
    } else if (!isIgnored(active, full, false)) {
      // Never opened: reading a FIFO waits for a writer forever, a device may never end.
      out.skipped.push({
        file: displayPath(options.cwd, full),
        reason: `${specialFileKind(entry)}, not a regular file: not reviewed`,
      });
    }
  }
}

function specialFileKind(entry: Dirent<Buffer>): string {
  if (entry.isFIFO()) return 'named pipe (FIFO)';
  if (entry.isSocket()) return 'socket';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'device';
  return 'special file';
}

/**
 * Whether folder `outer` is `inner` or holds it, by the path rules given (the platform's by default).
 * Compared by `relative`, not by prefix: a drive root (`C:\\`) already ends in a separator.
 */
export function holdsOrIs(outer: string, inner: string, paths: PathRules = { relative, isAbsolute, sep }): boolean {
  const up = paths.relative(outer, inner);
  return up === '' || (up !== '..' && !up.startsWith('..' + paths.sep) && !paths.isAbsolute(up));
}

/** The three path functions holdsOrIs needs (node:path's, or path.win32's in tests). */
export interface PathRules {
  relative(from: string, to: string): string;
  isAbsolute(path: string): boolean;
  sep: string;
}

/** Symlinks are followed once, to a file inside the reviewed folder that is not reviewed as itself. */
async function followLinks(state: WalkState): Promise<void> {
  for (const { link, shown } of state.links) {
    let target: string;
    try {
      target = await realpath(link);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      state.out.skipped.push({
        file: shown,
        reason:
          code === 'ENOENT'
            ? 'symlink to a file that does not exist: not reviewed'
            : `symlink ${fsReason(error)}: not reviewed`,
      });
      continue;
    }
    // A link to the reviewed folder or one above it is a loop back over files reviewed where they are.
    if (holdsOrIs(target, state.realRoot)) {
      state.out.skipped.push({
        file: shown,
        reason: 'symlink to the reviewed folder or a folder holding it: not followed (a loop)',
      });
      continue;
    }
    const inside = holdsOrIs(state.realRoot, target);
    if (!inside) {
      state.out.skipped.push({ file: shown, reason: 'symlink to a file outside the reviewed folder: not reviewed' });
      continue;
    }
    const rel = displayPath(state.realRoot, target);
    let info;
    try {
      info = await stat(target);
    } catch (error) {
      state.out.skipped.push({ file: shown, reason: `symlink target ${fsReason(error)}: not reviewed`, failed: true });
      continue;
    }
    if (info.isDirectory()) {
      state.out.skipped.push({
        file: shown,
        reason: `symlink to the folder ${rel}: not followed (its files are reviewed where they are)`,
      });
      continue;
    }
    if (state.loaded.has(target)) {
      state.out.skipped.push({ file: shown, reason: `symlink to ${rel}, which is reviewed as itself` });
      continue;
    }
    state.loaded.add(target);
    await loadFile(target, shown, state.options.maxFileBytes, state.out);
  }
}

/** Throws ReviewInputError for a path that does not exist or cannot be read. */
export async function collectFiles(paths: string[], options: CollectOptions): Promise<CollectedFiles> {
  const resolved: Required<CollectOptions> = {
    cwd: options.cwd,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
  };
  const out: CollectedFiles = { units: [], skipped: [], notes: [] };
  for (const given of paths) {
    const absolutePath = resolve(options.cwd, given);
    let info;
    try {
      info = await stat(absolutePath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ReviewInputError(
        code === 'ENOENT'
          ? `${given}: no such file or directory`
          : `${given}: cannot be read (${code ?? errorMessage(error)})`,
      );
    }
    try {
      if (info.isDirectory()) {
        // .gitignore files between the repository root and the folder apply too.
        const root = findRepositoryRoot(absolutePath);
        const scopes: IgnoreScope[] = [];
        if (root) {
          const chain: string[] = [];
          for (let dir = dirname(absolutePath); dir.startsWith(root); dir = dirname(dir)) {
            chain.unshift(dir);
            if (dir === root) break;
          }
          for (const dir of chain) {
            const scope = await loadGitignore(dir);
            if (scope) scopes.push(scope);
          }
        }
        const before = out.units.length;
        const state: WalkState = {
          options: resolved,
          out,
          root: absolutePath,
          realRoot: await realpath(absolutePath),
          loaded: new Set(),
          links: [],
        };
        await walk(absolutePath, scopes, state);
        await followLinks(state);
        if (
          out.units.length === before &&
          !out.skipped.some((s) => s.file.startsWith(displayPath(options.cwd, absolutePath)))
        ) {
          out.skipped.push({
            file: displayPath(options.cwd, absolutePath),
            reason: 'folder has no reviewable files (all ignored, vendored or empty)',
          });
        }
      } else if (info.isFile()) {
        await loadFile(absolutePath, displayPath(options.cwd, absolutePath), resolved.maxFileBytes, out);
      } else {
        throw new ReviewInputError(`${given}: not a regular file or folder`);
      }
    } catch (error) {
      if (error instanceof ReviewInputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new ReviewInputError(`${given}: cannot be read (${code ?? errorMessage(error)})`);
    }
  }
  // The same file given twice (or inside two given folders) is reviewed once.
  const unique = new Map(out.units.map((u) => [u.path, u]));
  return { units: [...unique.values()], skipped: out.skipped, notes: out.notes };
}
