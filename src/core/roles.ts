import picomatch from 'picomatch';
import type { PackageInfo } from './packageKinds';

/**
 * What a file is for, told from cheap signals: its path (each ecosystem's conventions), markers in
 * its first lines (`Code generated … DO NOT EDIT.`), the length of its lines (minified bundles) and
 * what it imports. Rules declare the roles they report in (OfflineRuleMeta.roles): a missing
 * timeout matters in a service, not in a test that calls a local stub.
 */
export const FILE_ROLES = [
  'production',
  'test',
  'fixture',
  'script',
  'migration',
  'generated',
  'vendored',
  'browser',
] as const;
export type FileRole = (typeof FILE_ROLES)[number];

/** Code the team writes and ships or runs against real systems: where most rules report. */
export const OWN_CODE_ROLES: readonly FileRole[] = ['production', 'script', 'migration', 'browser'];
/** Roles that `includeTests` adds to every rule that reports in production code. */
export const TEST_ROLES: readonly FileRole[] = ['test', 'fixture'];

export const ROLE_DESCRIPTIONS: Record<FileRole, string> = {
  production: 'production code',
  test: 'test code',
  fixture: 'a fixture, seed or mock',
  script: 'a script or build tooling',
  migration: 'a database migration',
  generated: 'generated code',
  vendored: 'vendored or minified code',
  browser: 'browser (front-end) code',
};

export interface FileRoleResult {
  role: FileRole;
  /** The signal that decided it, for people checking the classification (`path tests/`, `imports pytest`). */
  reason: string;
}

/** Globs per role (relative to the project root) that win over the built-in conventions. */
export type RolePatterns = Partial<Record<FileRole, readonly string[]>>;

// ---- Path conventions (matched on lower-cased, `/`-separated project-relative paths) ----

const VENDORED_DIRS = new Set([
  'node_modules',
  'vendor',
  'vendors',
  'third_party',
  'third-party',
  'thirdparty',
  'bower_components',
  'jspm_packages',
  'site-packages',
  '.yarn',
]);
const VENDORED_FILE = /\.(?:min|bundle|umd)\.(?:js|mjs|cjs)$|[.-]min\.js$/;
/**
 * A folder named for a release of a library: a name, then a semantic version (`codemirror-5.17.0`,
 * `pdfjs-5.2.133`, `jquery-3.6.0`, `bootstrap-3.3.7-dist`, `lib@1.2.3`). A project's own folders are
 * not named for one of its releases; a copied library's download is, with everything in it.
 */
const VERSIONED_DIR = /^[a-z][\w.-]*?[-_.@]v?\d+\.\d+\.\d+(?:[-.+][a-z0-9.-]+)?$/;

const GENERATED_DIRS = new Set(['__generated__', 'generated', '.generated']);
const GENERATED_FILE =
  /(?:\.pb\.go|\.pb\.gw\.go|_pb2(?:_grpc)?\.pyi?|_pb\.(?:js|ts|d\.ts)|_grpc_pb\.(?:js|ts|d\.ts)|\.generated\.\w+|[._]gen\.(?:go|ts|js|py)|^zz_generated[\w.]*\.go|^bindata\.go)$/;

/**
 * Folders JavaScript toolchains compile into (tsc and bundlers' `dist/`, Next.js, Nuxt, SvelteKit):
 * their JavaScript is the output of the project's own sources, reviewed there.
 */
const BUILD_OUTPUT_DIRS = new Set(['dist', '.next', '.nuxt', '.output', '.svelte-kit']);
const COMPILED_JS = /\.(?:js|mjs|cjs|d\.ts|d\.mts|d\.cts)$/;

const MIGRATION_DIRS = new Set(['migrations', 'migration', 'alembic']);
/** Folders of a program's features: request handlers, routes, services. */
const FEATURE_DIRS = new Set([
  'controllers',
  'controller',
  'handlers',
  'handler',
  'routes',
  'routers',
  'api',
  'services',
  'service',
  'resolvers',
  'endpoints',
  'features',
  'usecases',
]);
/**
 * A migration file's versioned name: numbered or timestamped (`0003_add_tags.py`, `m0002_reindex.py`,
 * `20240101120000-add-tags.js`, `v12.go`, Flyway's `V3__tags.sql`), an Alembic revision id
 * (`4a0aec37e7cf_add_tags.py`), or the package marker of a Django migrations folder.
 */
const VERSIONED_MIGRATION_FILE =
  /^(?:\d+[\w.-]*|[a-z]\d{3,}[_-][\w.-]*|v\d+(?:[._]\d+)*\.\w+|V\d+__[\w.-]+|[0-9a-f]{12}_[\w.-]*|__init__\.py)$/;
/**
 * A migration framework's shape in the file: Alembic and Django revisions, `upgrade`/`downgrade`
 * functions, knex/Sequelize/umzug `up`/`down` exports, TypeORM's MigrationInterface, goose and
 * gormigrate registrations.
 */
