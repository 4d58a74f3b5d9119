import path from 'node:path';
import { listIfPresent, readIfPresent } from './projectFiles';

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
  /**
   * Set when a `scripts` entry of the nearest package.json runs the file as a program of its own
   * (`"release": "node extra/release.mjs"`), or the file sits in a folder of such programs, and no
   * entry starts a server from it: why, naming the entry.
   */
  scriptRun?: string;
  /**
   * The full-stack framework the package depends on (`next`, `nuxt`, `@remix-run/react`), whose apps
   * hold browser and server code side by side: its `client/` folders are the browser's.
   */
  fullStack?: string;
  /** The folder of the nearest package.json at or above the file (`''` at the root), relative to the project root. */
  manifestDir?: string;
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
/** Frameworks whose apps render pages in the browser and on the server from one tree. */
const FULL_STACK_FRAMEWORKS = /^(?:next|nuxt|@remix-run\/react|@sveltejs\/kit|astro)$/;
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
  const fields = parseObject(manifestText);
  if (!fields) return undefined;
  // What ships with the package: its dependencies; the front-end toolchain may sit in devDependencies.
  const shipped = [...names(fields.dependencies), ...names(fields.peerDependencies)];
  const all = [...shipped, ...names(fields.devDependencies)];
  const server = shipped.find((name) => SERVER_DEPENDENCIES.test(name));
  const fullStack = shipped.find((name) => FULL_STACK_FRAMEWORKS.test(name));
  if (server) return { kind: 'other', reason: `${shownAs} depends on ${server}`, ...(fullStack ? { fullStack } : {}) };
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

