import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { projectScope } from '../../../src/core/config/projectConfig';
import { runOfflineChecks } from '../../../src/core/offline';
import { PackageManifests, packageKindOf } from '../../../src/core/packageKinds';
import { classifyFile } from '../../../src/core/roles';

const manifest = (fields: Record<string, unknown>): string => JSON.stringify(fields);

/** A monorepo of our own: a Vue web app, a CLI, a Nest API, a shared library. */
const MONOREPO: Record<string, string> = {
  'package.json': manifest({ name: 'shop', private: true, devDependencies: { eslint: '9' } }),
  'packages/web/package.json': manifest({ dependencies: { vue: '3', axios: '1' }, devDependencies: { vite: '5' } }),
  'packages/shop-cli/package.json': manifest({ name: 'shop-cli', bin: { shop: 'bin/shop.js' } }),
  'packages/tools/package.json': manifest({ name: '@shop/cli' }),
  'packages/api/package.json': manifest({
    bin: { 'shop-api': 'dist/main.js' },
    dependencies: { '@nestjs/core': '10', vue: '3' },
  }),
  'packages/lib/package.json': manifest({ dependencies: { zod: '3' }, devDependencies: { vite: '5' } }),
  'packages/next-app/package.json': manifest({ dependencies: { next: '14', react: '18' } }),
};

function reader(files: Record<string, string>, root: string): (file: string) => string | undefined {
  return (file) =>
    files[
      file
        .slice(root.length + 1)
        .split('\\')
        .join('/')
    ];
}