const MIGRATION_SHAPE =
  /^[ \t]*from[ \t]+alembic[ \t]+import\b|^class[ \t]+Migration\([ \t]*migrations\.Migration|^def[ \t]+(?:upgrade|downgrade)\(|\bexports\.(?:up|down)[ \t]*=|\bexport[ \t]+(?:async[ \t]+)?function[ \t]+(?:up|down)[ \t]*\(|^[ \t]*(?:async[ \t]+)?(?:up|down)[ \t]*(?::[ \t]*(?:async[ \t]*)?(?:function\b|\()|\([ \t]*(?:queryInterface|knex|queryRunner|db|context)\b)|\bimplements[ \t]+MigrationInterface\b|\bgoose\.AddMigration\w*\(|^--[ \t]*\+goose[ \t]+Up\b|\bgormigrate\.Migration\b/m;

const FIXTURE_DIRS = new Set([
  'fixtures',
  'fixture',
  '__fixtures__',
  'testdata',
  'test-data',
  'test_data',
  'mocks',
  '__mocks__',
  'mock',
  'stubs',
  'seeds',
  'seeders',
  'seeding',
]);
/** A `seed` folder or `seed.*` file means test data in JavaScript and Python; a Go `seed.go` is as often a package's built-in data. */
const SEED_NAME = /(?:^|[._-])(?:seeds?|seeders?|seeding)(?:[._-]|$)/;
const FIXTURE_FILE =
  /\.(?:mocks?|fixtures?|stubs?)\.\w+$|^(?:mocks?|fixtures?)\.\w+$|^mock_[\w-]+\.go$|_mocks?\.go$|^factories\.py$/;
/** factory_boy factories build test data. */
const PYTHON_FIXTURE_IMPORT = /^[ \t]*(?:import[ \t]+factory\b|from[ \t]+factory(?:\.\w+)*[ \t]+import\b)/m;
/** A program that imports a fake-data library (Faker, mimesis) and runs as `__main__`: it fills a database with sample data. */
const PYTHON_FAKE_DATA_IMPORT = /^[ \t]*(?:import|from)[ \t]+(?:faker|mimesis)\b/m;
const PYTHON_MAIN_GUARD = /^if[ \t]+__name__[ \t]*==[ \t]*["']__main__["'][ \t]*:/m;

const TEST_DIRS = new Set([
  'test',
  'tests',
  '__tests__',
  'spec',
  'specs',
  '__specs__',
  'e2e',
  'cypress',
  'playwright',
  'integration-tests',
  'integration_tests',
  'testing',
  'testutil',
  'testutils',
  'test_utils',
  'test-utils',
  'testhelpers',
  'test_helpers',
  'test-helpers',
  '__snapshots__',
]);
const TEST_FILE =
  /(?:\.(?:test|spec|e2e-spec|e2e|cy|it)\.\w+|_test\.(?:go|py)|^test_\w*\.py|^tests?\.py|^conftest\.py|^(?:setuptests|jest\.setup|vitest\.setup|test-setup|testsetup)\.\w+)$/;

const SCRIPT_DIRS = new Set([
  'scripts',
  'script',
  'tools',
  'tooling',
  'bin',
  'hack',
  'devtools',
  '.github',
  'ci',
  '.circleci',
  '.husky',
  '.devcontainer',
  // Code generator templates and prompts (hygen).
  '.hygen',
  '_templates',
  // Code run once when the service boots (copying assets, seeding settings), not per request.
  'startup',
]);
/** Folders of sample programs: `examples/`, `example/`, `_examples/`, `push-examples/`. */
const EXAMPLE_DIR = /^(?:_?examples?|[\w.]+[-_]examples)$/;
/**
 * Folders of demonstration apps and getting-started code (`quickstart/`, `demo/`): sample code only at
 * the top of the project or of a package (below that, `demo/` can be a feature of the product).
 */
const TOP_SAMPLE_DIR = /^(?:quick-?starts?|demos?)$/;
/**
 * Folders of a program's own source: below one, `example/` is more often a feature of the product
 * (an API's saved request examples, `src/components/http/example/`, `api/examples/handler.go`) than
 * samples; only `_example/` (which Go's tools skip) still says sample there.
 */
const OWN_SOURCE_DIRS = new Set([
  'src',
  'lib',
  'app',
  'internal',
  'pkg',
  'server',
  'api',
  'components',
  'routes',
  'controllers',
  'handlers',
  'services',
  'models',
  'modules',
  'views',
  'pages',
  'core',
  'domain',
  'features',
]);

/**
 * Where the first folder of sample programs is in `dirs` (see EXAMPLE_DIR, OWN_SOURCE_DIRS), or -1.
 * `packageDepth` folders at the top are the path to a package's root (`packages/api/` holding a
 * package.json): there a folder is the package's name, not a source folder of a program.
 */
function exampleFolderAt(dirs: readonly string[], packageDepth = 0): number {
  let inSource = false;
  for (const [at, dir] of dirs.entries()) {
    if (EXAMPLE_DIR.test(dir) && (!inSource || dir.startsWith('_'))) return at;
    if (TOP_SAMPLE_DIR.test(dir) && (at === 0 || at === packageDepth)) return at;
    if (at >= packageDepth && OWN_SOURCE_DIRS.has(dir)) inSource = true;
  }
  return -1;
}
/** A build script at the project's root or beside a package's package.json (`build.js`, `desktop/build.mjs`). */
const ROOT_BUILD_FILE = /^build\.(?:js|mjs|cjs|ts|mts)$/;
const SCRIPT_FILE =
  /\.config\.(?:js|cjs|mjs|ts|cts|mts)$|^(?:gulpfile|gruntfile|jakefile|jest\.preset|webpack\.config|rollup\.config|vite\.config|esbuild(?:\.config)?|babel\.config|jest\.config|vitest\.config|playwright\.config|cypress\.config|eslint\.config|prettier\.config|tailwind\.config|postcss\.config|next\.config|nuxt\.config|svelte\.config|karma\.conf|protractor\.conf|commitlint\.config|lint-staged\.config|tsup\.config)\.\w+$|^(?:noxfile|fabfile|manage|(?:pre|post)_gen_project)\.py$|^(?:magefile|mage)\.go$/;

/**
 * Folders named for the browser side: scripts a server keeps to inject into the pages it drives
 * (`server/src/sdk/browserSide/pageAnalyzer.js`, read and run by `page.evaluate`). Below a server
 * folder they still say browser, being the more specific name.
 */
const BROWSER_SIDE_DIRS = new Set([
  'browserside',
  'browser-side',
  'browser_side',
  'clientside',
  'client-side',
  'client_side',
  // The counterpart of a `server-only/` folder: modules kept out of the server bundle.
  'client-only',
  'client_only',
]);
/** Front-end folders; `client` and `web` count only at the top of the project (a `src/client/` is often an HTTP client). */
const BROWSER_DIRS = new Set([
  'frontend',
  'front-end',
  'public',
  'static',
  'assets',
  'wwwroot',
  'browser',
  'webapp',
  ...BROWSER_SIDE_DIRS,
]);
const BROWSER_TOP_DIRS = new Set(['client', 'web', 'ui']);
/** Folders a web server hands to browsers as they are. */
const SERVED_DIRS = new Set(['public', 'static', 'wwwroot']);
/** A program named for development: `server-dev.ts`, `app_dev.js` (not `is.dev.ts`, a helper). */
const DEV_ENTRY_FILE = /[-_]dev\.[cm]?[jt]s$/;
/** Next.js and friends: files that run on the server even in a front-end tree. */
const SERVER_PATH = /(?:^|\/)(?:api|server|pages\/api|app\/api)\/|(?:^|\/)(?:route|middleware)\.\w+$/;

/** Single-file components of Vue and Svelte: templates and scripts that run in the browser. */
const COMPONENT_FILE = /\.(?:vue|svelte)$/;

// ---- Content signals ----

/** How much of the top of a file is searched for markers and imports. */
const HEAD_CHARS = 16 * 1024;
/** Where `Code generated … DO NOT EDIT.` and friends must appear. */
const MARKER_CHARS = 2 * 1024;
const GENERATED_MARKER =
  /^[ \t]*(?:\/\/|#|\/?\*+|<!--)[^\n]*(?:\bcode generated\b[^\n]*\bdo not edit\b|@generated\b|<auto-generated|\bauto-?generated\b[^\n]*\bdo not (?:edit|modify)\b|\bdo not edit\b[^\n]*\b(?:auto-?)?generated\b|\bthis (?:file|code|class|module|package|model|interface|source(?: file)?) (?:is|was|has been) (?:auto(?:matically)?[- ]?)?generated\b)/im;
/**
 * A bundler's output: webpack's runtime (`/******\/` lines, `__webpack_modules__` and
 * `__webpack_require__` defined) and esbuild's module helpers defined at the top. Such a file is built
 * from sources kept elsewhere (a library's distribution copied in, or the project's own build), readable or not.
 */
const BUNDLER_RUNTIME =
  /^\/\*{6}\/|^[ \t]*(?:var|const|let)[ \t]+(?:__webpack_modules__|__webpack_require__|__commonJS|__toESM)[ \t]*=/m;
/** A minified file: long lines on average (a data file with one long string does not get here: it is one line among many). */
const MINIFIED_MIN_CHARS = 2048;
const MINIFIED_MEAN_LINE = 300;

const PYTHON_TEST_IMPORT =
  /^[ \t]*(?:import[ \t]+(?:pytest|unittest|nose2?|hypothesis)\b|from[ \t]+(?:pytest|unittest|nose2?|hypothesis|django\.test|rest_framework\.test|fastapi\.testclient|starlette\.testclient|flask\.testing|pytest_\w+)\b)/m;
const JS_TEST_MODULES =
  '@jest/globals|jest|vitest|mocha|chai|sinon|supertest|ava|tap|node:test|nock|msw|msw/node|enzyme|@playwright/test|cypress|@nestjs/testing|jest-mock|light-my-request|@testing-library/[\\w./-]+|@vitest/[\\w./-]+';
const JS_TEST_IMPORT = new RegExp(
  `(?:\\bfrom[ \\t]*|\\bimport[ \\t]*|\\brequire\\([ \\t]*)['"](?:${JS_TEST_MODULES})['"]`,
  'm',
);
/** Test globals without imports (jest, mocha): a top-level describe/it/test block and an assertion. */
const JS_TEST_BLOCK = /^(?:describe|it|test|suite)(?:\.(?:each|only|skip|concurrent)\b[^\n(]*)?\([ \t]*['"`]/m;
const JS_ASSERTION = /\b(?:expect|assert)(?:\.\w+)?\(/;
const GO_TEST_IMPORT =
  /^[ \t]*(?:import[ \t]+)?(?:\w+[ \t]+)?"(?:testing|testing\/\w+|net\/http\/httptest|github\.com\/stretchr\/testify(?:\/\w+)*|github\.com\/onsi\/(?:ginkgo|gomega)(?:\/[\w/]+)?|github\.com\/golang\/mock\/gomock|go\.uber\.org\/mock\/gomock)"/m;
const SETUPTOOLS = /^[ \t]*(?:from|import)[ \t]+(?:setuptools|distutils)\b/m;
/** An Alembic revision (`from alembic import op`) or a Django migration class. */
const PYTHON_MIGRATION =
  /^[ \t]*from[ \t]+alembic[ \t]+import[ \t]+(?:op|context)\b|^class[ \t]+Migration\([ \t]*migrations\.Migration[ \t]*\)/m;
/** The package of a Go program (`package main`), not of a library. */
const GO_MAIN_PACKAGE = /^package[ \t]+main\b/m;
const GO_TEST_PACKAGE = /^(?!(?:la|con|at|pro|de|in|manifes)test$)[a-z][a-z0-9]*test$/;
/** A Go program run by hand or by `go generate`, never built into the service. */
const GO_SCRIPT_BUILD_TAG = /^\/\/(?:go:build|[ \t]*\+build)[ \t]+(?:ignore|tools|generate)\b/m;
/**
 * The environments a settings module can be named for that are not production: CI, the test run, a
 * developer's machine (`settings/ci.py`, `settings/local_dev.py`, `settings_test.py`, `dev_settings.py`).
 */
const NON_PRODUCTION_ENV = /^(?:ci|tests?|testing|dev|devel|develop|development|local_?dev|dev_?local)$/;
/** `local` names a developer's machine only in a module that turns debugging on (`DEBUG = True`). */
const LOCAL_ENV = /^local$/;
const PYTHON_DEBUG_ON = /^DEBUG[ \t]*=[ \t]*True\b/m;
/**
 * A task runner's tasks file (invoke's and Fabric's `tasks.py`/`fabfile`, Paver's `pavement.py`):
 * commands a maintainer runs (`inv bootstrap`), told by the import and a `@task` decorator. Celery's
 * tasks (`@shared_task`, `@app.task`) import celery, not these.
 */
const PYTHON_TASK_RUNNER_IMPORT =
  /^[ \t]*(?:from[ \t]+(?:invoke|fabric|paver)(?:\.\w+)*[ \t]+import\b|import[ \t]+(?:invoke|fabric|paver)\b)/m;
const PYTHON_TASK_DECORATOR = /^[ \t]*@task\b/m;
/** A Django management command's class, wherever its module is (a base class the commands share). */
const DJANGO_COMMAND_IMPORT =
  /^[ \t]*from[ \t]+django\.core\.management(?:\.base)?[ \t]+import\b[^\n]*\bBaseCommand\b/m;
const DJANGO_COMMAND_CLASS = /^class[ \t]+\w+\([^)\n]*\bBaseCommand\b[^)\n]*\)[ \t]*:/m;
/** PEP 723 inline script metadata: a single-file program run by `uv run`/`pipx run`, never imported. */
const PYTHON_INLINE_SCRIPT_METADATA = /^# \/\/\/ script[ \t]*$/m;
/** Folders at the top of a project that hold its maintainers' programs, beside the app. */
const TOP_LEVEL_TOOL_DIRS = new Set(['extra', 'extras']);

const JS_BROWSER_MODULES =
  'react|react-dom|react-dom/client|zustand|jotai|recoil|vue|vuex|vuex-[\\w./-]+|vue-(?!server-renderer)[\\w./-]+|pinia|@vueuse/[\\w./-]+|svelte|preact|preact/hooks|solid-js|lit|jquery|alpinejs|next/link|next/router|next/navigation|next/image|next/head|next/dynamic|@remix-run/react|react-router|react-router-dom|@tanstack/react-query|@tanstack/vue-query|swr|@angular/[\\w./-]+|@vue/[\\w./-]+|@mui/[\\w./-]+|@chakra-ui/[\\w./-]+|@emotion/[\\w./-]+|styled-components|antd|react-(?!dom/server)[\\w./-]+|mobx-react(?:-lite)?|prosemirror-view|@codemirror/view|@tiptap/react|@tiptap/vue-\\d';
const JS_BROWSER_IMPORT = new RegExp(
  `(?:\\bfrom[ \\t]*|\\bimport[ \\t]*|\\brequire\\([ \\t]*)['"](?:${JS_BROWSER_MODULES})['"]`,
  'm',
);
/** `import { cache } from 'react'`, `import { cache as reactCache } from "react"`: the server API alone. */
const REACT_CACHE_ONLY_IMPORT =
  /\bimport[ \t]*\{[ \t]*cache(?:[ \t]+as[ \t]+[\w$]+)?[ \t]*,?[ \t]*\}[ \t]*from[ \t]*['"]react['"]/g;
/**
 * The DOM in use: `document.querySelector`, web storage, and DOM event and element types in
 * annotations (`event: ClipboardEvent`, `el: HTMLInputElement`) with the data they carry
 * (`event.dataTransfer`).
 */
const JS_DOM_USE =
  /\b(?:document\.(?:getElementById|getElementsBy\w+|querySelector(?:All)?|createElement|body|documentElement|addEventListener|cookie)|(?:localStorage|sessionStorage)\.(?:getItem|setItem))|:\s*(?:HTML\w*Element|(?:Clipboard|Drag|Keyboard|Mouse|Pointer|Touch|Focus|Input|Wheel)Event)\b|\.(?:clipboardData|dataTransfer)\b/;
/**
 * A JSX element where an expression starts (`return <div`, `=> (\n  <Card`, `? <Empty />`, a fragment
 * `<>`): with the automatic JSX runtime a component imports no React at all. Read in `.tsx`/`.jsx`
 * only, where `<T>value` type assertions are not allowed and `<` after these tokens opens an element.
 */
const JSX_ELEMENT = /(?:\breturn|=>|[(?:,]|&&|\|\|)\s*<(?:[A-Za-z][\w.:-]*(?=[\s/>])|>)/;
const ASYNC_COMPONENT = /\basync\s+function\s+[A-Z]|\b(?:const|let)\s+[A-Z][\w$]*\s*(?::[^=]+)?=\s*async\b/;
/** Any `window.` property (Node has no `window`), unless the module asks whether it runs in a browser (`typeof window`). */
const WINDOW_USE = /\bwindow\.[A-Za-z_$][\w$]*/;
const ISOMORPHIC = /\btypeof\s+window\b/;
/**
 * Modules that only run on a server or in Node. Browser automation drivers (Playwright, Puppeteer,
 * Selenium) launch and steer a browser from Node: the `document.querySelector` of a crawler's
 * `page.evaluate(() => …)` runs in that page, the module itself does not. JSX rendered to an email
 * (React Email, jsx-email) or a terminal (Ink) is a server's or a command's, not a page's.
 */
const JS_SERVER_MODULES =
  'node:[\\w/]+|fs|fs/promises|path|http|https|http2|net|tls|dgram|child_process|cluster|os|worker_threads|stream|zlib|express|koa|fastify|restify|hapi|@hapi/[\\w./-]+|@nestjs/[\\w./-]+|@koa/[\\w./-]+|@fastify/[\\w./-]+|pg|pg-promise|mysql|mysql2|mysql2/promise|mongodb|mongoose|redis|ioredis|@prisma/client|sequelize|typeorm|knex|drizzle-orm[\\w./-]*|next/server|next/headers|server-only|dotenv|dotenv/config|bullmq|bull|kafkajs|amqplib|nodemailer|@aws-sdk/[\\w./-]+|aws-sdk|firebase-admin|jsonwebtoken|bcrypt|bcryptjs|passport|socket\\.io|ws|pino|winston|playwright|playwright-core|puppeteer|puppeteer-core|selenium-webdriver|next/og|@vercel/og|hono|hono/[\\w./-]+|elysia|@react-email/[\\w./-]+|react-email|jsx-email|ink';
/**
 * Server-side modules that bundlers also ship to browsers (a Vue store decoding the session's JWT
 * with `jsonwebtoken`, a sign-up form hashing with `bcryptjs`): in a front-end folder, beside a UI
 * framework's import, they do not make the module a server's.
 */
const BUNDLED_SERVER_MODULES = new Set(['jsonwebtoken', 'bcryptjs']);
const JS_SERVER_IMPORT = new RegExp(
  `(?:\\bfrom[ \\t]*|\\bimport[ \\t]*|\\brequire\\([ \\t]*)['"](${JS_SERVER_MODULES})['"]`,
  'gm',
);

/**
 * Whether the module imports something that only runs on a server. A type-only import
 * (`import type { User } from 'pg'`) is erased at build time, and the models and enums a Prisma
 * schema generates (`import { DataSource, Prisma } from '@prisma/client'`) are shared with front
 * ends that show the same records: only the client itself (`PrismaClient`, a default or namespace
 * import) talks to a database.
 */
function importsServerModule(head: string, bundledAllowed = false): boolean {
  JS_SERVER_IMPORT.lastIndex = 0;
  for (let match = JS_SERVER_IMPORT.exec(head); match; match = JS_SERVER_IMPORT.exec(head)) {
    if (bundledAllowed && BUNDLED_SERVER_MODULES.has(match[1])) continue;
    if (!match[0].startsWith('from')) return true;
    // The clause between the statement's `import` keyword (at most 2 KiB back) and this `from`.
    const before = head.slice(Math.max(0, match.index - 2048), match.index);
    let keyword = before.lastIndexOf('import');
    while (keyword > 0 && /[\w$]/.test(before[keyword - 1])) keyword = before.lastIndexOf('import', keyword - 1);
    if (keyword < 0) return true;
    const clause = before.slice(keyword + 'import'.length);
    if (/^\s*type\b/.test(clause)) continue;
    if (match[1] === '@prisma/client' && /^\s*\{[^}]*\}\s*$/.test(clause) && !/\bPrismaClient\b/.test(clause)) continue;
    return true;
  }
  return false;
}
const JS_SERVER_MARK =
  /^['"]use server['"]|\bexport\s+(?:async\s+)?(?:function|const)\s+(?:getServerSideProps|getStaticProps|getStaticPaths|loader|action|generateMetadata)\b/m;
/** Server-side data loading of a full-stack framework's pages, written in a helper module. */
const PAGE_DATA_LOADING =
  /\b(?:GetServerSideProps|GetStaticProps|GetStaticPaths)\b|\bgetServerSession\s*\(|\bserverSideTranslations\b/;

/**
 * The head of a file another project wrote: a header saying it was vendored or copied from
 * elsewhere, a full permissive licence text (a project's own files carry a short header or none),
 * or a `@license` tag, as libraries mark the notice that must travel with copies.
 */
const COPIED_HEADER =
  /\b(?:vendored|copied|taken|imported) (?:verbatim )?from\b[^\n]{0,40}(?:https?:\/\/|\bgithub\b|\bnpm\b)|\bPermission is hereby granted, free of charge\b|\bRedistribution and use in source and binary forms\b|@license\b/i;
/** A whole-file `/* eslint-disable *\/` (no rule list) as the first line. */
const LINT_OFF_FILE = /^\/\*\s*eslint-disable\s*\*\//;
/** A top-level `var`: JavaScript written before 2015, in a project that lints its own code. */
const TOP_LEVEL_VAR = /^var[ \t]+[A-Za-z_$]/m;

/**
 * A copy of another project's code kept in the tree: its header says so (see COPIED_HEADER), or
 * it is JavaScript that turns the project's linter off for the whole file and declares with
 * top-level `var` (an older library pasted in and left as it was).
 */
function copiedSignal(text: string, base: string): string | undefined {
  const head = text.length > MARKER_CHARS ? text.slice(0, MARKER_CHARS) : text;
  const header = COPIED_HEADER.exec(head);
  if (header) return `header "${header[0].slice(0, 60)}"`;
  if (/\.(?:js|mjs|cjs)$/.test(base) && LINT_OFF_FILE.test(head) && TOP_LEVEL_VAR.test(head))
    return 'JavaScript with ESLint off for the whole file and top-level var declarations (a copied older library)';
  return undefined;
}

/** A JavaScript file a bundler wrote (see BUNDLER_RUNTIME), told from its first HEAD_CHARS. */
function bundlerOutput(text: string, base: string): FileRoleResult | undefined {
  if (!/\.(?:js|mjs|cjs)$/.test(base)) return undefined;
  const runtime = BUNDLER_RUNTIME.exec(text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text);
  return runtime ? { role: 'generated', reason: `bundler output (${runtime[0].trim().slice(0, 40)})` } : undefined;
}

type Family = 'js' | 'python' | 'go' | undefined;

function familyOfPath(base: string): Family {
  const dot = base.lastIndexOf('.');
  if (dot < 0) return undefined;
  switch (base.slice(dot + 1)) {
    case 'ts':
    case 'tsx':
    case 'mts':
    case 'cts':
    case 'js':
    case 'jsx':
    case 'mjs':
    case 'cjs':
      return 'js';
    case 'py':
    case 'pyi':
      return 'python';
    case 'go':
      return 'go';
    default:
      return undefined;
  }
}

function firstDir(dirs: readonly string[], set: ReadonlySet<string>): string | undefined {
  return dirs.find((dir) => set.has(dir));
}

/**
 * The first folder of maintainers' scripts in `dirs` (see SCRIPT_DIRS). A `tools/` folder below a
 * folder of the program's own source (`src/chat/tools/`, `server/tools/`) holds the program's tools
 * (an AI agent's or an MCP server's, which the server registers and runs per request), not
 * maintainers' ones: those sit at a project's or a package's root.
 */
function scriptDirIn(dirs: readonly string[]): string | undefined {
  return dirs.find(
    (dir, at) => SCRIPT_DIRS.has(dir) && !(dir === 'tools' && dirs.slice(0, at).some((up) => OWN_SOURCE_DIRS.has(up))),
  );
}

/** Mean line length of the text, counting at most the first 64 KiB. */
function minified(text: string): number | undefined {
  if (text.length < MINIFIED_MIN_CHARS) return undefined;
  const sample = text.length > 65_536 ? text.slice(0, 65_536) : text;
  let lines = 1;
  for (let at = sample.indexOf('\n'); at >= 0; at = sample.indexOf('\n', at + 1)) lines += 1;
  const mean = sample.length / lines;
  return mean > MINIFIED_MEAN_LINE ? Math.round(mean) : undefined;
}

function testImport(head: string, family: Family): string | undefined {
  if (family === 'python') {
    const match = PYTHON_TEST_IMPORT.exec(head);
    return match ? `imports ${match[0].trim().replace(/\s+/g, ' ')}` : undefined;
  }
  if (family === 'go') {
    const match = GO_TEST_IMPORT.exec(head);
    return match ? `imports ${match[0].trim().replace(/^import\s+/, '')}` : undefined;
  }
  if (family === 'js') {
    const match = JS_TEST_IMPORT.exec(head);
    if (match) return `imports ${match[0].replace(/^.*?(['"])/, '$1')}`;
    if (JS_TEST_BLOCK.test(head) && JS_ASSERTION.test(head)) return 'top-level describe/it/test blocks with assertions';
  }
  return undefined;
}

/**
 * Whether the module's first statement is the `'use client'` directive, after any whitespace and
 * comments. A linear scan: a regular expression with a repeated optional group over whitespace
 * backtracks exponentially on a long leading comment (a vendored bundle's licence header took minutes).
 */
export function startsWithUseClient(text: string): boolean {
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at])) at += 1;
    if (text.startsWith('//', at)) {
      const end = text.indexOf('\n', at);
      if (end < 0) return false;
      at = end + 1;
    } else if (text.startsWith('/*', at)) {
      const end = text.indexOf('*/', at + 2);
      if (end < 0) return false;
      at = end + 2;
    } else {
      return /^['"]use client['"]/.test(text.slice(at, at + 12));
    }
  }
}

/** A browser-side folder below the last server folder (`server/src/sdk/browserSide/`), the file not a route or middleware. */
function browserSideBelowServer(path: string, dirs: readonly string[]): boolean {
  if (/(?:^|\/)(?:route|middleware)\.\w+$/.test(path)) return false;
  let server = -1;
  let browserSide = -1;
  dirs.forEach((dir, index) => {
    if (dir === 'server' || dir === 'api') server = index;
    if (BROWSER_SIDE_DIRS.has(dir)) browserSide = index;
  });
  return browserSide > server;
}

function browserSignal(
  path: string,
  dirs: readonly string[],
  text: string,
  head: string,
  packageInfo: PackageInfo | undefined,
): string | undefined {
  // Next.js's server folders (`pages/api/`, `app/api/`) mean nothing in a package built only for the
  // browser (an Angular page named `api`, a Vite app's `src/api/` HTTP helpers).
  if (SERVER_PATH.test(path) && packageInfo?.kind !== 'browser' && !browserSideBelowServer(path, dirs))
    return undefined;
  const frontEnd =
    firstDir(dirs, BROWSER_DIRS) ?? (dirs.length >= 1 && BROWSER_TOP_DIRS.has(dirs[0]) ? dirs[0] : undefined);
  // A full-stack framework's app (Next.js, Nuxt, Remix) keeps its browser-side helpers in a `client/`
  // folder at any depth (`lib/client/`), beside the server code it also holds.
  const clientFolder =
    frontEnd ??
    (packageInfo?.fullStack !== undefined && dirs.includes('client') && !PAGE_DATA_LOADING.test(head)
      ? 'client'
      : undefined);
  // `import { cache } from 'react'` is React's per-request memoisation for server code, not a UI's import.
  const framework = JS_BROWSER_IMPORT.exec(head.replace(REACT_CACHE_ONLY_IMPORT, ''));
  if (importsServerModule(head, frontEnd !== undefined && framework !== null) || JS_SERVER_MARK.test(head))
    return undefined;
  if (startsWithUseClient(head)) return "'use client' directive";
  // Next.js app-router files without 'use client' are server components: their fetch runs on the server.
  const appRouter = /(?:^|\/)app\//.test(path) && /(?:^|\/)(?:page|layout|template|loading|error)\.\w+$/.test(path);
  if (framework && !appRouter) return `imports ${framework[0].replace(/^.*?(['"])/, '$1')} and nothing server-side`;
  const sample = text.length > 65_536 ? text.slice(0, 65_536) : text;
  // Server components render JSX on the server: Next.js's app router folder (its files are server
  // components unless 'use client', read above) and async components (`export default async function Page`).
  if (/\.[jt]sx$/i.test(path) && !/(?:^|\/)app\//.test(path) && !ASYNC_COMPONENT.test(sample)) {
    const jsx = JSX_ELEMENT.exec(sample);
    if (jsx) return `renders JSX (${jsx[0].replace(/^[\s\S]*?</, '<').trim()}) and imports nothing server-side`;
  }
  const dom = JS_DOM_USE.exec(sample) ?? (ISOMORPHIC.test(sample) ? null : WINDOW_USE.exec(sample));
  if (dom) return `uses ${dom[0].trim()} and imports nothing server-side`;
  if (frontEnd) return `path ${frontEnd}/ and imports nothing server-side`;
  if (clientFolder) return `path ${clientFolder}/ in ${packageInfo?.fullStack} app and imports nothing server-side`;
  if (packageInfo?.kind === 'browser') return `${packageInfo.reason}; the file imports nothing server-side`;
  return undefined;
}

/** What the project around a file says about it (see ProjectScope): read only when a rule needs it. */
export interface ProjectContext {
  /** The names the project goes by (its folder's, its package's or module's), lower-case. */
  names?: readonly string[];
  /** Why a deployment file (a Dockerfile, compose file, Procfile, crontab, entrypoint) names the file; undefined when none does. */
  deployedBy?(path: string): string | undefined;
  /** Whether the folder (relative to the root) holds versioned migrations at any depth (see holdsVersionedMigrations). */
  holdsVersionedMigrations?(dir: string): boolean;
  /** Whether the folder (relative to the root) is a Python package: it holds an `__init__.py`. */
  isPythonPackage?(dir: string): boolean;
  /**
   * The folders and files the review was asked for (relative to the root, `/`-separated), when it was
   * asked for some below the root: a review aimed inside a folder of samples reviews them as code.
   */
  reviewed?: readonly string[];
}

/**
 * Whether the review was asked for the sample folder at `dirs[exampleAt]` of `path` or for something
 * in it (`review examples/orders-service`): then its files are what is being reviewed, as code.
 */
function reviewAsksFor(project: ProjectContext | undefined, path: string, exampleAt: number): boolean {
  if (!project?.reviewed || project.reviewed.length === 0) return false;
  const folder = path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .slice(0, exampleAt + 1)
    .join('/')
    .toLowerCase();
  return project.reviewed.some((asked) => {
    const lower = asked.toLowerCase();
    return lower === folder || lower.startsWith(`${folder}/`);
  });
}

/**
 * A versioned migration as a migrations folder holds it, a file or a folder of its own (Prisma's
 * `20240101120000_init/migration.sql`, a release's `v1_20/`): see VERSIONED_MIGRATION_FILE.
 */
const VERSIONED_MIGRATION_ENTRY =
  /^(?:\d+[\w.-]*|[a-z]\d{3,}[_-][\w.-]*|v\d+(?:[._]\d+)*(?:\.\w+)?|V\d+__[\w.-]+|[0-9a-f]{12}_[\w.-]*)$/;
/** How many entries holdsVersionedMigrations lists at most, and how deep it looks. */
const MIGRATION_SCAN_ENTRIES = 2000;
const MIGRATION_SCAN_DEPTH = 3;

/**
 * Whether folder `dir` holds a versioned migration (VERSIONED_MIGRATION_ENTRY) in it or in its
 * folders, up to MIGRATION_SCAN_DEPTH below. A schema's history is a series of numbered or timestamped
 * changes; a `migration/` folder without any is a feature of the product named for another sense of
 * the word (importing users' data from another service: `modules/migration/todoist/`). `list` names a
 * folder's entries (none for a file); a name with a dot is taken as a file and not listed.
 */
export function holdsVersionedMigrations(list: (dir: string) => readonly string[], dir: string): boolean {
  let budget = MIGRATION_SCAN_ENTRIES;
  const visit = (folder: string, depth: number): boolean => {
    for (const entry of list(folder)) {
      budget -= 1;
      if (VERSIONED_MIGRATION_ENTRY.test(entry)) return true;
      if (budget <= 0) return false;
      if (depth < MIGRATION_SCAN_DEPTH && !entry.includes('.') && visit(`${folder}/${entry}`, depth + 1)) return true;
    }
    return false;
  };
  return visit(dir, 1);
}

/** Python that serves or keeps running: a web app's run call, a server loop, a consumer, a scheduler. */
const PYTHON_SERVES =
  /\b(?:app|application|server|api|site)\.run\(|\b(?:uvicorn|hypercorn|waitress|bjoern|eventlet\.wsgi|socketio)\.(?:run|serve|server)\(|\bserve_forever\(|\brun_app\(|\brun_forever\(|\bstart_consuming\(|\b(?:Blocking|Background|AsyncIO)Scheduler\(|\bschedule\.every\b|\.listen\(/;
const PYTHON_LOOP_FOREVER = /^[ \t]+while[ \t]+True[ \t]*:/m;
/** What a command run by hand does: prints, reads its arguments, asks. */
const PYTHON_COMMAND_LINE =
  /^[ \t]*(?:import|from)[ \t]+(?:argparse|optparse|click|typer|fire|docopt)\b|\bsys\.argv\b|^[ \t]*print\(|\binput\(/m;

/**
 * A Python program of its own, run by hand: a `#!` line, a `__main__` guard and a command line
 * (prints, argparse, `sys.argv`), beside the app it maintains (`upload-screenshots.py`,
 * `loaddata.py`). Not when it serves or keeps running (a web app's `app.run()`, `while True` with a
 * sleep), nor when a deployment file starts it (a container's entrypoint or cron job runs in production).
 */
function pythonProgram(
  path: string,
  text: string,
  head: string,
  project: ProjectContext | undefined,
): string | undefined {
  if (!text.startsWith('#!') || !PYTHON_MAIN_GUARD.test(text) || !PYTHON_COMMAND_LINE.test(text)) return undefined;
  if (PYTHON_SERVES.test(text) || (PYTHON_LOOP_FOREVER.test(text) && /\bsleep\(/.test(text))) return undefined;
  if (project?.deployedBy?.(path) !== undefined) return undefined;
  const shebang = head.slice(0, head.indexOf('\n') < 0 ? head.length : head.indexOf('\n')).trim();
  return `a program run by hand (${shebang.slice(0, 40)}, a __main__ guard, a command line; serves nothing, no deployment file starts it)`;
}

/**
 * Python command-line code that is no program of its own by the `#!` test above: a task runner's
 * tasks (invoke, Fabric, Paver), a Django management command's class kept outside `commands/` (a base
 * class several commands share), a single-file script with PEP 723 metadata. A deployment file that
 * starts it still makes it production.
 */
function pythonCommand(path: string, head: string, project: ProjectContext | undefined): string | undefined {
  let reason: string | undefined;
  const runner = PYTHON_TASK_RUNNER_IMPORT.exec(head);
  if (runner && PYTHON_TASK_DECORATOR.test(head))
    reason = `${runner[0].trim().replace(/\s+/g, ' ')} and @task (a task runner's commands)`;
  else if (DJANGO_COMMAND_IMPORT.test(head) && DJANGO_COMMAND_CLASS.test(head))
    reason = 'a Django management command class (BaseCommand)';
  else if (PYTHON_INLINE_SCRIPT_METADATA.test(head)) reason = 'PEP 723 script metadata (# /// script)';
  if (reason === undefined || project?.deployedBy?.(path) !== undefined) return undefined;
  return reason;
}

/**
 * A settings module of an environment that is not production: in a `settings` package
 * (`settings/ci.py`, `settings/local_dev.py`) or named for the environment beside the settings
 * (`settings_test.py`, `dev_settings.py`). Developers' and CI runs' throwaway keys and local database
 * passwords live there. `local` counts only with `DEBUG = True` (elsewhere it may be a deployment's overrides).
 */
function nonProductionSettings(dirs: readonly string[], base: string, head: string): string | undefined {
  const stem = base.replace(/\.py$/, '');
  const env =
    dirs.at(-1) === 'settings'
      ? stem
      : (/^settings[._-](\w+)$/.exec(stem)?.[1] ?? /^(\w+?)[._-]settings$/.exec(stem)?.[1]);
  if (env === undefined) return undefined;
  if (NON_PRODUCTION_ENV.test(env) || (LOCAL_ENV.test(env) && PYTHON_DEBUG_ON.test(head)))
    return `settings for a ${env} environment (not production)`;
  return undefined;
}

/** Expo's config plugins change the native project when the mobile app is built. */
const BUILD_CONFIG_PLUGIN =
  /(?:\bfrom[ \t]*|\bimport[ \t]*|\brequire\([ \t]*)['"](@expo\/config-plugins|expo\/config-plugins)['"]/;

/** `This file is part of python-gnupg, …`: the project a file's licence header names. */
const PART_OF_HEADER =
  /^[ \t]*(?:#|\/\/|\/?\*+|--)[ \t]*(?:This|The) (?:file|module|program|code|source(?: file)?) is part of ([^\n,;.(<]{2,60})/im;
/** Words of a project's name that say nothing about which project it is. */
const GENERIC_NAME_WORDS = new Set([
  'the',
  'python',
  'golang',
  'node',
  'nodejs',
  'javascript',
  'typescript',
  'project',
  'service',
  'library',
  'program',
  'software',
  'package',
  'application',
  'server',
  'client',
  'interface',
  'module',
  'framework',
  'tool',
  'tools',
  'free',
  'open',
  'source',
  'suite',
  'system',
  'platform',
  'plugin',
]);
const compactName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * A licence header naming another project as the file's (`This file is part of python-gnupg`) in a
 * project that goes by other names (its folder's, its package's): a fork of a library kept in the
 * source tree, usually in a folder of the library's name. Needs the project's names; a header naming
 * any of them is the project's own.
 */
function foreignHeader(text: string, names: readonly string[] | undefined): string | undefined {
  if (!names || names.length === 0) return undefined;
  const head = text.length > MARKER_CHARS ? text.slice(0, MARKER_CHARS) : text;
  const header = PART_OF_HEADER.exec(head);
  if (!header) return undefined;
  const words = header[1]
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length >= 3 && !GENERIC_NAME_WORDS.has(word));
  if (words.length === 0) return undefined;
  const own = names.map(compactName).filter((name) => name.length >= 3);
  if (words.some((word) => own.some((name) => name.includes(word) || word.includes(name)))) return undefined;
  return `header "${header[0].trim().slice(0, 80)}" names another project`;
}

/** Compiled `rolePatterns`: matchers in FILE_ROLES order. Compiling once per distinct patterns object. */
export interface RoleMatcher {
  match(path: string): FileRoleResult | undefined;
}

export function compileRolePatterns(patterns: RolePatterns | undefined): RoleMatcher | undefined {
  if (!patterns) return undefined;
  const compiled: Array<{ role: FileRole; glob: string; test: (path: string) => boolean }> = [];
  for (const role of FILE_ROLES) {
    for (const glob of patterns[role] ?? []) compiled.push({ role, glob, test: globMatcher(glob) });
  }
  if (compiled.length === 0) return undefined;
  return {
    match(path) {
      const found = compiled.find((entry) => entry.test(path));
      return found ? { role: found.role, reason: `rolePatterns.${found.role} "${found.glob}"` } : undefined;
    },
  };
}

/**
 * A project glob as users expect from .gitignore-like files: relative to the project root; a
 * pattern without `/` matches a name at any depth; a pattern that matches a folder matches
 * everything under it.
 */
export function globMatcher(glob: string): (path: string) => boolean {
  const trimmed = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  const test = picomatch(trimmed.startsWith('/') ? trimmed.slice(1) : trimmed, {
    dot: true,
    basename: !trimmed.includes('/'),
  });
  return (path) => {
    if (test(path)) return true;
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
      if (test(path.slice(0, at))) return true;
    }
    return false;
  };
}

/**
 * A bundler's output named by content hash, in an `assets/` folder: Vite's `pages-O-QBvGFf.js` and
 * `echarts-l0sNRNKZ.js` (8 characters of base64url), older builds' `teams_list.5a685cad.js` (8 hex
 * digits). Read in the file name as written: a hash mixes cases or digits with letters where a word
 * (`user-settings.js`, `auth-Callback.js`) does not.
 */
const HASHED_BUNDLE = /^[\w.-]+?[.-]([\w-]{8})\.(?:m?js|css)$/;
function isHashedBundle(dirs: readonly string[], originalBase: string): boolean {
  if (!dirs.includes('assets')) return false;
  const hash = HASHED_BUNDLE.exec(originalBase)?.[1];
  if (hash === undefined) return false;
  if (/^[0-9a-f]{8}$/.test(hash)) return /\d/.test(hash) && /[a-f]/.test(hash);
  const upper = (hash.match(/[A-Z]/g) ?? []).length;
  // A word capitalised once or twice (`Callback`, `UserList`) is a name; digits or more capitals are a hash.
  return /\d/.test(hash) || upper >= 3 || (upper === 2 && !/[A-Z]/.test(hash[0]));
}

/** Vendored or generated code told by its folders or its file name alone. */
function notOwnCodeByPath(dirs: string[], base: string, originalBase = base): FileRoleResult | undefined {
  const vendoredDir = firstDir(dirs, VENDORED_DIRS);
  if (vendoredDir) return { role: 'vendored', reason: `path ${vendoredDir}/` };
  const releaseDir = dirs.find((dir) => VERSIONED_DIR.test(dir));
  if (releaseDir) return { role: 'vendored', reason: `path ${releaseDir}/ (a library's release)` };
  if (VENDORED_FILE.test(base)) return { role: 'vendored', reason: `file name ${base}` };
  const generatedDir = firstDir(dirs, GENERATED_DIRS);
  if (generatedDir) return { role: 'generated', reason: `path ${generatedDir}/` };
  if (GENERATED_FILE.test(base)) return { role: 'generated', reason: `file name ${base}` };
  const outputDir = COMPILED_JS.test(base) ? firstDir(dirs, BUILD_OUTPUT_DIRS) : undefined;
  if (outputDir) return { role: 'generated', reason: `path ${outputDir}/ (build output)` };
  if (isHashedBundle(dirs, originalBase))
    return { role: 'generated', reason: `file name ${originalBase} (a bundle named by content hash)` };
  return undefined;
}

/**
 * The role of a file whose path alone says it is vendored or generated (`generated/`, `*.pb.go`,
 * `vendor/`), without reading it: a file too large to read is judged by this.
 */
export function generatedOrVendoredByPath(path: string): FileRoleResult | undefined {
  const segments = normalisePath(path)
    .toLowerCase()
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
  const base = segments.pop() ?? '';
  return notOwnCodeByPath(segments, base, normalisePath(path).split('/').pop());
}

/** How much of a file over the size cap is read to tell a bundle or generated file by its content. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * The role of a file too large to review, from its path or, failing that, from the first
 * SNIFF_BYTES of its text: a generated marker, a copied-code header, or minified lines (a one-line
 * multi-megabyte bundle such as a math typesetter's). Own code is undefined: it should have been reviewed.
 */
export function generatedOrVendoredByHead(path: string, head: string): FileRoleResult | undefined {
  const byPath = generatedOrVendoredByPath(path);
  if (byPath) return byPath;
  const marker = GENERATED_MARKER.exec(head.length > MARKER_CHARS ? head.slice(0, MARKER_CHARS) : head);
  if (marker) return { role: 'generated', reason: `marker "${marker[0].trim().slice(0, 80)}"` };
  const bundle = bundlerOutput(head, normalisePath(path).toLowerCase().split('/').pop() ?? '');
  if (bundle) return bundle;
  const meanLine = minified(head);
  if (meanLine !== undefined)
    return { role: 'vendored', reason: `minified (lines of ${meanLine} characters on average)` };
  const base = normalisePath(path).toLowerCase().split('/').pop() ?? '';
  const copied = copiedSignal(head, base);
  return copied ? { role: 'vendored', reason: copied } : undefined;
}

/** A path segment that names a folder (not empty, `.` or `..`). */
const isFolderName = (segment: string): boolean => segment !== '' && segment !== '.' && segment !== '..';

/**
 * A Go package of the project's own named for third parties (`backend/thirdparty/provider.go`, `package
 * thirdparty`: sign-in with other services), not a copy of someone else's code: a copied library in a
 * `third_party/` folder keeps its own package name, in a folder of its own.
 */
function ownThirdPartyPackage(byPath: FileRoleResult, dirs: readonly string[], family: Family, text: string): boolean {
  if (family !== 'go' || byPath.role !== 'vendored' || dirs.length === 0) return false;
  const last = dirs[dirs.length - 1];
  if (!/^third[-_]?party$/.test(last) || dirs.slice(0, -1).some((dir) => VENDORED_DIRS.has(dir))) return false;
  const head = text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text;
  return /^package[ \t]+third_?party\b/m.test(head);
}

/** A path as the conventions read it: `/`-separated, no leading `./`. */
export function normalisePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
}

/**
 * The role of a file. `path` should be relative to the project root (a folder above it named
 * `test` must not make everything a test); `patterns` are the project's own `rolePatterns`, which
 * win over everything built in.
 */
export function classifyFile(
  path: string,
  text: string,
  patterns?: RoleMatcher,
  packageInfo?: PackageInfo,
  project?: ProjectContext,
): FileRoleResult {
  const normal = normalisePath(path);
  const forced = patterns?.match(normal);
  if (forced) return forced;
  const lower = normal.toLowerCase();
  const segments = lower.split('/').filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
  const base = segments.pop() ?? '';
  const dirs = segments;
  const family = familyOfPath(base);

  const byPath = notOwnCodeByPath(dirs, base, normal.slice(normal.lastIndexOf('/') + 1));
  if (byPath && !ownThirdPartyPackage(byPath, dirs, family, text)) return byPath;
  // A test file's own name wins over the folder it sits in (`migrations/migrations_test.go` tests the package).
  if (TEST_FILE.test(base)) return { role: 'test', reason: `file name ${base}` };
  const migrationDir = firstDir(dirs, MIGRATION_DIRS);
  if (migrationDir) {
    // Tests of the migrations (`tests/migrations/migration_3c4d.py` feeding fake rows to each revision)
    // are tests: a test folder above the migrations folder wins.
    const migrationAt = dirs.indexOf(migrationDir);
    const above = dirs.slice(0, migrationAt);
    const testAbove = above.find((dir) => TEST_DIRS.has(dir));
    if (testAbove) return { role: 'test', reason: `path ${testAbove}/ (tests of ${migrationDir}/)` };
    // A schema's history is a series of versioned changes: a `migration/` folder that holds none is a
    // feature named for another sense of the word (importing another app's export:
    // `modules/migration/todoist/`, `controllers/migration/importFromPocket.ts`). Without the project's
    // folders to look at, among a program's request handlers or services it is taken as such a feature.
    // There a file is a migration only by its versioned name or a migration framework's shape.
    const folder = normal.split('/').filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
    const versioned = project?.holdsVersionedMigrations?.(folder.slice(0, migrationAt + 1).join('/'));
    if (versioned === true)
      return { role: 'migration', reason: `path ${migrationDir}/ (it holds versioned migrations)` };
    if (versioned === undefined && !above.some((dir) => FEATURE_DIRS.has(dir)))
      return { role: 'migration', reason: `path ${migrationDir}/` };
    const shape =
      VERSIONED_MIGRATION_FILE.exec(base)?.[0] ??
      MIGRATION_SHAPE.exec(text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text)?.[0];
    if (shape !== undefined) return { role: 'migration', reason: `path ${migrationDir}/ and ${shape.trim()}` };
  }
  // Alembic and Django migrations wherever the project keeps them (`database/revisions/`).
  if (family === 'python') {
    const migrationImport = PYTHON_MIGRATION.exec(text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text);
    if (migrationImport) return { role: 'migration', reason: `${migrationImport[0].trim()}` };
  }
  // Go and Python projects keep their schema migrations in one file of the database package too.
  if (/^(?:migrations?|migrate)\.(?:go|py)$/.test(base)) return { role: 'migration', reason: `file name ${base}` };
  const dbMigrate = dirs.findIndex((dir, index) => dir === 'migrate' && index > 0 && dirs[index - 1] === 'db');
  if (dbMigrate >= 0) return { role: 'migration', reason: 'path db/migrate/' };

  const marker = GENERATED_MARKER.exec(text.length > MARKER_CHARS ? text.slice(0, MARKER_CHARS) : text);
  if (marker) return { role: 'generated', reason: `marker "${marker[0].trim().slice(0, 80)}"` };
  const bundle = bundlerOutput(text, base);
  if (bundle) return bundle;
  const meanLine = minified(text);
  if (meanLine !== undefined)
    return { role: 'vendored', reason: `minified (lines of ${meanLine} characters on average)` };
  const copied = copiedSignal(text, base) ?? foreignHeader(text, project?.names);
  if (copied) return { role: 'vendored', reason: copied };

  const fixtureDir = firstDir(dirs, FIXTURE_DIRS);
  if (fixtureDir) return { role: 'fixture', reason: `path ${fixtureDir}/` };
  if (FIXTURE_FILE.test(base)) return { role: 'fixture', reason: `file name ${base}` };
  if (family !== 'go') {
    if (dirs.includes('seed')) return { role: 'fixture', reason: 'path seed/' };
    if (SEED_NAME.test(base)) return { role: 'fixture', reason: `file name ${base}` };
  }
  const testDir = firstDir(dirs, TEST_DIRS);
  if (testDir) return { role: 'test', reason: `path ${testDir}/` };
  // Go's own convention: a package named like `httptest` or `orderstest` holds test helpers.
  const goTestPackage = family === 'go' ? dirs.find((dir) => GO_TEST_PACKAGE.test(dir)) : undefined;
  if (goTestPackage) return { role: 'test', reason: `Go test helper package ${goTestPackage}/` };

  const head = text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text;
  if (family === 'python' && PYTHON_FIXTURE_IMPORT.test(head))
    return { role: 'fixture', reason: 'imports factory (factory_boy)' };
  if (family === 'python' && PYTHON_FAKE_DATA_IMPORT.test(head) && PYTHON_MAIN_GUARD.test(text))
    return { role: 'fixture', reason: 'a __main__ program that imports a fake-data library (sample data)' };
  const imported = testImport(head, family);
  if (imported) return { role: 'test', reason: imported };
  if (family === 'python') {
    const settings = nonProductionSettings(dirs, base, head);
    if (settings) return { role: 'test', reason: settings };
  }

  // A developers' folder at the top of the project (`dev/`: local containers, installers, build configs;
  // `extras/`: maintainers' Python and JavaScript run from source beside the app; a Go program there is
  // built and shipped, a container's health check or a push agent).
  // A top-level `extras/` that is a Python package (`extras/__init__.py`) is an app the code imports
  // (a Django project's `extras` app), not maintainers' tools.
  const topTool =
    dirs.length > 0 &&
    (dirs[0] === 'dev' ||
      (family !== 'go' &&
        TOP_LEVEL_TOOL_DIRS.has(dirs[0]) &&
        !(family === 'python' && project?.isPythonPackage?.(normal.split('/').find(isFolderName) ?? '') === true)))
      ? dirs[0]
      : undefined;
  const scriptDir = scriptDirIn(dirs) ?? topTool;
  // A page a maintainers' tool serves (`scripts/viewer/public/app.js`): its scripts run in the browser.
  if (scriptDir && family === 'js' && dirs.slice(dirs.indexOf(scriptDir) + 1).some((dir) => SERVED_DIRS.has(dir))) {
    const browser = browserSignal(lower, dirs, text, head, packageInfo);
    if (browser) return { role: 'browser', reason: browser };
  }
  // A Go package other than `main` under tools/ or scripts/ is a library the service imports.
  if (scriptDir && (family !== 'go' || GO_MAIN_PACKAGE.test(head)))
    return { role: 'script', reason: `path ${scriptDir}/` };
  // Programs a package.json script runs (a release or maintenance script, not the server's entry).
  // A program a deployment file also starts (a compose service's command, a pm2 app, a cron job) runs in production.
  if (family === 'js' && packageInfo?.scriptRun && project?.deployedBy?.(normal) === undefined)
    return { role: 'script', reason: packageInfo.scriptRun };
  // A program named for development (`server-dev.ts`, `app_dev.js`): a developer's entry (`yarn dev`),
  // with its local defaults, unless a deployment file starts it.
  if (family === 'js' && DEV_ENTRY_FILE.test(base) && project?.deployedBy?.(normal) === undefined)
    return { role: 'script', reason: `file name ${base} (a development entry point)` };
  // Sample programs for the documentation or the users: run by hand, copied, never deployed. A
  // sample is a file in the folder or in one folder of its own (`examples/publish-go/main.go`); an
  // example application laid out as a service (`examples/orders-service/src/orders.ts`) is code to
  // review as such.
  const packageDepth =
    packageInfo?.manifestDir === undefined || packageInfo.manifestDir === ''
      ? 0
      : packageInfo.manifestDir.split('/').length;
  const exampleAt = exampleFolderAt(dirs, packageDepth);
  if (
    exampleAt >= 0 &&
    (exampleAt === 0 || exampleAt === packageDepth || dirs.length - exampleAt <= 2) &&
    !reviewAsksFor(project, normal, exampleAt)
  )
    return { role: 'script', reason: `path ${dirs[exampleAt]}/ (sample programs)` };
  // A command-line tool's package: its code runs once per command, not in a server's event loop.
  if (family === 'js' && packageInfo?.kind === 'cli') return { role: 'script', reason: packageInfo.reason };
  const management = dirs.findIndex(
    (dir, index) => dir === 'commands' && index > 0 && dirs[index - 1] === 'management',
  );
  if (management >= 0 && family === 'python')
    return { role: 'script', reason: 'path management/commands/ (a Django command)' };
  if (base === 'setup.py' && SETUPTOOLS.test(head)) return { role: 'script', reason: 'setup.py calling setuptools' };
  if (dirs.length === 0 && ROOT_BUILD_FILE.test(base))
    return { role: 'script', reason: `file name ${base} at the root` };
  // A package's build script beside its package.json (an Electron app's `desktop/build.js`), unless a
  // deployment file starts it.
  if (
    family === 'js' &&
    ROOT_BUILD_FILE.test(base) &&
    packageInfo?.manifestDir !== undefined &&
    packageInfo.manifestDir.toLowerCase() === dirs.join('/') &&
    project?.deployedBy?.(normal) === undefined
  )
    return { role: 'script', reason: `file name ${base} beside ${packageInfo.manifestDir}/package.json` };
  if (SCRIPT_FILE.test(base) || (dirs.at(-1) === 'docs' && base === 'conf.py'))
    return { role: 'script', reason: `file name ${base}` };
  if (family === 'go') {
    const tag = GO_SCRIPT_BUILD_TAG.exec(head);
    if (tag) return { role: 'script', reason: `build constraint ${tag[0]}` };
  }
  if (family === 'python') {
    const program = pythonProgram(normal, text, head, project) ?? pythonCommand(normal, head, project);
    if (program) return { role: 'script', reason: program };
  }
  if (family === 'js') {
    const plugin = BUILD_CONFIG_PLUGIN.exec(head);
    if (plugin)
      return {
        role: 'script',
        reason: `imports ${plugin[1]} (a mobile app's config plugin, run when the app is built)`,
      };
  }
  if (COMPONENT_FILE.test(base)) return { role: 'browser', reason: `file name ${base} (a front-end component)` };
  if (family === 'js') {
    const browser = browserSignal(lower, dirs, text, head, packageInfo);
    if (browser) return { role: 'browser', reason: browser };
  }
  return { role: 'production', reason: 'no test, tooling, generated or front-end signal' };
}

/** A file of a review with the role it was given, for passes over the whole project (browserByImporters). */
export interface RoledFile {
  /** Relative to the project root, `/`-separated. */
  path: string;
  text: string;
  role: FileRole;
}

/**
 * The module specifiers a JavaScript module loads at run time: `import … from`, `export … from`, a
 * bare `import '…'`, `require('…')` and `import('…')`. Type-only imports and exports are erased by the
 * compiler and load nothing.
 */
const JS_MODULE_SPECIFIER =
  /\b(?:import|export)\s+(type\s+)?(?:[\w$*{},\s]*?\bfrom\s*)?['"]([^'"\n]+)['"]|\b(?:require|import)\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g;
/** A specifier's path without its extension, and `/index` dropped: what resolution compares. */
const moduleKey = (path: string): string => path.replace(/\.(?:d\.)?[cm]?[jt]sx?$/, '').replace(/\/index$/, '');
/** A React hook called (`useState(`, `useApi(`): only a component or another hook can, both run in the page. */
const HOOK_CALL = /(?<![.\w$])use[A-Z][\w$]*\s*(?:<[^>\n]*>\s*)?\(/;
/** A component file: JSX, or a single-file component of Vue or Svelte. */
const COMPONENT_SOURCE = /\.(?:[jt]sx|vue|svelte)$/i;

/**
 * A browser file whose own text says so beyond importing a UI library (a server module that renders
 * an email with React's `createElement` imports it too): a component file, the `'use client'`
 * directive, or a hook call.
 */
function loadsInPage(file: RoledFile): boolean {
  return COMPONENT_SOURCE.test(file.path) || startsWithUseClient(file.text) || HOOK_CALL.test(file.text);
}
/** How many passes browserByImporters makes: a helper of a helper of a component becomes browser code in the second. */
const IMPORTER_PASSES = 3;

/**
 * Modules of a front end told by who imports them: a module that imports nothing server-side and
 * that, among the files of the review, only browser code loads (a `fetch` helper that only React
 * hooks import, a client of the app's own API that only a context provider imports) runs in the
 * browser, whatever its folder. An importer counts as the page's when its text says so (a component
 * file, `'use client'`, a hook call: loadsInPage) or this pass found it. Tests of it do not count either way; any other importer (a route, a
 * service, a script) keeps it production, and so does having no importer at all (an entry point, a
 * framework's route file). Only meaningful when `files` are the whole project: an importer outside
 * the review would go unseen. Relative specifiers are resolved exactly; others (`@/lib/fetch`,
 * `@acme/lib/client/api`) by their path after the alias or package name, at least two segments
 * (`lib/fetch`), to every file whose path ends so. Returns the path and why of each module found.
 */
export function browserByImporters(files: readonly RoledFile[]): Map<string, string> {
  const jsFiles = files.filter((file) => familyOfPath(file.path.toLowerCase()) === 'js');
  const byKey = new Map<string, RoledFile[]>();
  for (const file of jsFiles) {
    const key = moduleKey(normalisePath(file.path));
    byKey.set(key, [...(byKey.get(key) ?? []), file]);
  }
  /** Files whose path (as a module key) ends with `/${tail}`: found by the tail's last segment. */
  const byLastSegment = new Map<string, RoledFile[]>();
  for (const [key, found] of byKey) {
    const last = key.slice(key.lastIndexOf('/') + 1);
    byLastSegment.set(last, [...(byLastSegment.get(last) ?? []), ...found]);
  }
  const resolve = (from: string, specifier: string): RoledFile[] => {
    if (specifier.startsWith('.')) {
      const parts = from.split('/').slice(0, -1);
      for (const part of specifier.split('/')) {
        if (part === '..') parts.pop();
        else if (part !== '.' && part !== '') parts.push(part);
      }
      return byKey.get(moduleKey(parts.join('/'))) ?? [];
    }
    const segments = specifier.split('/');
    // The alias (`@/`, `~/`, `#/`) or the package's name (`@scope/name`, `name`) comes first.
    const skip = /^[@~#]$/.test(segments[0]) || !segments[0].startsWith('@') ? 1 : 2;
    const tail = moduleKey(segments.slice(skip).join('/'));
    if (tail.split('/').length < 2) return [];
    const last = tail.slice(tail.lastIndexOf('/') + 1);
    // `@/lib/fetch` is `lib/fetch.ts` at the root as well as `src/lib/fetch.ts` below it.
    return (byLastSegment.get(last) ?? []).filter((file) => {
      const key = moduleKey(normalisePath(file.path));
      return key === tail || key.endsWith(`/${tail}`);
    });
  };
  const importers = new Map<RoledFile, Set<RoledFile>>();
  for (const file of jsFiles) {
    const from = normalisePath(file.path);
    JS_MODULE_SPECIFIER.lastIndex = 0;
    for (let match = JS_MODULE_SPECIFIER.exec(file.text); match; match = JS_MODULE_SPECIFIER.exec(file.text)) {
      if (match[1]) continue;
      for (const target of resolve(from, match[2] ?? match[3])) {
        if (target === file) continue;
        let set = importers.get(target);
        if (!set) importers.set(target, (set = new Set()));
        set.add(file);
      }
    }
  }
  const roleOf = new Map<RoledFile, FileRole>(jsFiles.map((file) => [file, file.role]));
  const found = new Map<string, string>();
  for (let pass = 0; pass < IMPORTER_PASSES; pass += 1) {
    let changed = false;
    for (const file of jsFiles) {
      if (roleOf.get(file) !== 'production') continue;
      const loaders = [...(importers.get(file) ?? [])].filter(
        (importer) => !TEST_ROLES.includes(roleOf.get(importer)!),
      );
      if (
        loaders.length === 0 ||
        loaders.some(
          (importer) => roleOf.get(importer) !== 'browser' || (importer.role === 'browser' && !loadsInPage(importer)),
        )
      )
        continue;
      const path = normalisePath(file.path);
      const head = file.text.length > HEAD_CHARS ? file.text.slice(0, HEAD_CHARS) : file.text;
      if (SERVER_PATH.test(path.toLowerCase()) || importsServerModule(head) || JS_SERVER_MARK.test(head)) continue;
      roleOf.set(file, 'browser');
      const shown = loaders
        .slice(0, 2)
        .map((importer) => normalisePath(importer.path))
        .join(', ');
      found.set(
        file.path,
        `only browser code imports it (${shown}${loaders.length > 2 ? `, ${loaders.length - 2} more` : ''}) and it imports nothing server-side`,
      );
      changed = true;
    }
    if (!changed) break;
  }
  return found;
}