/** `<script type="module" src="/src/main.tsx">` (attributes in any order): the page's entry module. */
const MODULE_SCRIPT =
  /<script\b(?=[^>]*\btype=["']module["'])[^>]*\bsrc=["']((?:\.?\/)?[\w.-]+\/[\w./-]+\.[cm]?[jt]sx?)["']/i;

/**
 * The nearest package.json at or above each file, up to the project root, read once per folder.
 * `read` returns a file's text or undefined when there is none (tests pass a map).
 */
export class PackageManifests {
  private readonly byDir = new Map<string, PackageInfo | undefined>();

  constructor(
    private readonly root: string,
    private readonly read: (absolutePath: string) => string | undefined = readIfPresent,
    private readonly list: (absoluteDir: string) => string[] = listIfPresent,
  ) {}

  /** The package of a `/`-separated path relative to the root. */
  of(relativePath: string): PackageInfo | undefined {
    // A path outside the root (absolute, or climbing out) belongs to no package of this project.
    if (/^(?:\/|[A-Za-z]:)/.test(relativePath)) return undefined;
    const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) return undefined;
    const file = parts.join('/');
    parts.pop();
    const dir = parts.join('/');
    const found = this.atDir(dir);
    const manifestDir = found && this.manifestDirOf(dir);
    const info = found && manifestDir !== undefined ? { ...found, manifestDir } : found;
    const scriptRun = this.scriptRunOf(dir, file);
    return scriptRun ? { ...info, kind: info?.kind ?? 'other', reason: info?.reason ?? scriptRun, scriptRun } : info;
  }

  /** The names the project goes by, read once (see projectNames). */
  private names: string[] | undefined;

  /**
   * The project's names: those its manifests at the root give it (package.json, go.mod,
   * pyproject.toml, setup.cfg, setup.py) and, beside them, its folder's. None when no manifest names
   * it: a checkout can be in a folder of any name (`/app`, a worktree), and the folder's alone would
   * make every file whose header names the project look like another project's.
   */
  projectNames(): string[] {
    if (!this.names) {
      const names = new Set<string>();
      const packageName = parseObject(this.manifestText(''))?.name;
      if (typeof packageName === 'string') for (const part of packageName.split('/')) names.add(part.toLowerCase());
      const module = /^module[ \t]+(\S+)/m.exec(this.readRelative('go.mod') ?? '')?.[1];
      // The module path's last two parts: `github.com/acme/shop/v2` → `shop`, `acme` (a `vN` suffix skipped).
      if (module)
        for (const part of module
          .split('/')
          .filter((part) => !/^v\d+$/.test(part))
          .slice(-2))
          names.add(part.toLowerCase());
      for (const file of ['pyproject.toml', 'setup.cfg']) {
        const name = /^name[ \t]*=[ \t]*["']?([\w.-]+)/m.exec(this.readRelative(file) ?? '')?.[1];
        if (name) names.add(name.toLowerCase());
      }
      // `setup(\n    name="ledgerly",`: the keyword argument, indented.
      const setupName = /^[ \t]*name[ \t]*=[ \t]*["']([\w.-]+)["']/m.exec(this.readRelative('setup.py') ?? '')?.[1];
      if (setupName) names.add(setupName.toLowerCase());
      names.delete('');
      if (names.size > 0) names.add(path.basename(this.root).toLowerCase());
      this.names = [...names];
    }
    return this.names;
  }

  /**
   * A file of the project by its relative path, through the reader given (absent: undefined; there
   * and unreadable: thrown, or noted by projectScope's reader, as for package.json).
   */
  private readRelative(relative: string): string | undefined {
    return this.read(path.join(this.root, ...relative.split('/')));
  }

  /** Per folder, the deployment files in it that could start a program (DEPLOYMENT_FILES), read once. */
  private readonly deployments = new Map<string, Array<{ shownAs: string; text: string }>>();

  /**
   * Why a deployment file in the file's folder or a folder above it, up to the root, names the file
   * (`deploy/docker/Dockerfile` copies `cron-runner.py`, a Procfile or crontab runs it): a program
   * such a file starts runs in production, on a schedule or as a service. Undefined when none does.
   */
  deployedBy(relativePath: string): string | undefined {
    const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..') || /^(?:\/|[A-Za-z]:)/.test(relativePath)) return undefined;
    const base = parts.pop() ?? '';
    // A common entry name (`index.js`, `main.py`) says which program only with its folder (`jobs/index.js`).
    const shown = GENERIC_ENTRY.test(base) && parts.length > 0 ? `${parts.at(-1)}/${base}` : base;
    const named = new RegExp(
      `(?:^|[\\s/"'=:\\[,])${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[\\s"',\\]])`,
      'm',
    );
    for (let depth = parts.length; depth >= 0; depth -= 1) {
      const dir = parts.slice(0, depth).join('/');
      let files = this.deployments.get(dir);
      if (!files) {
        files = [];
        for (const name of DEPLOYMENT_FILES) {
          const shownAs = dir === '' ? name : `${dir}/${name}`;
          let text = this.readRelative(shownAs);
          // A Dockerfile starts what its CMD and ENTRYPOINT name; what it copies or runs while building is not served.
          if (text !== undefined && /file$/.test(name))
            text = text
              .split(/\r?\n/)
              .filter((line) => /^\s*(?:CMD|ENTRYPOINT)\b/i.test(line))
              .join('\n');
          if (text) files.push({ shownAs, text });
        }
        this.deployments.set(dir, files);
      }
      const file = files.find((candidate) => named.test(candidate.text));
      if (file) return `${file.shownAs} names it`;
    }
    const manifest = this.workloadManifests().find((candidate) => named.test(candidate.text));
    return manifest && `${manifest.shownAs} names it`;
  }

  /** Kubernetes workloads kept in the project's deployment folders (WORKLOAD_DIRS), read once. */
  private workloads: Array<{ shownAs: string; text: string }> | undefined;

  /**
   * The Kubernetes manifests of workloads (a CronJob, a Job, a Deployment…) in the deployment folders
   * at the project's root and one level below them (`k8s/`, `deploy/k8s/`, a chart's `templates/`):
   * the programs their `command`/`args` run are production jobs and services.
   */
  private workloadManifests(): Array<{ shownAs: string; text: string }> {
    if (!this.workloads) {
      this.workloads = [];
      const visit = (dir: string, depth: number): void => {
        for (const entry of this.list(path.join(this.root, ...dir.split('/')))) {
          const shownAs = `${dir}/${entry}`;
          if (/\.ya?ml$/i.test(entry)) {
            const text = this.readRelative(shownAs);
            if (text !== undefined && WORKLOAD_KIND.test(text)) this.workloads?.push({ shownAs, text });
          } else if (depth < 2 && !entry.startsWith('.') && !entry.includes('.')) visit(shownAs, depth + 1);
        }
      };
      for (const dir of WORKLOAD_DIRS) visit(dir, 0);
    }
    return this.workloads;
  }

  /** Each folder's package.json text (undefined: none), read once. */
  private readonly texts = new Map<string, string | undefined>();

  private manifestText(dir: string): string | undefined {
    if (!this.texts.has(dir)) {
      const shownAs = dir === '' ? 'package.json' : `${dir}/package.json`;
      this.texts.set(dir, this.readRelative(shownAs));
    }
    return this.texts.get(dir);
  }

  /** The programs each package.json's `scripts` run, by the package's folder (read once). */
  private readonly runs = new Map<string, PackageRuns | undefined>();

  /** The folder of the nearest package.json at or above folder `dir`, or undefined when there is none. */
  private manifestDirOf(dir: string): string | undefined {
    let at: string | undefined = dir;
    while (at !== undefined && this.manifestText(at) === undefined)
      at = at === '' ? undefined : at.includes('/') ? at.slice(0, at.lastIndexOf('/')) : '';
    return at;
  }

  /** Why the file (in folder `dir`) is a script its nearest package.json runs, or undefined. */
  private scriptRunOf(dir: string, file: string): string | undefined {
    const at = this.manifestDirOf(dir);
    if (at === undefined) return undefined;
    let runs = this.runs.get(at);
    if (!this.runs.has(at)) {
      runs = packageRuns(this.manifestText(at) ?? '', this.deployedCommands(at));
      this.runs.set(at, runs);
    }
    if (!runs) return undefined;
    const shownAs = at === '' ? 'package.json' : `${at}/package.json`;
    const packageDir = at;
    return scriptRunReason(runs, at === '' ? file : file.slice(at.length + 1), shownAs, (target) =>
      this.staysUp(packageDir, target),
    );
  }

  /**
   * The commands the package's deployment files start (DEPLOY_FILES beside its package.json): a
   * Procfile's processes, a Dockerfile's CMD and ENTRYPOINT. What they run is a server, whatever
   * its entry is called (`worker: npm run sync-users`, `CMD ["node", "jobs/sync.js"]`).
   */
  private deployedCommands(packageDir: string): string[] {
    const commands: string[] = [];
    for (const name of DEPLOY_FILES) {
      const shownAs = packageDir === '' ? name : `${packageDir}/${name}`;
      let text: string | undefined;
      try {
        text = this.readRelative(shownAs);
      } catch {
        // Unreadable: nothing learnt.
      }
      if (text !== undefined) commands.push(...deployCommandsIn(name, text));
    }
    return commands;
  }

  /** Per `${package folder} ${target}`, whether the program a script runs stays up (read once). */
  private readonly longRunning = new Map<string, boolean>();

  /**
   * Whether the program `target` (relative to the package in `packageDir`, as the entry names it:
   * `cron/run.js`, `dist/main`, a folder) stays up once started: it listens, consumes a queue or
   * schedules work (LONG_RUNNING). Such a program is a server whatever its entry is called
   * (`"launch": "node gateway/index.js"`, `"notify": "node notifier/index.js"`).
   */
  private staysUp(packageDir: string, target: string): boolean {
    const key = `${packageDir} ${target}`;
    let found = this.longRunning.get(key);
    if (found === undefined) {
      found = false;
      const base = packageDir === '' ? target : `${packageDir}/${target}`;
      const candidates = /\.[cm]?[jt]sx?$/.test(target)
        ? [base]
        : ['.js', '.ts', '.mjs', '.cjs', '/index.js', '/index.ts', '/index.mjs'].map((ending) => `${base}${ending}`);
      for (const candidate of candidates) {
        let text: string | undefined;
        try {
          text = this.readRelative(candidate);
        } catch {
          // Unreadable (permissions): nothing learnt, as when it is absent.
        }
        if (text === undefined) continue;
        found = LONG_RUNNING.test(text.length > LONG_RUNNING_CHARS ? text.slice(0, LONG_RUNNING_CHARS) : text);
        break;
      }
      this.longRunning.set(key, found);
    }
    return found;
  }

  /**
   * A browser extension's package: a `manifest.json` declaring `manifest_version` (the WebExtensions
   * manifest; a web app's manifest has none) beside its package.json or in its `src/` or `public/`
   * folder. Its code runs in the browser (a service worker, content scripts, pages), whatever it
   * depends on. So does an Obsidian plugin's (`minAppVersion` in the manifest beside package.json).
   */
  private extensionManifest(dir: string): PackageInfo | undefined {
    for (const folder of ['', 'src/', 'public/']) {
      const shownAs = `${dir === '' ? '' : `${dir}/`}${folder}manifest.json`;
      let text: string | undefined;
      try {
        text = this.readRelative(shownAs);
      } catch {
        // Unreadable: nothing learnt.
      }
      if (text !== undefined && /"manifest_version"\s*:\s*\d/.test(text))
        return { kind: 'browser', reason: `${shownAs} declares manifest_version (a browser extension)` };
      // An Obsidian plugin's manifest: the plugin runs in the app's window, as a page's script does.
      if (folder === '' && text !== undefined && /"minAppVersion"\s*:\s*"/.test(text) && /"id"\s*:\s*"/.test(text))
        return {
          kind: 'browser',
          reason: `${shownAs} declares minAppVersion (an Obsidian plugin, run in the app's window)`,
        };
    }
    return undefined;
  }

  private atDir(dir: string): PackageInfo | undefined {
    if (this.byDir.has(dir)) return this.byDir.get(dir);
    const shownAs = dir === '' ? 'package.json' : `${dir}/package.json`;
    const text = this.manifestText(dir);
    let info: PackageInfo | undefined;
    if (text !== undefined)
      info =
        this.extensionManifest(dir) ?? packageKindOf(text, shownAs, dir.slice(dir.lastIndexOf('/') + 1), dir === '');
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
      const html = this.readRelative(shownAs);
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
    const nx = parseObject(this.readRelative(shownAs));
    if (nx) return workspaceProjectKind(nx, shownAs);
    if (!this.angularProjects) {
      this.angularProjects = new Map();
      const projects = parseObject(this.readRelative('angular.json'))?.projects;
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

/**
 * What a package.json's `scripts` run as programs: the files (paths relative to the package, as the
 * entry writes them, `./` dropped) that an entry hands to a JavaScript runner, told apart into the
 * server's entries and everything else (release, maintenance and developer scripts).
 */
interface PackageRuns {
  /** Files run as programs that are not servers, with the entry that runs each. */
  scripts: Map<string, { name: string; command: string }>;
  /** Files that start the package's server, worker or app (and its `main`): never scripts. */
  servers: Set<string>;
}

/** Programs that run a JavaScript or TypeScript file given as their first argument. */
const RUNNERS = new Set([
  'node',
  'nodejs',
  'tsx',
  'ts-node',
  'ts-node-esm',
  'babel-node',
  'bun',
  'deno',
  'zx',
  'vite-node',
  'esno',
  'esrun',
  'jiti',
  'sucrase-node',
]);
/** Runners that keep a process up and restart it: what they run is a server. */
const SERVER_RUNNERS = new Set(['nodemon', 'ts-node-dev', 'tsnd', 'node-dev', 'pm2', 'forever']);
/** Words before the command that only set its environment or find the binary. */
const WRAPPERS = new Set(['cross-env', 'cross-env-shell', 'env', 'npx', 'pnpx', 'bunx', 'time', 'nice', 'exec']);
/** Runner options followed by a value (`-r tsconfig-paths/register`, `--loader ts-node/esm`). */
const VALUE_OPTIONS = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--env-file',
  '-P',
  '--project',
  '--tsconfig',
  '--title',
  '--exec',
  '-x',
  '--ext',
  '-w',
  '--watch-path',
  '--ignore',
  '-i',
  '--config',
  '--name',
]);
/**
 * Script names that start the package's own long-running process: `start`, `serve`, `dev`,
 * `start-server-dev:watch`, `collab:prod`, `worker`, `bot`. A name ending in `-server` is not one of them
 * (`simple-mqtt-server` starts a developer's local broker), nor is a lifecycle hook (`prestart`).
 */
const SERVER_FIRST_WORDS = new Set([
  'start',
  'serve',
  'server',
  'dev',
  'develop',
  'development',
  'prod',
  'production',
  'preview',
  'watch',
  'run',
  'app',
  'api',
  'web',
  'backend',
  'worker',
  'workers',
  'queue',
  'consumer',
  'cron',
  'scheduler',
  'daemon',
  'bot',
  'main',
  'gateway',
  'proxy',
  'listener',
  'launch',
  'job',
  'jobs',
  'cronjob',
]);
const SERVER_LAST_WORDS = new Set([
  'start',
  'serve',
  'dev',
  'develop',
  'prod',
  'production',
  'watch',
  'worker',
  'daemon',
]);
/**
 * Folders that hold a package's own source: a folder of scripts below one of them is not made a
 * script folder (a `src/database/` holding the migration CLI also holds the repositories the server
 * uses); only the scripts themselves are.
 */
const SOURCE_FOLDERS = new Set([
  'src',
  'source',
  'sources',
  'lib',
  'libs',
  'app',
  'apps',
  'server',
  'api',
  'backend',
  'core',
  'packages',
  'pkg',
  'internal',
  'cmd',
  'services',
  'modules',
  'db',
  'database',
  'models',
  'routes',
  'controllers',
  'handlers',
  'workers',
  'jobs',
  'dist',
  'build',
  'node_modules',
]);

/** The words of a command line: quotes removed, a quoted argument with spaces kept as one word marked `nested`. */
function shellWords(command: string): Array<{ text: string; nested: boolean }> {
  const words: Array<{ text: string; nested: boolean }> = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(&&|\|\||[;|&])|([^\s"';|&]+)/g;
  let end = -1;
  for (let match = pattern.exec(command); match; match = pattern.exec(command)) {
    const quoted = match[1] ?? match[2];
    const word = { text: quoted ?? match[3] ?? match[4], nested: quoted !== undefined && /\s/.test(quoted) };
    const previous = words.at(-1);
    // `NODE_OPTIONS='--max-old-space-size=4096'` is one word.
    if (previous && match.index === end && match[3] === undefined && !/^(?:&&|\|\||[;|&])$/.test(previous.text))
      previous.text += word.text;
    else words.push(word);
    end = pattern.lastIndex;
  }
  return words;
}

/** The file one command hands to a JavaScript runner, and whether the runner keeps it up as a server. */
function runTarget(words: readonly string[]): { file: string; server: boolean } | undefined {
  let at = 0;
  for (;;) {
    const word = words[at];
    if (word === undefined) return undefined;
    if (
      /^[A-Za-z_]\w*=/.test(word) ||
      WRAPPERS.has(word) ||
      (at > 0 && word.startsWith('-') && WRAPPERS.has(words[at - 1]))
    )
      at += 1;
    else if (word === 'dotenv' || word === 'env-cmd') {
      const dashes = words.indexOf('--', at);
      at = dashes >= 0 ? dashes + 1 : at + 1;
      while (words[at]?.startsWith('-')) at += /^-[ef]$/.test(words[at]) ? 2 : 1;
    } else if (/^(?:yarn|pnpm|npm)$/.test(word) && words[at + 1] === 'exec') at += 2;
    else if (/^(?:yarn|pnpm)$/.test(word) && RUNNERS.has(words[at + 1] ?? '')) at += 1;
    else break;
  }
  const runner = words[at].replace(/^.*\//, '');
  let server = SERVER_RUNNERS.has(runner);
  if (!server && !RUNNERS.has(runner)) return undefined;
  at += 1;
  if ((runner === 'bun' || runner === 'deno') && words[at] === 'run') at += 1;
  else if (runner === 'deno') return undefined;
  if ((runner === 'pm2' || runner === 'forever') && words[at] === 'start') at += 1;
  if (runner === 'tsx' && words[at] === 'watch') {
    server = true;
    at += 1;
  }
  for (; at < words.length; at += 1) {
    const word = words[at];
    if (!word.startsWith('-')) break;
    // Code given inline, or the test runner: no program file.
    if (/^(?:-e|--eval|-p|--print|--test)(?:=|$)/.test(word)) return undefined;
    if (/^--watch(?:=|$)/.test(word)) server = true;
    if (VALUE_OPTIONS.has(word)) at += 1;
  }
  const file = words[at]?.replace(/^(?:\.\/)+/, '');
  if (!file || /[*?{}$]|^(?:\.\.?(?:\/|$)|\/)|:\/\/|(?:^|\/)node_modules\//.test(file)) return undefined;
  return { file: file.replace(/\/+$/, ''), server };
}

function serverName(name: string): boolean {
  const words = name
    .toLowerCase()
    .split(/[:._\s-]+/)
    .filter((word) => word !== '');
  return SERVER_FIRST_WORDS.has(words[0] ?? '') || SERVER_LAST_WORDS.has(words.at(-1) ?? '');
}

/**
 * The programs a package.json's scripts run. In a server's entry (`start`, `dev`, …) the last command
 * of a chain is the server and the commands before it prepare it (`node scripts/check.mjs && node
 * server.js`); the commands `concurrently` runs side by side are each a server.
 */
function packageRuns(manifestText: string, deployed: readonly string[] = []): PackageRuns | undefined {
  const fields = parseObject(manifestText);
  if (!fields) return undefined;
  const { scripts, main } = fields;
  const runs: PackageRuns = { scripts: new Map(), servers: new Set() };
  if (typeof main === 'string' && main !== '') runs.servers.add(main.replace(/^(?:\.\/)+/, ''));
  // The entries and programs a deployment file starts (`npm run worker`, `node jobs/sync.js`).
  const deployedEntries = new Set<string>();
  const readDeployed = (command: string, depth: number): void => {
    for (const part of splitCommands(shellWords(command))) {
      // `sh -c "npm run worker"`: the quoted command is read too.
      if (depth < 2) for (const word of part) if (word.nested) readDeployed(word.text, depth + 1);
      const words = part.filter((word) => !word.nested).map((word) => word.text);
      const entry = DEPLOYED_ENTRY.exec(words.join(' '));
      if (entry) deployedEntries.add(entry[1]);
      const target = runTarget(words);
      if (target) runs.servers.add(target.file);
    }
  };
  for (const command of deployed) readDeployed(command, 0);
  if (!scripts || typeof scripts !== 'object') return runs;
  const visit = (name: string, command: string, server: boolean, depth: number): void => {
    const commands = splitCommands(shellWords(command));
    const last = commands.filter((part) => part.length > 0).at(-1);
    for (const part of commands) {
      if (depth < 2) for (const word of part) if (word.nested) visit(name, word.text, server, depth + 1);
      const target = runTarget(part.filter((word) => !word.nested).map((word) => word.text));
      if (!target) continue;
      if (target.server || (server && part === last)) runs.servers.add(target.file);
      else if (!runs.scripts.has(target.file)) runs.scripts.set(target.file, { name, command: command.trim() });
    }
  };
  for (const [name, command] of Object.entries(scripts as Record<string, unknown>))
    if (typeof command === 'string') visit(name, command, serverName(name) || deployedEntries.has(name), 0);
  return runs;
}

/** The commands of a command line, split at `&&`, `||`, `;`, `|` and `&` (a quoted word is kept whole). */
function splitCommands(
  words: ReadonlyArray<{ text: string; nested: boolean }>,
): Array<Array<{ text: string; nested: boolean }>> {
  const commands: Array<Array<{ text: string; nested: boolean }>> = [[]];
  for (const word of words) {
    if (!word.nested && /^(?:&&|\|\||[;|&])$/.test(word.text)) commands.push([]);
    else commands[commands.length - 1].push(word);
  }
  return commands;
}

/** Files that say how a package is started where it is deployed. */
const DEPLOY_FILES = ['Procfile', 'Dockerfile'];
/** Folders at a project's root that hold its Kubernetes manifests or Helm charts. */
const WORKLOAD_DIRS = [
  'k8s',
  'kubernetes',
  'kube',
  'deploy',
  'deployment',
  'deployments',
  'manifests',
  'helm',
  'charts',
];
/** A Kubernetes manifest of something that runs a program. */
const WORKLOAD_KIND = /^kind:[ \t]*(?:CronJob|Job|Deployment|StatefulSet|DaemonSet|Pod)\b/m;
/** Entry file names many programs share. */
const GENERIC_ENTRY = /^(?:index|main|app|server|run|start|cli|__main__|manage|worker|wsgi|asgi)\.\w+$/;
/** Files that start programs where the project is deployed: containers, process managers, schedulers. */
const DEPLOYMENT_FILES = [
  'Dockerfile',
  'Containerfile',
  'docker-compose.yml',
  'docker-compose.yaml',
  'compose.yml',
  'compose.yaml',
  'Procfile',
  'entrypoint.sh',
  'docker-entrypoint.sh',
  'crontab',
  'ecosystem.config.js',
  'ecosystem.config.cjs',
];

/** `npm run worker`, `npm start`, `yarn worker`, `pnpm run worker`, `bun run worker`: the entry a command runs. */
const DEPLOYED_ENTRY = /(?:^|\s)(?:npm|yarn|pnpm|bun)\s+(?:run(?:-script)?\s+)?(?!run\b)([\w:.-]+)/;

/** The commands a deployment file starts: a Procfile's `name: command` lines, a Dockerfile's CMD and ENTRYPOINT (JSON or shell form). */
function deployCommandsIn(name: string, text: string): string[] {
  const commands: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (name === 'Procfile') {
      const process = /^[\w-]+\s*:\s*(.+)$/.exec(line.trim());
      if (process) commands.push(process[1]);
      continue;
    }
    const instruction = /^\s*(?:CMD|ENTRYPOINT)\s+(.+)$/i.exec(line);
    if (!instruction) continue;
    const form = instruction[1].trim();
    if (form.startsWith('[')) {
      try {
        const parts: unknown = JSON.parse(form);
        if (Array.isArray(parts) && parts.every((part) => typeof part === 'string'))
          commands.push(parts.map((part) => (/\s/.test(part) ? `"${part}"` : part)).join(' '));
      } catch {
        // Not JSON: not a command we can read.
      }
    } else commands.push(form);
  }
  return commands;
}

/** Whether `file` (relative to the package) is the program `target` names: `dist/main` runs `dist/main.js`, a folder its index. */
function runs(target: string, file: string): boolean {
  return file === target || file.replace(/\.[^./]+$/, '') === target || file.startsWith(`${target}/index.`);
}

/**
 * What a program that stays up once started does: listen for connections (`app.listen(`,
 * `createServer(`, `Bun.serve(`, Nest's `NestFactory.create`), consume a queue (BullMQ's `new Worker(`,
 * `queue.process(`, `channel.consume(`, kafkajs's `consumer.run(`), or schedule work (`cron.schedule(`,
 * `new CronJob(`, `scheduleJob(`, `setInterval(`).
 */
const LONG_RUNNING =
  /\.listen\s*\(|\bcreateServer\s*\(|\b(?:Bun|Deno)\.serve\s*\(|\bNestFactory\.create\w*\s*\(|\bnew\s+(?:Worker|CronJob|Cron)\s*\(|\b\w*(?:[qQ]ueue|[cC]hannel)\.(?:process|consume)\s*\(|\bconsumer\.run\s*\(|\bcron\.schedule\s*\(|\bscheduleJob\s*\(|\bsetInterval\s*\(/;
/** How much of a program is read for LONG_RUNNING. */
const LONG_RUNNING_CHARS = 64 * 1024;

function scriptRunReason(
  packageRuns: PackageRuns,
  file: string,
  shownAs: string,
  staysUp: (target: string) => boolean,
): string | undefined {
  const shown = (run: { name: string; command: string }): string =>
    `"${run.name}": ${run.command.length > 80 ? `${run.command.slice(0, 77)}...` : run.command}`;
  for (const server of packageRuns.servers) if (runs(server, file)) return undefined;
  for (const [target, run] of packageRuns.scripts)
    if (runs(target, file))
      return staysUp(target) ? undefined : `${shownAs} runs it as a program, not a server (${shown(run)})`;
  // A folder of such programs (with the modules they share): not the package's root, no source
  // folder, and no server started from it. The nearest such folder is named.
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  let found: { folder: string; run: { name: string; command: string } } | undefined;
  for (const [target, run] of packageRuns.scripts) {
    const folder = target.includes('/') ? target.slice(0, target.lastIndexOf('/')) : '';
    if (folder === '' || (found && found.folder.length >= folder.length)) continue;
    if (dir !== folder && !dir.startsWith(`${folder}/`)) continue;
    if (folder.split('/').some((part) => SOURCE_FOLDERS.has(part.toLowerCase()))) continue;
    const inFolder = (other: string): boolean => other === folder || other.startsWith(`${folder}/`);
    if ([...packageRuns.servers].some(inFolder)) continue;
    // Programs there that stay up make the folder a server's, whatever their entries are called,
    // unless they are a few among many that do not (a maintainer's folder of release and repair
    // scripts with a local test server or two beside them).
    const programs = [...packageRuns.scripts.keys()].filter(inFolder);
    const up = programs.filter((other) => staysUp(other)).length;
    if (up > 0 && up * 3 >= programs.length) continue;
    found = { folder, run };
  }
  return found && `${shownAs} runs the programs in ${found.folder}/ and no server from there (${shown(found.run)})`;
}
