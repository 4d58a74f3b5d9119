import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What a JavaScript package is, told from its package.json: a front end (it depends on a UI
 * framework and on no server framework), a command-line tool (a `bin` entry, or a package named
 * `cli`, again with no server framework), or anything else. File roles use it for files whose own
 * text says nothing (a Vue app's `api.ts` helper imports no framework, yet runs in the browser).
 */
export type PackageKind = 'browser' | 'cli' | 'other';

export interface PackageInfo {
  kind: PackageKind;
  /** Why, naming the manifest (`packages/web/package.json depends on vue and on no server framework`). */
  reason: string;
}

/** UI frameworks whose packages build pages for the browser (`vite` alone also bundles Node libraries, so it does not count). */
const UI_FRAMEWORKS =
  /^(?:vue|react|react-dom|svelte|preact|solid-js|lit|nuxt|@angular\/core|@vue\/[\w.-]+|@sveltejs\/vite-plugin-svelte|@vitejs\/plugin-(?:vue|react|react-swc))$/;
/**
 * Dependencies that put code on a server: HTTP frameworks, database clients, and full-stack
 * frameworks whose pages also run on the server (Next.js, Remix, SvelteKit, Astro) or Electron's main process.
 */
const SERVER_DEPENDENCIES =
  /^(?:express|koa|fastify|restify|hapi|@hapi\/hapi|hono|@nestjs\/core|@nestjs\/common|@apollo\/server|apollo-server(?:-[\w-]+)?|graphql-yoga|@trpc\/server|socket\.io|next|@remix-run\/[\w-]+|@sveltejs\/kit|astro|electron|pg|mysql2?|mongodb|mongoose|redis|ioredis|@prisma\/client|sequelize|typeorm|knex|drizzle-orm)$/;
const CLI_NAME = /(?:^|[/@._-])cli$/;

function names(record: unknown): string[] {
  return record && typeof record === 'object' && !Array.isArray(record) ? Object.keys(record) : [];
}

/**
 * The kind of the package whose package.json is `manifestText`, shown as `shownAs` in reasons.
 * Undefined when the text is not a JSON object (a template, a broken file): no signal.
 */
export function packageKindOf(
  manifestText: string,
  shownAs: string,
  dirName = '',
  atProjectRoot = false,
): PackageInfo | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText);
  } catch {
    return undefined;
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) return undefined;
  const fields = manifest as Record<string, unknown>;
  // What ships with the package: its dependencies; the front-end toolchain may sit in devDependencies.
  const shipped = [...names(fields.dependencies), ...names(fields.peerDependencies)];
  const all = [...shipped, ...names(fields.devDependencies)];
  const server = shipped.find((name) => SERVER_DEPENDENCIES.test(name));
  if (server) return { kind: 'other', reason: `${shownAs} depends on ${server}` };
  // A `bin` marks a command-line package in a monorepo. At the project's root it often only adds a
  // command to an application (an editor extension, a server with a start command) whose folders
  // hold other code too (examples, services): there only the package's name counts.
  const bin =
    !atProjectRoot && ((typeof fields.bin === 'string' && fields.bin !== '') || names(fields.bin).length > 0)
      ? 'has a bin entry'
      : undefined;
  const name = typeof fields.name === 'string' ? fields.name : '';
  const cli = bin ?? (CLI_NAME.test(name) || CLI_NAME.test(dirName) ? 'is a cli package' : undefined);
  if (cli) return { kind: 'cli', reason: `${shownAs} ${cli} and no server framework` };
  const ui = all.find((dependency) => UI_FRAMEWORKS.test(dependency));
  if (ui) return { kind: 'browser', reason: `${shownAs} depends on ${ui} and on no server framework` };
  return { kind: 'other', reason: `${shownAs} names no UI or server framework` };
}

/**
 * The nearest package.json at or above each file, up to the project root, read once per folder.
 * `read` returns a file's text or undefined when there is none (tests pass a map).
 */
export class PackageManifests {
  private readonly byDir = new Map<string, PackageInfo | undefined>();

  constructor(
    private readonly root: string,
    private readonly read: (absolutePath: string) => string | undefined = readIfPresent,
  ) {}

  /** The package of a `/`-separated path relative to the root. */
  of(relativePath: string): PackageInfo | undefined {
    // A path outside the root (absolute, or climbing out) belongs to no package of this project.
    if (/^(?:\/|[A-Za-z]:)/.test(relativePath)) return undefined;
    const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) return undefined;
    parts.pop();
    return this.atDir(parts.join('/'));
  }

  private atDir(dir: string): PackageInfo | undefined {
    if (this.byDir.has(dir)) return this.byDir.get(dir);
    const shownAs = dir === '' ? 'package.json' : `${dir}/package.json`;
    const text = this.read(path.join(this.root, ...shownAs.split('/')));
    let info: PackageInfo | undefined;
    if (text !== undefined) info = packageKindOf(text, shownAs, dir.slice(dir.lastIndexOf('/') + 1), dir === '');
    else if (dir !== '') info = this.atDir(dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '');
    this.byDir.set(dir, info);
    return info;
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw error;
  }
}
