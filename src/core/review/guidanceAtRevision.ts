import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../log';
import { guidelinePaths, loadGuidelines, type LoadedGuideline } from '../personas/guidelines';
import { loadPersonaCatalog, workspacePersonaFolders } from '../personas/loader';
import { MAX_FILE_BYTES } from '../personas/readText';
import type { PersonaCatalog, PersonaLoadError } from '../personas/types';
import { filesAtRevision, isTracked, type RevisionFile } from './git';

export interface GuidanceAtRevision {
  /** Bundled and user personas, and the repository's personas as they are in the revision. */
  catalog: PersonaCatalog;
  /** The repository's guidelines as they are in the revision. */
  guidelines: LoadedGuideline[];
  /** Files of the revision that were listed but not read (symlinks, oversized), as `path: why`. */
  left: string[];
  /** False when the revision does not exist (a repository without commits): nothing was read from it. */
  found: boolean;
  /** User persona folders (`--dir`) inside the repository, read as they are in the revision (repository-relative). */
  userDirsAtRevision: string[];
}

/** What the persona loader reads in a persona folder: its own files, and skill folders with their references. */
function personaFolderFile(relativeToFolder: string): boolean {
  const parts = relativeToFolder.split('/');
  if (parts.length === 1) return /\.(md|mdc|txt)$/i.test(relativeToFolder);
  return parts.length <= 6 && (parts[parts.length - 1] === 'SKILL.md' || parts.includes('references'));
}

/**
 * The repository's personas and guidelines as they are in `revision` (a diff review's base), read
 * from git's objects and never from the working tree, so the change under review cannot choose its
 * own reviewer. The files are written to a private temporary folder for the loaders (the same
 * parsing as a working-tree review) and the folder is removed before this returns. Paths in the
 * result name the files where they live in the repository.
 */
export async function loadGuidanceAtRevision(options: {
  repositoryRoot: string;
  revision: string;
  bundledDir: string;
  userDirs: string[];
  logger?: Logger;
}): Promise<GuidanceAtRevision> {
  const logger = options.logger ?? silentLogger;
  const root = path.resolve(options.repositoryRoot);
  const files = await filesAtRevision(
    root,
    options.revision,
    [...workspacePersonaFolders(), ...guidelinePaths()],
    MAX_FILE_BYTES,
  );
  // A --dir folder inside the repository holds the repository's files: a pull request could edit the
  // team's personas there, so it is read as it is in the revision too. A folder git does not track
  // (generated, ignored) is not part of any change and is read from disk.
  const userDirs: { dir: string; relative?: string }[] = [];
  for (const dir of options.userDirs) {
    const relative = path.relative(root, path.resolve(dir));
    const inside = !relative.startsWith('..') && !path.isAbsolute(relative);
    const tracked = inside && (await isTracked(root, relative === '' ? '.' : relative));
    userDirs.push(tracked ? { dir, relative: relative.split(path.sep).join('/') } : { dir });
  }
  const userFiles: RevisionFile[] = [];
  for (const { relative } of userDirs) {
    if (relative === undefined) continue;
    const prefix = relative === '' ? '' : `${relative}/`;
    const listed = await filesAtRevision(
      root,
      options.revision,
      [relative === '' ? '.' : relative],
      MAX_FILE_BYTES,
      (file) => (file.startsWith(prefix) ? personaFolderFile(file.slice(prefix.length)) : false),
    );
    userFiles.push(...(listed ?? []));
  }
  const copy = await fs.mkdtemp(path.join(tmpdir(), 'backend-review-base-'));
  try {
    const left: string[] = [];
    for (const { relative } of userDirs)
      if (relative !== undefined)
        await fs.mkdir(path.join(copy, ...relative.split('/').filter(Boolean)), { recursive: true });
    for (const file of [...(files ?? []), ...userFiles]) {
      if (!file.bytes) {
        left.push(`${file.path}: ${file.left}`);
        continue;
      }
      const target = path.join(copy, ...file.path.split('/'));
      // ls-tree paths never hold `..`, but a path leaving the copy is refused all the same.
      if (!target.startsWith(copy + path.sep)) continue;
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.bytes);
    }
    const relocate = (text: string): string => text.split(copy).join(root);
    // The loaders' messages name the files where they live in the repository, not in the copy.
    const relocating: Logger = {
      debug: (message) => logger.debug(relocate(message)),
      info: (message) => logger.info(relocate(message)),
      warn: (message) => logger.warn(relocate(message)),
      error: (message) => logger.error(relocate(message)),
    };
    const [catalog, guidelines] = await Promise.all([
      loadPersonaCatalog({
        bundledDir: options.bundledDir,
        userDirs: userDirs.map(({ dir, relative }) =>
          relative === undefined ? dir : path.join(copy, ...relative.split('/').filter(Boolean)),
        ),
        workspaceRoot: copy,
        logger: relocating,
      }),
      loadGuidelines({ workspaceRoot: copy, logger: relocating }),
    ]);
    const inRepository = (source: string): string =>
      source === copy || source.startsWith(copy + path.sep) ? path.join(root, path.relative(copy, source)) : source;
    const errors = (list: PersonaLoadError[]): PersonaLoadError[] =>
      list.map((e) => ({ source: inRepository(e.source), message: relocate(e.message) }));
    return {
      catalog: {
        personas: catalog.personas.map((p) => ({ ...p, source: inRepository(p.source) })),
        errors: errors(catalog.errors),
        overrides: catalog.overrides.map(relocate),
      },
      guidelines: guidelines.guidelines,
      left,
      found: files !== undefined,
      userDirsAtRevision: userDirs.flatMap(({ relative }) => (relative === undefined ? [] : [relative || '.'])),
    };
  } finally {
    await fs.rm(copy, { recursive: true, force: true });
  }
}