describe('file roles from package.json', () => {
  it('tells front-end, command-line and other packages apart', () => {
    const kind = (fields: Record<string, unknown>): string | undefined =>
      packageKindOf(manifest(fields), 'package.json')?.kind;
    assert.equal(kind({ dependencies: { react: '18', 'react-dom': '18' } }), 'browser');
    assert.equal(kind({ devDependencies: { svelte: '4', vite: '5' } }), 'browser');
    assert.equal(kind({ bin: 'cli.js' }), 'cli');
    assert.equal(packageKindOf(manifest({}), 'cli/package.json', 'cli')?.kind, 'cli');
    // A server framework wins over a UI framework and over a launcher in bin.
    assert.equal(kind({ dependencies: { express: '4', react: '18' } }), 'other');
    assert.equal(kind({ bin: 'server.js', dependencies: { fastify: '4' } }), 'other');
    // A bundler alone builds Node libraries too; a full-stack framework renders on the server.
    assert.equal(kind({ devDependencies: { vite: '5' } }), 'other');
    assert.equal(kind({ dependencies: { next: '14', react: '18' } }), 'other');
    assert.equal(packageKindOf('{ "name": ', 'package.json'), undefined);
  });

  it('gives a file the nearest package.json, reading each folder once', () => {
    const reads: string[] = [];
    const read = reader(MONOREPO, '/repo');
    const manifests = new PackageManifests('/repo', (file) => {
      reads.push(file);
      return read(file);
    });
    assert.equal(manifests.of('packages/web/src/helpers/api.ts')?.kind, 'browser');
    assert.equal(manifests.of('packages/web/src/helpers/gist.ts')?.kind, 'browser');
    assert.equal(manifests.of('packages/web/src/store.ts')?.kind, 'browser');
    assert.equal(manifests.of('packages/shop-cli/src/commands/test.ts')?.kind, 'cli');
    assert.equal(manifests.of('packages/tools/src/index.ts')?.kind, 'cli');
    assert.equal(manifests.of('packages/api/src/main.ts')?.kind, 'other');
    assert.equal(manifests.of('scripts/release.ts')?.kind, 'other');
    assert.equal(manifests.of('/elsewhere/x.ts'), undefined);
    assert.equal(new Set(reads).size, reads.length, 'no folder read twice');
  });

  it("does not make a whole repository a CLI for its root package.json's bin (an app that adds a command)", () => {
    const files = {
      'package.json': manifest({
        name: 'editor-extension',
        bin: { review: 'dist/cli.js' },
        dependencies: { zod: '3' },
      }),
      'packages/tool-cli/package.json': manifest({ name: 'tool', bin: { tool: 'bin/tool.js' } }),
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    assert.equal(manifests.of('examples/orders-service/src/orders.ts')?.kind, 'other');
    assert.equal(manifests.of('packages/tool-cli/src/run.ts')?.kind, 'cli');
    const named = new PackageManifests('/repo', reader({ 'package.json': manifest({ name: 'deploy-cli' }) }, '/repo'));
    assert.equal(named.of('src/index.ts')?.kind, 'cli', 'a root package named for a CLI still is one');
  });

  it("reads the folder a root index.html loads as a module script as the page's code, in a package that also serves", () => {
    const page = (script: string): string =>
      `<!doctype html>\n<html><body><div id="root"></div>\n${script}\n</body></html>\n`;
    const files = {
      'package.json': manifest({ dependencies: { express: '4', react: '18', axios: '1' } }),
      'index.html': page('<script src="/src/index.tsx" type="module"></script>'),
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    const roleOf = (file: string, text: string): string => classifyFile(file, text, undefined, manifests.of(file)).role;
    const client = "import axios from 'axios';\nexport const list = () => axios.get('/api/items');\n";
    assert.equal(manifests.of('src/api/items.ts')?.kind, 'browser');
    assert.equal(roleOf('src/api/items.ts', client), 'browser', 'an HTTP helper of the page, under api/');
    assert.equal(roleOf('server/routes/items.ts', client), 'production', 'the server beside it');
    assert.equal(roleOf('src/server/app.ts', "import express from 'express';\n"), 'production', 'server imports win');
    // No module script, or one at the root with no folder: nothing to say.
    for (const html of [
      page('<script src="/src/index.js"></script>'),
      page('<script type="module" src="/main.js"></script>'),
    ]) {
      const none = new PackageManifests('/repo', reader({ ...files, 'index.html': html }, '/repo'));
      assert.equal(none.of('src/api/items.ts')?.kind, 'other', html);
    }
  });

  it("reads a package's own index.html: its module script's folder, beside the page, is the page's code", () => {
    const files = {
      'package.json': manifest({ private: true, workspaces: ['apps/*'] }),
      'apps/console/package.json': manifest({ dependencies: { fastify: '4', preact: '10' } }),
      'apps/console/index.html': '<html><body><script type="module" src="/app/boot.tsx"></script></body></html>\n',
      'apps/console/server/main.ts': '',
      'portal/index.html': '<body><script type="module" src="./web/entry.ts"></script></body>\n',
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    const roleOf = (file: string, text: string): string => classifyFile(file, text, undefined, manifests.of(file)).role;
    const helper =
      "export const save = (body: unknown) => fetch('/api/notes', { method: 'POST', body: JSON.stringify(body) });\n";
    assert.equal(manifests.of('apps/console/app/notes/save.ts')?.kind, 'browser');
    assert.match(manifests.of('apps/console/app/notes/save.ts')?.reason ?? '', /apps\/console\/index\.html loads/);
    assert.equal(roleOf('apps/console/app/notes/save.ts', helper), 'browser');
    assert.equal(roleOf('portal/web/entry.ts', helper), 'browser', 'a page with no package.json beside it');
    // The server beside the page, and a folder of the same name elsewhere, stay what they were.
    assert.equal(roleOf('apps/console/server/notes.ts', helper), 'production');
    assert.equal(roleOf('apps/other/app/notes/save.ts', helper), 'production');
    assert.equal(
      roleOf('app/notes/save.ts', helper),
      'production',
      "the root has no page: another package's says nothing",
    );
  });

  it('classifies with the package: browser, script, and per-file signals still first', () => {
    const read = reader(MONOREPO, '/repo');
    const manifests = new PackageManifests('/repo', read);
    const roleOf = (path: string, text: string): string => classifyFile(path, text, undefined, manifests.of(path)).role;
    const helper = 'export async function load(url: string) {\n  return (await fetch(url)).json();\n}\n';
    assert.equal(roleOf('packages/web/src/helpers/api.ts', helper), 'browser');
    assert.match(
      classifyFile('packages/web/src/helpers/api.ts', helper, undefined, manifests.of('packages/web/x.ts')).reason,
      /packages\/web\/package\.json depends on vue/,
    );
    // A module of the front-end package that reaches for Node is not browser code.
    assert.equal(roleOf('packages/web/src/ssr.ts', "import fs from 'node:fs';\n" + helper), 'production');
    assert.equal(roleOf('packages/web/src/helpers/api.spec.ts', helper), 'test');
    assert.equal(roleOf('packages/shop-cli/src/commands/test.ts', helper), 'script');
    assert.equal(roleOf('packages/api/src/orders.ts', helper), 'production');
    assert.equal(roleOf('packages/lib/src/parse.ts', helper), 'production');
    assert.equal(roleOf('packages/next-app/app/api/route.ts', helper), 'production');
  });

  it('reads a browser extension (a manifest.json with manifest_version) as browser code, a web app manifest not (round 8)', () => {
    const files = {
      'package.json': manifest({ name: 'suite', private: true }),
      'apps/extension/package.json': manifest({ name: 'suite-extension', type: 'module' }),
      'apps/extension/manifest.json': JSON.stringify({ manifest_version: 3, name: 'Suite', background: {} }),
      'apps/clipper/package.json': manifest({ name: 'suite-clipper' }),
      'apps/clipper/public/manifest.json': JSON.stringify({ manifest_version: 2, name: 'Clipper' }),
      'apps/site/package.json': manifest({ name: 'suite-site' }),
      'apps/site/public/manifest.json': JSON.stringify({ name: 'Suite', start_url: '/', icons: [] }),
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    const refresh = 'export async function refresh(url: string) {\n  return (await fetch(url)).json();\n}\n';
    const roleOf = (path: string): string => classifyFile(path, refresh, undefined, manifests.of(path)).role;
    assert.equal(roleOf('apps/extension/src/background.ts'), 'browser');
    assert.match(
      classifyFile('apps/extension/src/background.ts', refresh, undefined, manifests.of('apps/extension/src/x.ts'))
        .reason,
      /apps\/extension\/manifest\.json declares manifest_version/,
    );
    assert.equal(roleOf('apps/clipper/src/popup.ts'), 'browser');
    // A web app's manifest (no manifest_version) says nothing.
    assert.equal(roleOf('apps/site/src/cache.ts'), 'production');
  });

  it('reads an Obsidian plugin (minAppVersion in the manifest beside package.json) as browser code (session 15, round 9)', () => {
    const files = {
      'package.json': manifest({ name: 'notes', private: true }),
      'plugins/notes/package.json': manifest({ name: 'notes-plugin', devDependencies: { obsidian: '1' } }),
      'plugins/notes/manifest.json': JSON.stringify({ id: 'notes', name: 'Notes', minAppVersion: '0.15.0' }),
      'plugins/other/package.json': manifest({ name: 'other' }),
      'plugins/other/manifest.json': JSON.stringify({ name: 'Other', version: '1.0.0' }),
      'plugins/loose/package.json': manifest({ name: 'loose' }),
      'plugins/loose/src/manifest.json': JSON.stringify({ id: 'loose', minAppVersion: '1.0.0' }),
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    const sync = 'export async function sync(url: string) {\n  return (await fetch(url)).json();\n}\n';
    const roleOf = (path: string): string => classifyFile(path, sync, undefined, manifests.of(path)).role;
    assert.equal(roleOf('plugins/notes/src/api.ts'), 'browser');
    assert.match(
      classifyFile('plugins/notes/src/api.ts', sync, undefined, manifests.of('plugins/notes/src/api.ts')).reason,
      /plugins\/notes\/manifest\.json declares minAppVersion/,
    );
    // Near misses: a manifest without minAppVersion, and one not beside the package.json.
    assert.equal(roleOf('plugins/other/src/api.ts'), 'production');
    assert.equal(roleOf('plugins/loose/src/api.ts'), 'production');
  });

  it("reads a tools/ folder below the source folder as the program's own code, one at the root as scripts (round 8)", () => {
    const tool = "import { z } from 'zod';\nexport const uploadFromUrl = { schema: z.object({ url: z.string() }) };\n";
    assert.equal(classifyFile('libs/server/src/chat/tools/upload.tool.ts', tool).role, 'production');
    assert.equal(classifyFile('server/tools/documents.ts', tool).role, 'production');
    assert.equal(classifyFile('tools/release.ts', tool).role, 'script');
    assert.equal(classifyFile('packages/web/tools/build-icons.ts', tool).role, 'script');
    // Other script folders stay scripts below a source folder.
    assert.equal(classifyFile('src/scripts/backfill.ts', tool).role, 'script');
  });

  it("reads a package's build script beside its package.json and its examples folder as scripts (round-6 informed)", () => {
    const files = {
      'package.json': manifest({ name: 'shop', private: true }),
      'desktop/package.json': manifest({ main: 'main.js', dependencies: { electron: '30' } }),
      'packages/api/package.json': manifest({ name: '@shop/api', dependencies: { hono: '4' } }),
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    const roleOf = (path: string, text: string): string => classifyFile(path, text, undefined, manifests.of(path)).role;
    const build = "const { execSync } = require('child_process');\nexecSync('pnpm dist');\n";
    assert.equal(roleOf('desktop/build.js', build), 'script');
    assert.equal(manifests.of('desktop/build.js')?.manifestDir, 'desktop');
    // Near-misses: a build module deeper in the package, or in a folder without a package.json.
    assert.equal(roleOf('desktop/src/build.js', build), 'production');
    assert.equal(roleOf('server/build.js', build), 'production');
    const sample = "const r = await fetch('https://shop.invalid/api/v1/orders', { method: 'POST' });\n";
    assert.equal(roleOf('packages/api/v1/examples/01-create-order.ts', sample), 'script');
    // Near-miss: below the package's own source folder, examples/ is a feature of the API.
    assert.equal(roleOf('packages/api/src/examples/saved-requests.ts', sample), 'production');
  });

  it('reads .vue and .svelte files as browser code without any package.json', () => {
    assert.equal(classifyFile('src/components/Login.vue', '<script setup>\n</script>\n').role, 'browser');
    assert.equal(classifyFile('src/routes/Page.svelte', '<script>\n</script>\n').role, 'browser');
    assert.equal(classifyFile('src/components/__tests__/Login.spec.ts', '').role, 'test');
  });

  it('reads copies of other projects as vendored: a header that says so, a licence text, ESLint off with var', () => {
    const role = (path: string, text: string): string => classifyFile(path, text).role;
    assert.equal(
      role('app/utils/track.js', '/**\n * Vendored from https://github.com/acme/track (v2)\n */\n'),
      'vendored',
    );
    assert.equal(
      role(
        'redash/utils/order.py',
        '# Copyright (c) 2012 Someone\n# Permission is hereby granted, free of charge, to any person\n',
      ),
      'vendored',
    );
    assert.equal(
      role('src/helpers/lint.js', '/* eslint-disable */\n\nvar rules = {}\nfunction run() {}\n'),
      'vendored',
    );
    // Our own files: ESLint off in TypeScript, var without ESLint off, a short licence line.
    assert.equal(role('src/main.ts', '/* eslint-disable */\nvar app = 1;\n'), 'production');
    assert.equal(role('src/legacy.js', 'var rules = {};\n'), 'production');
    assert.equal(role('src/orders.go', '// SPDX-License-Identifier: MIT\npackage orders\n'), 'production');
    assert.equal(role('src/adapter.ts', '// Adapted from our old client.\nexport const x = 1;\n'), 'production');
  });

  it('applies through the project scope on disk: the roles show on findings', async () => {
    const root = mkdtempSync(join(tmpdir(), 'package-roles-'));
    try {
      for (const [path, text] of Object.entries(MONOREPO)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      const scope = projectScope({}, root);
      const code = 'export async function sync(url: string) {\n  const r = await fetch(url);\n  return r.json();\n}\n';
      const roles = ['packages/web/src/sync.ts', 'packages/shop-cli/src/sync.ts', 'packages/api/src/sync.ts'].map(
        (path) => scope.role(path, code).role,
      );
      assert.deepEqual(roles, ['browser', 'script', 'production']);
      const findings = await runOfflineChecks(
        { path: 'packages/web/src/sync.ts', text: code, role: 'browser' },
        { mode: 'backendpe' },
      );
      assert.deepEqual(
        findings.map((f) => f.ruleId),
        [],
        'no server-side timeout finding in browser code',
      );
      const api = await runOfflineChecks(
        { path: 'packages/api/src/sync.ts', text: code, role: scope.role('packages/api/src/sync.ts', code).role },
        { mode: 'backendpe' },
      );
      assert.deepEqual(
        api.map((f) => `${f.ruleId} ${f.role}`),
        ['http-no-timeout production'],
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('reads Nx project.json and angular.json: one root package.json, a browser app beside an API', () => {
    const target = (executor: string) => ({ executor });
    const files: Record<string, string> = {
      'package.json': manifest({
        dependencies: { '@nestjs/core': '11', '@angular/core': '20', '@prisma/client': '6' },
      }),
      'apps/web/project.json': manifest({
        targets: { build: target('@nx/angular:browser-esbuild'), test: target('@nx/jest:jest') },
      }),
      'apps/server/project.json': manifest({
        targets: { serve: target('@nx/js:node'), lint: target('@nx/eslint:lint') },
      }),
      'libs/widgets/project.json': manifest({ targets: { storybook: target('@storybook/angular:start-storybook') } }),
      'libs/shared/project.json': manifest({ targets: { lint: target('@nx/eslint:lint') } }),
      // Both kinds of build in one project: server-side rendering, not a browser-only app.
      'apps/ssr/project.json': manifest({
        targets: { build: target('@nx/angular:application'), server: target('@nx/node:build') },
      }),
      'apps/broken/project.json': '{ "targets": ',
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    assert.equal(manifests.of('apps/web/src/app/services/import.service.ts')?.kind, 'browser');
    assert.match(
      manifests.of('apps/web/src/main.ts')?.reason ?? '',
      /apps\/web\/project\.json builds it with @nx\/angular/,
    );
    assert.equal(manifests.of('libs/widgets/src/lib/chart.component.ts')?.kind, 'browser');
    assert.equal(manifests.of('apps/server/src/main.ts')?.kind, 'other');
    assert.equal(manifests.of('libs/shared/src/helper.ts')?.kind, 'other', 'a library only linted: the root decides');
    assert.equal(manifests.of('apps/ssr/src/main.ts')?.kind, 'other');
    assert.equal(manifests.of('apps/broken/src/main.ts')?.kind, 'other');

    const angular: Record<string, string> = {
      'package.json': manifest({ dependencies: { express: '4', '@angular/core': '20' } }),
      'angular.json': manifest({
        projects: {
          shop: {
            root: '',
            sourceRoot: 'src',
            architect: { build: { builder: '@angular-devkit/build-angular:application' } },
          },
          admin: { root: 'projects/admin', architect: { build: { builder: '@angular/build:application' } } },
          tools: { root: 'projects/tools', architect: { build: { builder: '@angular-devkit/build-angular:server' } } },
        },
      }),
    };
    const workspace = new PackageManifests('/repo', reader(angular, '/repo'));
    assert.equal(workspace.of('src/app/cart/cart.service.ts')?.kind, 'browser');
    assert.equal(workspace.of('projects/admin/src/app/users.ts')?.kind, 'browser');
    assert.equal(workspace.of('projects/tools/src/run.ts')?.kind, 'other');
    assert.equal(workspace.of('server/main.ts')?.kind, 'other');
  });

  it("classifies an Angular app's files as browser code: Prisma's shared models and type-only imports are no server evidence", () => {
    const files: Record<string, string> = {
      'package.json': manifest({ dependencies: { '@nestjs/core': '11', '@angular/core': '20' } }),
      'apps/web/project.json': manifest({ targets: { build: { executor: '@nx/angular:application' } } }),
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    const roleOf = (path: string, text: string): string => classifyFile(path, text, undefined, manifests.of(path)).role;
    const component = [
      "import { Component } from '@angular/core';",
      "import { AssetClass, DataSource } from '@prisma/client';",
      "import type { Pool } from 'pg';",
      '@Component({ selector: "app-dialog", template: "" })',
      'export class DialogComponent {}',
      '',
    ].join('\n');
    assert.equal(classifyFile('libs/ui/src/dialog.component.ts', component).role, 'browser');
    // A page named `api` in the Angular app is no Next.js API route.
    assert.equal(roleOf('apps/web/src/app/pages/api/api-page.component.ts', 'export class ApiPage {}\n'), 'browser');
    // A helper with no import of its own, in the Angular app's tree.
    assert.equal(roleOf('apps/web/src/app/util/format.ts', 'export const pct = (x: number) => `${x}%`;\n'), 'browser');
    // The Prisma client itself, a namespace import or a runtime import of a server module is server code.
    for (const line of [
      "import { PrismaClient } from '@prisma/client';",
      "import * as prisma from '@prisma/client';",
      "import { Pool } from 'pg';",
      "import {\n  Injectable,\n} from '@nestjs/common';",
    ])
      assert.equal(classifyFile('libs/ui/src/dialog.component.ts', `${line}\n${component}`).role, 'production', line);
    assert.equal(
      roleOf('apps/api/src/app/user.service.ts', "import { Prisma } from '@prisma/client';\n"),
      'production',
    );
  });
  it('reads the programs package.json scripts run as scripts, never the server they start (issue 12, round 4)', () => {
    const files = {
      'package.json': manifest({
        dependencies: { express: '4' },
        scripts: {
          start: 'node app/server.js',
          'start:checked': 'node ops/check-env.mjs && npm ci && node app/server.js',
          dev: 'concurrently "cross-env NODE_ENV=development tsx watch app/dev-server.ts" "vite"',
          'release-final': 'node ./ops/release/publish.mjs --final',
          notes: "cross-env NODE_OPTIONS='--no-warnings' npx tsx ops/release/notes.ts",
          'local-broker-server': 'node ops/broker.js',
          'db:migrate': 'tsx src/db/migrate.ts up',
          'collab:prod': 'node --env-file .env collab/main.js',
          bundle: 'node -e "require(\'./inline-task.js\')"',
          lint: 'eslint .',
        },
      }),
      'ops/agent/package.json': manifest({ scripts: { start: 'node agent.js' } }),
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    const roleOf = (file: string): string =>
      classifyFile(
        file,
        "import fs from 'node:fs';\nexport const x = fs.readFileSync('x');\n",
        undefined,
        manifests.of(file),
      ).role;
    // Each program a script runs, under whatever runner and wrapper, and the modules beside them.
    assert.equal(roleOf('ops/release/publish.mjs'), 'script');
    assert.match(manifests.of('ops/release/publish.mjs')?.scriptRun ?? '', /"release-final": node \.\/ops\/release/);
    assert.equal(roleOf('ops/release/notes.ts'), 'script');
    assert.equal(roleOf('ops/release/shared-lib.mjs'), 'script', 'a module of the release folder no entry runs');
    assert.match(manifests.of('ops/release/shared-lib.mjs')?.scriptRun ?? '', /programs in ops\/release\//);
    assert.equal(roleOf('ops/check-env.mjs'), 'script', 'a step before the server in a start entry');
    assert.equal(roleOf('ops/broker.js'), 'script', 'a developer broker named ...-server');
    assert.equal(roleOf('src/db/migrate.ts'), 'script');
    // The servers: the last command of a start entry, what a watch runner keeps up, a `:prod` entry.
    assert.equal(roleOf('app/server.js'), 'production');
    assert.equal(roleOf('app/dev-server.ts'), 'production');
    assert.equal(roleOf('collab/main.js'), 'production');
    assert.equal(roleOf('app/routes/orders.js'), 'production');
    // A source folder holding a script is not a script folder; a nested package has its own scripts.
    assert.equal(roleOf('src/db/pool.ts'), 'production');
    assert.equal(roleOf('ops/agent/agent.js'), 'production');
    assert.equal(roleOf('ops/agent/report.js'), 'production');
    // Inline code and a root file no entry runs.
    assert.equal(roleOf('inline-task.js'), 'production');
    assert.equal(roleOf('index.js'), 'production');
  });

  it("keeps a package's main file and the folder it lives in out of the script folders", () => {
    const files = {
      'package.json': manifest({
        main: 'worker/index.js',
        scripts: { 'requeue-failed': 'node worker/requeue.js', 'reset-password': 'node bin-tools/reset.js' },
      }),
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    assert.equal(manifests.of('worker/index.js')?.scriptRun, undefined);
    assert.equal(manifests.of('worker/queue.js')?.scriptRun, undefined);
    assert.match(manifests.of('worker/requeue.js')?.scriptRun ?? '', /"requeue-failed"/);
    assert.match(manifests.of('bin-tools/hash.js')?.scriptRun ?? '', /programs in bin-tools\//);
  });

  it('keeps a program that stays up, and its folder, out of the scripts whatever its entry is called', () => {
    const files = {
      'package.json': manifest({
        dependencies: { express: '4', bullmq: '5' },
        scripts: {
          launch: 'node edge-gateway/index.js',
          notify: 'node notifier',
          'jobs:run': 'node nightly/sync.js',
          reindex: 'node search-tools/reindex.js',
        },
      }),
      'edge-gateway/index.js': "const app = require('./app');\napp.listen(process.env.PORT);\n",
      'notifier/index.js': "const { Worker } = require('bullmq');\nnew Worker('mail', send);\n",
      'search-tools/reindex.js': "const { client } = require('./client');\nawait client.reindexAll();\n",
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    // The program listens or consumes a queue: a server, and so are the modules beside it.
    assert.equal(manifests.of('edge-gateway/index.js')?.scriptRun, undefined);
    assert.equal(manifests.of('edge-gateway/routes.js')?.scriptRun, undefined);
    assert.equal(manifests.of('notifier/index.js')?.scriptRun, undefined);
    assert.equal(manifests.of('notifier/send.js')?.scriptRun, undefined);
    // A job runner's entry is named for it.
    assert.equal(manifests.of('nightly/sync.js')?.scriptRun, undefined);
    // Near-miss: a one-off program that neither listens nor schedules stays a script, with its folder.
    assert.match(manifests.of('search-tools/reindex.js')?.scriptRun ?? '', /"reindex"/);
    assert.match(manifests.of('search-tools/client.js')?.scriptRun ?? '', /programs in search-tools\//);
  });

  it("keeps a maintainer's folder of scripts a script folder with a local test server or two among them", () => {
    const files = {
      'package.json': manifest({
        dependencies: { express: '4' },
        scripts: {
          start: 'node server/server.js',
          'reset-password': 'node maint/reset-password.js',
          'remove-2fa': 'node maint/remove-2fa.js',
          'mark-nightly': 'node maint/mark-nightly.js',
          'fake-smtp-server': 'node maint/fake-smtp.js',
        },
      }),
      'maint/fake-smtp.js': "const net = require('net');\nnet.createServer(onMail).listen(2525);\n",
      'maint/reset-password.js': "const db = require('../server/db');\nawait db.resetPassword(process.argv[2]);\n",
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    // One program of four listens: the folder is still the maintainers' (a probe beside them is a script).
    assert.match(manifests.of('maint/healthcheck.js')?.scriptRun ?? '', /programs in maint\//);
    assert.match(manifests.of('maint/reset-password.js')?.scriptRun ?? '', /"reset-password"/);
    // The listening program itself is not called a script.
    assert.equal(manifests.of('maint/fake-smtp.js')?.scriptRun, undefined);
  });

  it('reads what a Procfile or a Dockerfile starts as a server, whatever the entry is called', () => {
    const files = {
      'package.json': manifest({
        dependencies: { pg: '8' },
        scripts: {
          'sync-users': 'node nightly/sync.js',
          'mail-out': 'node mailer/send.js',
          'refresh-cache': 'node cache-tools/refresh.js',
          'seed-demo': 'node demo-data/seed.js',
        },
      }),
      Procfile: 'web: npm start\nclock: npm run sync-users\n',
      Dockerfile: 'FROM node:20\nRUN npm ci\nCMD ["sh", "-c", "node mailer/send.js"]\n',
      'ops/package.json': manifest({ scripts: { rotate: 'node keys/rotate.js', prune: 'node keys/prune.js' } }),
      'ops/Dockerfile': 'FROM node:20\nENTRYPOINT exec npm run rotate\n',
    };
    const manifests = new PackageManifests('/repo', reader(files, '/repo'));
    // Started where the package is deployed: a server, and the folder beside it too.
    assert.equal(manifests.of('nightly/sync.js')?.scriptRun, undefined);
    assert.equal(manifests.of('nightly/users.js')?.scriptRun, undefined);
    assert.equal(manifests.of('mailer/send.js')?.scriptRun, undefined);
    assert.equal(manifests.of('ops/keys/rotate.js')?.scriptRun, undefined);
    // Near-misses: entries no deployment file starts stay scripts (a Dockerfile's RUN is a build step).
    assert.match(manifests.of('cache-tools/refresh.js')?.scriptRun ?? '', /"refresh-cache"/);
    assert.match(manifests.of('demo-data/seed.js')?.scriptRun ?? '', /"seed-demo"/);
    assert.match(manifests.of('ops/keys/prune.js')?.scriptRun ?? '', /"prune"/);
  });

  it('reads the project names and the deployment files that start a program, through the project scope', () => {
    const root = mkdtempSync(join(tmpdir(), 'package-deploy-'));
    const files: Record<string, string> = {
      'package.json': manifest({ name: '@acme/ledger-web', dependencies: { next: '14' } }),
      'go.mod': 'module github.com/acme/ledgerd/v2\n\ngo 1.22\n',
      'ops/Dockerfile': 'FROM python:3.12\nCOPY ops/rotate_keys.py /app/\nCMD ["python", "/app/nightly_report.py"]\n',
      'ops/crontab': '0 3 * * * python3 /app/compact_store.py\n',
      'deploy/k8s/purge.yaml':
        'apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - command: ["python", "/app/purge_sessions.py"]\n',
      'deploy/k8s/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\ndata:\n  HOOK: /app/export_notes.py\n',
    };
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      const manifests = new PackageManifests(root);
      const names = manifests.projectNames();
      for (const name of ['ledger-web', 'ledgerd', 'acme']) assert.ok(names.includes(name), name);
      assert.equal(manifests.deployedBy('ops/jobs/nightly_report.py'), 'ops/Dockerfile names it');
      assert.equal(manifests.deployedBy('ops/compact_store.py'), 'ops/crontab names it');
      // A Kubernetes CronJob in the project's deployment folders runs it; a ConfigMap that names a file runs nothing.
      assert.equal(manifests.deployedBy('jobs/purge_sessions.py'), 'deploy/k8s/purge.yaml names it');
      assert.equal(manifests.deployedBy('jobs/export_notes.py'), undefined);
      // Copied while building is not started; a common entry name needs its folder; nothing names it.
      assert.equal(manifests.deployedBy('ops/rotate_keys.py'), undefined);
      assert.equal(manifests.deployedBy('ops/tools/main.py'), undefined);
      assert.equal(manifests.deployedBy('tools/export.py'), undefined);
      const program = '#!/usr/bin/env python3\nimport sys\nprint(sys.argv)\nif __name__ == "__main__":\n    pass\n';
      const scope = projectScope({}, root);
      assert.equal(scope.role('ops/jobs/nightly_report.py', program).role, 'production');
      assert.equal(scope.role('ops/rotate_keys.py', program).role, 'script');
      const forked = '// This file is part of tinyqueue, a small queue.\npackage tinyqueue\n';
      assert.equal(scope.role('internal/tinyqueue/queue.go', forked).role, 'vendored');
      assert.equal(scope.role('internal/store/store.go', forked.replace('tinyqueue,', 'ledgerd,')).role, 'production');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('passes on a failure to read go.mod, pyproject.toml or a deployment file, as for package.json', () => {
    const denied = (absolute: string): string | undefined => {
      if (absolute.endsWith('go.mod') || absolute.endsWith('crontab'))
        throw Object.assign(new Error(`EACCES: permission denied, open '${absolute}'`), { code: 'EACCES' });
      return undefined;
    };
    const manifests = new PackageManifests('/srv/ledger', denied, () => ['crontab']);
    assert.throws(() => manifests.projectNames(), /EACCES/);
    assert.throws(() => manifests.deployedBy('jobs/compact.py'), /EACCES/);
  });

  it("takes a licence header for another project's only when a manifest names this one (the folder can be named anything)", () => {
    const header = (name: string): string => `# This file is part of ${name}, a ledger for small shops.\nimport os\n`;
    const withFiles = (files: Record<string, string>, check: (root: string) => void): void => {
      // The checkout's folder says nothing of the project: `/app` in a container, a worktree named for a branch.
      const root = mkdtempSync(join(tmpdir(), 'app-'));
      try {
        for (const [path, text] of Object.entries(files)) {
          mkdirSync(dirname(join(root, path)), { recursive: true });
          writeFileSync(join(root, path), text);
        }
        check(root);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    };
    // No manifest names the project: every file's header names it, and none is another project's.
    withFiles({ 'requirements.txt': 'flask\n' }, (root) => {
      assert.equal(projectScope({}, root).role('shopledger/books.py', header('Shopledger')).role, 'production');
      assert.deepEqual(new PackageManifests(root).projectNames(), []);
    });
    // setup.py names it: its own header is its own, a fork's header is the fork's.
    const setup = 'from setuptools import setup\n\nsetup(\n    name="shopledger",\n    version="1.0",\n)\n';
    withFiles({ 'setup.py': setup }, (root) => {
      assert.ok(new PackageManifests(root).projectNames().includes('shopledger'));
      const scope = projectScope({}, root);
      assert.equal(scope.role('shopledger/books.py', header('Shopledger')).role, 'production');
      assert.equal(scope.role('shopledger/pgpwrap/core.py', header('python-pgpwrap')).role, 'vendored');
    });
  });
});
