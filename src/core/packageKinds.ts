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
 * Builders that produce code for a browser: Angular's application, browser and dev-server builders,
 * Nx's Angular and web executors, Storybook for a UI framework.
 */
const BROWSER_BUILDER =
  /^(?:@angular-devkit\/build-angular:(?:application|browser|browser-esbuild|dev-server|app-shell|ng-packagr)|@angular\/build:(?:application|dev-server|ng-packagr)|@(?:nx|nrwl)\/(?:angular|web):[\w-]+|@storybook\/(?:angular|react|vue3?|svelte|web-components)[\w-]*:[\w-]+)$/;
/** Builders that produce a server or a Node program (Nx node/Nest apps, Angular's server bundle). */
const SERVER_BUILDER =
  /^(?:@(?:nx|nrwl)\/(?:node|nest|next|remix|express):[\w-]+|@(?:nx|nrwl)\/js:node|@angular-devkit\/build-angular:server|@angular\/build:server)$/;

/** Every `executor` (Nx project.json) or `builder` (angular.json) named in a project's targets. */
function builders(project: unknown): string[] {
  if (!project || typeof project !== 'object') return [];
  const { targets, architect } = project as Record<string, unknown>;
  const found: string[] = [];
  for (const table of [targets, architect]) {
    if (!table || typeof table !== 'object') continue;
    for (const target of Object.values(table as Record<string, unknown>)) {
      if (!target || typeof target !== 'object') continue;
      const { executor, builder } = target as Record<string, unknown>;
      for (const name of [executor, builder]) if (typeof name === 'string') found.push(name);
    }
  }
  return found;
}

/**
 * A browser project of a workspace file (Nx `project.json`, one entry of `angular.json`): it is built
 * for the browser and nothing in it is built for a server. Undefined otherwise (a shared library
 * that is only linted and tested says nothing; the folders above decide).
 */
export function workspaceProjectKind(project: unknown, shownAs: string): PackageInfo | undefined {
  const names = builders(project);
  if (names.some((name) => SERVER_BUILDER.test(name))) return undefined;
  const browser = names.find((name) => BROWSER_BUILDER.test(name));
  return browser ? { kind: 'browser', reason: `${shownAs} builds it with ${browser} (a browser app)` } : undefined;
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The nearest package.json at or above each file, up to the project root, read once per folder.
 * `read` returns a file's text or undefined when there is none (tests pass a map).
 */
/** `<script type="module" src="/src/main.tsx">` (attributes in any order): the page's entry module. */
const MODULE_SCRIPT =
  /<script\b(?=[^>]*\btype=["']module["'])[^>]*\bsrc=["']((?:\.?\/)?[\w.-]+\/[\w./-]+\.[cm]?[jt]sx?)["']/i;

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
    // In an Nx or Angular workspace one package.json at the root serves the API and the web app
    // alike; each project's own workspace entry says what it is built for.
    else info = this.workspaceProject(dir) ?? this.pageEntryFolder(dir);
    if (text === undefined && info === undefined && dir !== '')
      info = this.atDir(dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '');
    this.byDir.set(dir, info);
    return info;
  }

  /** Per folder, the folder its index.html loads as a module script, and why (each page read once). */
  private readonly pageEntries = new Map<string, { folder: string; reason: string } | null>();

  /**
   * A folder a page of the project loads in the browser: an `index.html` of a Vite-style app loads
   * `<script type="module" src="/src/main.tsx">`, so `src/` beside it is the front end even where one
   * package.json also lists the server's dependencies (the server then lives beside it, `server/`).
   * The page is the one in the folder's parent: the root's, or a package's own in a monorepo
   * (`packages/web/index.html` makes `packages/web/src/` browser code; the script's path is read
   * from the page's folder, as Vite serves it).
   */
  private pageEntryFolder(dir: string): PackageInfo | undefined {
    const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
    let entry = this.pageEntries.get(parent);
    if (entry === undefined) {
      entry = null;
      const shownAs = parent === '' ? 'index.html' : `${parent}/index.html`;
      const html = this.read(path.join(this.root, ...shownAs.split('/')));
      // MODULE_SCRIPT only matches an entry inside a folder (`/src/main.tsx`, not `/main.js`).
      const script = html ? MODULE_SCRIPT.exec(html) : null;
      if (script) {
        const folder = script[1].replace(/^\.?\//, '').split('/')[0];
        entry = {
          folder: parent === '' ? folder : `${parent}/${folder}`,
          reason: `${shownAs} loads ${script[1]} as a module script (the app's page)`,
        };
      }
      this.pageEntries.set(parent, entry);
    }
    return entry && entry.folder === dir ? { kind: 'browser', reason: entry.reason } : undefined;
  }

  /** The project folders an `angular.json` at the root declares, with their kinds (read once). */
  private angularProjects: Map<string, PackageInfo> | undefined;

  private workspaceProject(dir: string): PackageInfo | undefined {
    const shownAs = dir === '' ? 'project.json' : `${dir}/project.json`;
    const nx = parseObject(this.read(path.join(this.root, ...shownAs.split('/'))));
    if (nx) return workspaceProjectKind(nx, shownAs);
    if (!this.angularProjects) {
      this.angularProjects = new Map();
      const projects = parseObject(this.read(path.join(this.root, 'angular.json')))?.projects;
      for (const [name, project] of Object.entries(projects && typeof projects === 'object' ? projects : {})) {
        const fields = (project && typeof project === 'object' ? project : {}) as Record<string, unknown>;
        const folder = [fields.sourceRoot, fields.root].find((value) => typeof value === 'string' && value !== '');
        const kind = workspaceProjectKind(project, `angular.json (project ${name})`);
        if (typeof folder === 'string' && kind) this.angularProjects.set(folder.replace(/^\.\/|\/+$/g, ''), kind);
      }
    }
    return this.angularProjects.get(dir);
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
