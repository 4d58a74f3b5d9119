import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../log';
import { guidelinePaths, loadGuidelines, type LoadedGuideline } from '../personas/guidelines';
import { loadPersonaCatalog, workspacePersonaFolders } from '../personas/loader';
import { MAX_FILE_BYTES } from '../personas/readText';
import type { PersonaCatalog, PersonaLoadError } from '../personas/types';
import { filesAtRevision } from './git';

export interface GuidanceAtRevision {
  /** Bundled and user personas, and the repository's personas as they are in the revision. */
  catalog: PersonaCatalog;
  /** The repository's guidelines as they are in the revision. */
  guidelines: LoadedGuideline[];
  /** Files of the revision that were listed but not read (symlinks, oversized), as `path: why`. */
  left: string[];
  /** False when the revision does not exist (a repository without commits): nothing was read from it. */
  found: boolean;
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
  const copy = await fs.mkdtemp(path.join(tmpdir(), 'backend-review-base-'));
  try {
    const left: string[] = [];
    for (const file of files ?? []) {
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
        userDirs: options.userDirs,
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
        personas: catalog.personas.map((p) =>
          p.sourceKind === 'workspace' ? { ...p, source: inRepository(p.source) } : p,
        ),
        errors: errors(catalog.errors),
        overrides: catalog.overrides.map(relocate),
      },
      guidelines: guidelines.guidelines,
      left,
      found: files !== undefined,
    };
  } finally {
    await fs.rm(copy, { recursive: true, force: true });
  }
}
