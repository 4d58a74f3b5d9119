import * as assert from 'node:assert/strict';
import {
  browserByImporters,
  classifyFile,
  compileRolePatterns,
  generatedOrVendoredByHead,
  globMatcher,
  holdsVersionedMigrations,
  startsWithUseClient,
  type FileRole,
} from '../../../src/core/roles';

const role = (path: string, text = ''): FileRole => classifyFile(path, text).role;

describe('file roles', () => {
  it('reads test files from each ecosystem’s path conventions', () => {
    for (const path of [
      'test/orders.ts',
      'tests/test_orders.py',
      'src/__tests__/orders.tsx',
      'src/orders.spec.ts',
      'src/orders.test.js',
      'src/orders.e2e-spec.ts',
      'internal/orders/orders_test.go',
      'app/test_orders.py',
      'app/orders_test.py',
      'conftest.py',
      'shop/tests.py',
      'e2e/checkout.ts',
      'cypress/support/commands.js',
      'playwright/login.ts',
      'internal/testutil/db.go',
      'src/setupTests.ts',
      'C:\\work\\api\\tests\\helpers.py',
    ])
      assert.equal(role(path), 'test', path);
  });

  it('reads fixtures, seeds and mocks before tests: the more precise role wins', () => {
    for (const path of [
      'tests/fixtures/users.py',
      'test/fixtures/payload.ts',
      'internal/api/testdata/big.go',
      'src/__mocks__/axios.ts',
      'mocks/store.go',
      'internal/store/mock_store.go',
      'db/seeds/users.ts',
      'prisma/seed.ts',
      'scripts/seed-db.js',
      'app/seeders.py',
      'src/orders.mock.ts',
    ])
      assert.equal(role(path), 'fixture', path);
  });

  it('reads a Python program that fills a database with fake data as a fixture, not a module that only uses Faker', () => {
    const filler =
      'import argparse\nfrom faker import Faker\n\nfake = Faker()\n\nif __name__ == "__main__":\n    fill()\n';
    assert.equal(role('fill_sample_data.py', filler), 'fixture');
    // Anonymising exports with Faker in the service itself is production code.
    assert.equal(
      role('app/anonymise.py', 'from faker import Faker\n\ndef scrub(row):\n    return row\n'),
      'production',
    );
    // A __main__ program without fake data stays what its path says.
    assert.equal(role('app/worker.py', 'import os\n\nif __name__ == "__main__":\n    run()\n'), 'production');
  });

  it('reads scripts and build tooling, migrations, generated and vendored code', () => {
    const cases: Array<[string, FileRole]> = [
      ['scripts/backfill.py', 'script'],
      ['tools/release.go', 'script'],
      ['bin/cli.js', 'script'],
      ['hack/update-codegen.go', 'script'],
      ['webpack.config.js', 'script'],
      ['vite.config.ts', 'script'],
      ['frontend/openapi-ts.config.ts', 'script'],
      ['jest.preset.js', 'script'],
      ['build.js', 'script'],
      ['.hygen/property/add/index.js', 'script'],
      ['_templates/module/new/prompt.js', 'script'],
      ['src/build.ts', 'production'],
      ['lib/startup/copyAssets.ts', 'script'],
      ['shop/management/commands/backfill_orders.py', 'script'],
      ['manage.py', 'script'],
      ['docs/conf.py', 'script'],
      ['migrations/20240101_add_users.js', 'migration'],
      ['shop/migrations/0001_initial.py', 'migration'],
      ['alembic/versions/abc123_add_index.py', 'migration'],
      ['db/migrate/001_create_orders.go', 'migration'],
      ['api/orders.pb.go', 'generated'],
      ['api/orders_pb2.py', 'generated'],
      ['src/__generated__/schema.ts', 'generated'],
      ['pkg/apis/zz_generated.deepcopy.go', 'generated'],
      ['dist/config.js', 'generated'],
      ['packages/api/dist/server.mjs', 'generated'],
      ['.next/server/app/page.js', 'generated'],
      ['dist/index.d.ts', 'generated'],
      // Sources in a folder named dist are still read as sources.
      ['cmd/dist/main.go', 'production'],
      ['dist/app.ts', 'production'],
      ['static/js/vendor/jquery.min.js', 'vendored'],
      ['third_party/lib/x.go', 'vendored'],
      ['node_modules/axios/index.js', 'vendored'],
      // A library's release copied in under its name and version, with every file in it (session 13).
      ['public/plugins/editor-5.17.0/mode/shell/shell.js', 'vendored'],
      ['static/viewer-4.2.133/web/viewer.mjs', 'vendored'],
      ['assets/grid-3.3.7-dist/js/grid.js', 'vendored'],
      ['web/libs/charts@2.1.0/index.js', 'vendored'],
      // Near-misses: versions without a library's name, or with two parts, are the project's own folders.
      ['src/api/v1.2.0/orders.ts', 'production'],
      ['src/app-v2/orders.ts', 'production'],
      ['src/libs/ids-9.0/index.ts', 'production'],
    ];
    // A Go file in a tooling folder is a script when it is a program.
    const text = (path: string): string => (path.endsWith('.go') ? 'package main\n' : '');
    for (const [path, expected] of cases) assert.equal(role(path, text(path)), expected, path);
  });

  it('reads a Go library package kept under tools/ as the service code it is; migrations by what they import', () => {
    assert.equal(role('tools/filesystem/s3.go', 'package filesystem\n\nimport "net/http"\n'), 'production');
    assert.equal(role('tools/release/main.go', '// Release helper.\npackage main\n'), 'script');
    assert.equal(role('scripts/backfill.py', 'import os\n'), 'script');
    const revision = '"""Add an index."""\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = "a1"\n';
    assert.equal(role('src/app/database/revisions/core/versions/2024_add_index.py', revision), 'migration');
    const django = 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    pass\n';
    assert.equal(role('shop/schema_changes/0002_backfill.py', django), 'migration');
    // Code that uses migrations at run time is not one.
    assert.equal(role('src/app/database/upgrade.py', 'from alembic.config import Config\n'), 'production');
    assert.equal(role('shop/checks.py', 'from django.db import migrations\n'), 'production');
  });

  it('reads what the conventions leave open from the file: setup.py with setuptools, factory_boy factories', () => {
    assert.equal(role('setup.py', 'from setuptools import setup\n\nsetup(name="x")\n'), 'script');
    // A settings module that happens to be called setup.py is production code.
    assert.equal(role('config/settings/loggers/setup.py', 'import logging\n'), 'production');
    assert.equal(role('shop/common/factories.py', 'import factory\n'), 'fixture');
    assert.equal(role('shop/common/builders.py', 'from factory.django import DjangoModelFactory\n'), 'fixture');
  });

  it('keeps the names that mislead: a Go seed.go, a package named migrations, a test inside it', () => {
    assert.equal(role('internal/engine/postgresql/seed.go', 'package postgresql\n'), 'production');
    assert.equal(role('internal/core/seed/seed.go', 'package seed\n'), 'production');
    assert.equal(role('internal/migrations/migrations_test.go', 'package migrations\n'), 'test');
    assert.equal(role('config/django/test.py', 'from .base import *\n'), 'test');
    assert.equal(role('http-pusher/assets/app.js', 'var x = 1;\n'), 'browser');
  });

  it('reads generated markers and minified text from the file itself', () => {
    assert.equal(
      role('internal/db/queries.go', '// Code generated by sqlc. DO NOT EDIT.\n// versions:\n\npackage db\n'),
      'generated',
    );
    assert.equal(role('src/client.ts', '/**\n * @generated\n */\nexport const x = 1;\n'), 'generated');
    assert.equal(role('Api/Client.ts', '// <auto-generated>\n// </auto-generated>\nexport {};\n'), 'generated');
    assert.equal(
      role('app/api.py', '# This file was automatically generated by the OpenAPI generator.\nimport x\n'),
      'generated',
    );
    const bundle = `!function(e){${'var a=1,b=2;'.repeat(400)}}();`;
    assert.equal(role('public/app.js', bundle), 'vendored');
    assert.match(classifyFile('public/app.js', bundle).reason, /minified/);
    // Words about generation in an ordinary comment, or deep in the file, are not a marker.
    assert.equal(role('src/report.ts', '// Generates the monthly report.\nexport function run() {}\n'), 'production');
    assert.equal(
      role('src/x.go', `package x\n${'\n'.repeat(3000)}// Code generated by hand. DO NOT EDIT.\n`),
      'production',
    );
    // Long lines among many short ones (a data table) are not minified code.
    const data = Array.from({ length: 60 }, (_, i) => `export const row${i} = ${i};`).join('\n');
    assert.equal(role('src/table.ts', `${data}\nexport const blob = '${'x'.repeat(3000)}';\n`), 'production');
  });

  it('reads bundler output and class-level generator notices as generated (issue 12, held-out round 4)', () => {
    // A readable webpack build (a viewer library's distribution copied into static files), .mjs or .js.
    const webpack =
      '/**\n * Copyright 2020 Someone\n * Licensed under the Apache License, Version 2.0\n */\n\n' +
      '/******/ var __webpack_modules__ = ({});\n/******/ // The module cache\n/******/ var __webpack_module_cache__ = {};\n' +
      'export function render(page) {\n  return page;\n}\n';
    assert.equal(role('app/static/viewer/web/viewer.mjs', webpack), 'generated');
    assert.match(classifyFile('app/static/viewer/web/viewer.mjs', webpack).reason, /bundler output/);
    const esbuild = 'var __commonJS = (cb, mod) => function __require() {};\nvar __toESM = (mod) => mod;\n';
    assert.equal(role('public/vendor-lib.js', esbuild), 'generated');
    // Over the size cap, only the head is read: the same signals decide.
    assert.equal(generatedOrVendoredByHead('app/static/viewer/web/worker.mjs', webpack)?.role, 'generated');
    // An OpenAPI-style generator notice on a class, the "do not edit" on a later line.
    const client =
      '/* tslint:disable */\n/**\n * Orders API\n *\n * NOTE: This class is auto generated by Some Generator (https://gen.example).\n' +
      ' * Do not edit the class manually.\n */\nexport class OrdersApi {}\n';
    assert.equal(role('web/src/api/apis/OrdersApi.ts', client), 'generated');
    assert.equal(generatedOrVendoredByHead('web/src/api/apis/OrdersApi.ts', client)?.role, 'generated');
    // Near misses: code that asks whether it runs under webpack, comments on what a class or the database generates.
    assert.equal(
      role('src/loader.js', "export const bundled = typeof __webpack_require__ === 'function';\n"),
      'production',
    );
    assert.equal(role('src/ids.ts', '// This class generates the order ids.\nexport class Ids {}\n'), 'production');
    assert.equal(role('src/ids.ts', '// The id is generated by the database.\nexport class Ids {}\n'), 'production');
    assert.equal(generatedOrVendoredByHead('src/orders.mjs', 'export const x = 1;\n'), undefined);
  });

  it('reads sample programs in examples folders as scripts (issue 12, held-out round 4)', () => {
    const sample = 'package main\n\nimport "net/http"\n\nfunc main() { http.Get("https://example.com") }\n';
    assert.equal(role('examples/publish-go/main.go', sample), 'script');
    assert.equal(role('docs/example/notify.py', 'import requests\nrequests.get("https://x")\n'), 'script');
    assert.equal(role('_examples/basic/server.go', sample), 'script');
    assert.equal(role('extra/push-examples/node/index.js', "await fetch('https://x');\n"), 'script');
    assert.match(classifyFile('examples/publish-go/main.go', sample).reason, /examples\/ \(sample programs\)/);
    // Near misses: a file named example, a folder whose name only starts so, tests under examples.
    assert.equal(role('src/example.ts', 'export const x = 1;\n'), 'production');
    assert.equal(role('internal/examplestore/store.go', 'package examplestore\n'), 'production');
    assert.equal(role('examples/app/orders_test.go', 'package app\n'), 'test');
    // Tests of migrations: a test folder above the migrations folder wins.
    assert.equal(role('tests/migrations/migration_3c4d.py', 'def load_data(engine):\n    pass\n'), 'test');
    assert.equal(role('app/migrations/0003_orders.py', 'def forwards(apps, schema_editor):\n    pass\n'), 'migration');
    // An example application laid out as a service in a top-level examples folder is sample code too
    // (session 15, round 9: dex's examples/example-app/server/, jupyterhub's examples/*/external/), unless
    // the review is asked for it (`review examples/orders-service`): then it is what is reviewed, as code.
    assert.equal(role('examples/orders-service/src/orders.ts', "await fetch('https://x');\n"), 'script');
    assert.equal(role('examples/example-app/server/transport.go', 'package main\n'), 'script');
    const asked = (path: string, text: string, reviewed: string[]): string =>
      classifyFile(path, text, undefined, undefined, { reviewed }).role;
    assert.equal(
      asked('examples/orders-service/src/orders.ts', "await fetch('https://x');\n", ['examples/orders-service']),
      'production',
    );
    assert.equal(
      asked('examples/orders-service/inventory/stock.go', 'package inventory\n', ['examples']),
      'production',
    );
    assert.equal(
      asked('examples/orders-service/src/orders.ts', "await fetch('https://x');\n", [
        'Examples/orders-service/src/orders.ts',
      ]),
      'production',
    );
    // Near misses: a review asked for another folder, or for a folder whose name only starts so.
    assert.equal(asked('examples/orders-service/src/orders.ts', "await fetch('https://x');\n", ['src']), 'script');
    assert.equal(
      asked('examples/orders-service/src/orders.ts', "await fetch('https://x');\n", ['examples-old']),
      'script',
    );
    // Getting-started and demonstration apps at the top of the project or of a package are samples too;
    // a `demo/` feature below the program's own folders is not.
    assert.equal(role('quickstart/middleware/session.go', 'package middleware\n'), 'script');
    assert.equal(role('demo/server/main.go', 'package main\n'), 'script');
    assert.equal(role('internal/demo/seed.go', 'package demo\n'), 'production');
    assert.equal(role('src/features/demos/list.ts', "await fetch('https://x');\n"), 'production');
    assert.equal(role('services/quickstart-guide/handler.go', 'package guide\n'), 'production');
    // Near misses: below the program's own source an `example/` folder is a feature of the product.
    const handler = 'package examples\n\nimport "net/http"\n\nfunc List(w http.ResponseWriter, r *http.Request) {}\n';
    assert.equal(role('internal/api/examples/handler.go', handler), 'production');
    assert.equal(role('src/routes/example/saved.ts', "import express from 'express';\n"), 'production');
    assert.equal(role('backend/_example/memory_store/main.go', sample), 'script', '`_example/` says sample anywhere');
    assert.equal(role('packages/sdk/examples/send.ts', "await fetch('https://x');\n"), 'script');
  });

  it('reads a development entry point and a page a tool serves for what they are (session 15, round 9)', () => {
    const entry =
      "import { start } from './server';\nstart({ authentication: { initApiTokens: ['*:*.dev-token'] } });\n";
    assert.equal(role('src/server-dev.ts', entry), 'script');
    assert.equal(role('app_dev.js', entry), 'script');
    assert.match(classifyFile('src/server-dev.ts', entry).reason, /development entry point/);
    // Near misses: the server itself, a helper named for the environment, a development build of a bundle.
    assert.equal(role('src/server.ts', entry), 'production');
    assert.equal(
      role('libs/helpers/src/utils/is.dev.ts', 'export const isDev = () => process.env.NODE_ENV !== "production";\n'),
      'production',
    );
    assert.equal(role('src/device.ts', entry), 'production');
    // A deployment file that starts it makes it the deployed program.
    const deployed = { deployedBy: (path: string) => (path === 'src/server-dev.ts' ? 'Dockerfile CMD' : undefined) };
    assert.equal(classifyFile('src/server-dev.ts', entry, undefined, undefined, deployed).role, 'production');

    const page = "document.querySelector('#runs').textContent = 'loading';\nconst runs = await fetch('./runs.json');\n";
    assert.equal(role('packages/eval/scripts/viewer/public/app.js', page), 'browser');
    assert.equal(role('tools/report/static/chart.js', page), 'browser');
    // Near misses: the tool's own server beside the page, and a script with no page around it.
    assert.equal(role('packages/eval/scripts/viewer/server.js', "import http from 'node:http';\n"), 'script');
    assert.equal(role('scripts/public/publish.js', "import fs from 'node:fs';\nfs.readFileSync('x');\n"), 'script');
    assert.equal(role('scripts/release.js', page), 'script');
  });

  it("reads a Go package of the project's own named thirdparty as its code, a copied library there not (session 15, round 9)", () => {
    const own = 'package thirdparty\n\nimport "golang.org/x/oauth2"\n\nvar _ oauth2.Config\n';
    assert.equal(role('backend/thirdparty/provider_google.go', own), 'production');
    assert.equal(role('internal/third_party/providers.go', 'package third_party\n'), 'production');
    // Near misses: a copied library keeps its own package name and folder; JavaScript says nothing so.
    assert.equal(role('third_party/forked/yaml/decode.go', 'package yaml\n'), 'vendored');
    assert.equal(role('thirdparty/lib.go', 'package lib\n'), 'vendored');
    assert.equal(role('vendor/example.com/thirdparty/x.go', 'package thirdparty\n'), 'vendored');
    assert.equal(role('src/thirdparty/widget.js', 'export const x = 1;\n'), 'vendored');
  });

  it('reads test imports in files whose path says nothing', () => {
    assert.equal(role('app/check_orders.py', 'import pytest\n\ndef check_x():\n    pass\n'), 'test');
    assert.equal(role('app/check_orders.py', '"""Doc."""\nfrom unittest import mock\n'), 'test');
    assert.equal(role('app/views_check.py', 'from django.test import TestCase\n'), 'test');
    assert.equal(role('src/orders.check.ts', "import { describe, it } from 'vitest';\n"), 'test');
    assert.equal(role('src/api.check.js', "const request = require('supertest');\n"), 'test');
    assert.equal(role('src/ui.check.tsx', "import { render } from '@testing-library/react';\n"), 'test');
    assert.equal(
      role('src/globals.js', "describe('orders', () => {\n  it('works', () => expect(1).toBe(1));\n});\n"),
      'test',
    );
    assert.equal(
      role('internal/orderstest/helpers.go', 'package orderstest\n\nimport (\n\t"net/http"\n\t"testing"\n)\n'),
      'test',
    );
    // Near misses: a module that mentions the words, an `it` that is not a test block.
    assert.equal(role('app/testing_notes.py', '# we use pytest in CI\nimport requests\n'), 'production');
    assert.equal(role('src/list.ts', 'for (const it of items) describe(it);\n'), 'production');
    assert.equal(role('internal/x/x.go', 'package x\n\nimport "net/http"\n'), 'production');
  });

  it('reads Go programs kept out of the build as scripts', () => {
    assert.equal(role('internal/sqltest/docker/postgres.go', 'package docker\n'), 'test');
    assert.equal(role('internal/latest/version.go', 'package latest\n'), 'production');
    assert.equal(role('internal/gen/main.go', '//go:build ignore\n\npackage main\n'), 'script');
    assert.equal(role('tools.go', '//go:build tools\n\npackage tools\n'), 'script');
    assert.equal(role('cmd/server/main.go', 'package main\n\nimport "net/http"\n'), 'production');
  });

  it("finds 'use client' after comments, and a long licence header followed by blank lines does not stall it", () => {
    assert.equal(startsWithUseClient("// app shell\n/* ui */\n\n  'use client';\nexport {}\n"), true);
    assert.equal(startsWithUseClient('"use client"\n'), true);
    assert.equal(startsWithUseClient("const a = 1;\n'use client';\n"), false);
    assert.equal(startsWithUseClient('/* never closed'), false);
    // A vendored bundle's shape (a licence comment, then many whitespace-only lines): the earlier
    // regular expression backtracked exponentially on it and a folder review never ended.
    const bundle = '/*!\n * Library v2.6\n */\n' + '  \n \t\n'.repeat(400) + '(function (global) {})(this);\n';
    assert.equal(startsWithUseClient(bundle), false);
    // The whole classification runs over it too, and still reads the folder.
    assert.equal(role('public/js/lib.js', bundle), 'browser');
  });

  it('reads browser code: front-end imports or DOM use with no server imports', () => {
    assert.equal(role('src/components/Cart.tsx', "import React from 'react';\nexport function Cart() {}\n"), 'browser');
    assert.equal(role('app/cart/page.tsx', "'use client';\nimport { useState } from 'react';\n"), 'browser');
    assert.equal(role('src/main.js', "document.getElementById('app').textContent = 'x';\n"), 'browser');
    assert.equal(role('frontend/src/api.ts', 'export const load = () => fetch("/api/orders");\n'), 'browser');
    assert.equal(role('client/src/api.ts', 'export const load = () => fetch("/api/orders");\n'), 'browser');
    // Server code stays production even with React in it, in a front-end folder, or in Next's server files.
    assert.equal(role('src/render.tsx', "import express from 'express';\nimport React from 'react';\n"), 'production');
    assert.equal(role('frontend/server.ts', "import { createServer } from 'node:http';\n"), 'production');
    assert.equal(role('app/api/orders/route.ts', "import React from 'react';\n"), 'production');
    assert.equal(role('pages/api/orders.ts', 'export default async function handler(req, res) {}\n'), 'production');
    assert.equal(
      role('app/orders/page.tsx', "import React from 'react';\nexport default async function Page() {}\n"),
      'production',
    );
    assert.equal(
      role('pages/orders.tsx', "import React from 'react';\nexport async function getServerSideProps() {}\n"),
      'production',
    );
    // `client` deep in a backend is an HTTP client, not a front end; Python and Go are never browser code.
    assert.equal(role('src/client/payments.ts', 'export const pay = () => fetch(url);\n'), 'production');
    assert.equal(role('static/app.py', 'import requests\n'), 'production');
  });

  it('reads browser code from any window property, DOM event types and editor view imports (issue 12)', () => {
    // A folder named app/ says nothing: Next.js servers, Express MVC and Python or Go services use it too.
    const wipe = 'export async function wipe() {\n  if (!window.indexedDB) return;\n}\n';
    assert.equal(role('app/utils/storage.ts', wipe), 'browser');
    assert.equal(
      role('app/utils/storage.ts', 'export const load = (id: string) => fetch(`/api/${id}`);\n'),
      'production',
    );
    assert.equal(
      role('app/controllers/orders.js', "const express = require('express');\nwindow.x = 1;\n"),
      'production',
    );
    // A module that asks where it runs is shared with the server.
    assert.equal(
      role(
        'shared/env.ts',
        "const env = typeof window === 'undefined' ? process.env : window.env;\nexport default env;\n",
      ),
      'production',
    );
    const paste = 'export function onPaste(view: unknown, event: ClipboardEvent) {\n  return event.clipboardData;\n}\n';
    assert.equal(role('shared/editor/paste.ts', paste), 'browser');
    assert.equal(
      role('shared/editor/drop.ts', 'export const files = (e: { dataTransfer: unknown }) => e.dataTransfer;\n'),
      'browser',
    );
    assert.equal(
      role(
        'shared/editor/insert.ts',
        "import type { EditorView } from 'prosemirror-view';\nexport const f = (v: EditorView) => v;\n",
      ),
      'browser',
    );
    assert.equal(role('src/i18n.ts', "import { useTranslation } from 'react-i18next';\n"), 'browser');
    // React's `cache` is per-request memoisation for server code: alone it makes no module a browser's.
    const memoised =
      "import { cache as reactCache } from 'react';\nimport { db } from '@acme/store';\nexport const getTeam = reactCache(async (id: string) => db.team.get(id));\n";
    assert.equal(role('modules/teams/lib/team.ts', memoised), 'production');
    assert.equal(
      role(
        'modules/teams/lib/team.ts',
        memoised
          .replace("import { cache as reactCache } from 'react';", "import { cache } from 'react';")
          .replace('reactCache(', 'cache('),
      ),
      'production',
    );
    // Near-miss: the same module with a hook beside `cache` is a component's.
    assert.equal(
      role(
        'modules/teams/lib/team.ts',
        memoised.replace('{ cache as reactCache }', '{ cache as reactCache, useState }'),
      ),
      'browser',
    );
    assert.equal(role('src/ssr.ts', "import { renderToString } from 'react-dom/server';\n"), 'production');
  });

  it('reads JSX with the automatic runtime (no React import) as browser code, server components aside (issue 12)', () => {
    const badge =
      'import { Pill } from \'@/ui/pill\';\nexport const Badge = ({ n }: { n: number }) => (\n  <Pill tone="info">{n}</Pill>\n);\n';
    assert.equal(role('libs/ui/src/badge.tsx', badge), 'browser');
    assert.equal(role('libs/ui/src/empty.jsx', 'export function Empty() {\n  return <>nothing</>;\n}\n'), 'browser');
    // Near-misses: a .ts file's generics, a server's JSX, an async server component, the app router folder.
    assert.equal(
      role('libs/ui/src/badge.ts', 'export const pick = (xs: Array<number>) => xs.map((x) => (x < 3 ? 1 : 2));\n'),
      'production',
    );
    assert.equal(role('src/pages.tsx', `import { Hono } from 'hono';\n${badge}`), 'production');
    assert.equal(
      role(
        'src/views/report.tsx',
        "import { db } from './db';\nexport default async function Report() {\n  return <p>{await db.count()}</p>;\n}\n",
      ),
      'production',
    );
    assert.equal(role('src/app/orders/summary.tsx', badge), 'production');
    // JSX rendered to an email or a terminal runs where the server or the command does.
    const email =
      'import { Html, Button } from \'@react-email/components\';\nexport default function Welcome() {\n  return <Html><Button href="https://x">Hi</Button></Html>;\n}\n';
    assert.equal(role('src/emails/welcome.tsx', email), 'production');
    assert.equal(role('src/cli/progress.tsx', `import { Text } from 'ink';\n${badge}`), 'production');
    assert.equal(role('src/emails/welcome.tsx', email.replace('@react-email/components', '@/ui/mail')), 'browser');
  });

  it('reads a browser automation module as Node code: its DOM use runs in the page it drives (issue 12)', () => {
    const crawl =
      "export async function titles(page) {\n  return page.evaluate(() => [...document.querySelectorAll('h2')].map((h) => h.textContent));\n}\n";
    assert.equal(role('src/crawl.js', crawl), 'browser', 'without an import nothing says where it runs');
    assert.equal(role('src/crawl.js', `import { chromium } from 'playwright-core';\n${crawl}`), 'production');
    assert.equal(role('src/crawl.js', `const puppeteer = require('puppeteer');\n${crawl}`), 'production');
    // The script such a module injects into the page, kept in a browser-side folder of the server.
    const injected =
      '(function () {\n  window.pickRows = function (sel) {\n    return document.querySelectorAll(sel);\n  };\n})();\n';
    assert.equal(role('server/src/scraping/browserSide/rows.js', injected), 'browser');
    assert.equal(role('server/src/scraping/browser-side/rows.js', injected), 'browser');
    // Near-misses: the same script directly in a server folder, and a server folder below the browser-side one.
    assert.equal(role('server/src/scraping/rows.js', injected), 'production');
    assert.equal(role('client-side/server/rows.js', injected), 'production');
  });

  it('reads bundles named by content hash in an assets/ folder as generated (issue 12)', () => {
    for (const path of [
      'shop/static/assets/pages/orders-Xk3_pQ9z.js',
      'shop/static/assets/cart-QWmZtRbe.js',
      'public/assets/checkout.4f9a2c1e.js',
      'public/assets/theme-Ab7kLmPq.css',
    ])
      assert.equal(role(path, 'export const a = 1;\n'), 'generated', path);
    // Near-misses: names written by hand, a hash-like name outside assets/, eight hex letters with no digit.
    for (const path of [
      'shop/assets/js/user-settings.js',
      'shop/assets/js/auth-Callback.js',
      'shop/assets/js/pages-UserList.js',
      'src/lib/cart-QWmZtRbe.js',
      'public/assets/decade.deadbeef.js',
    ])
      assert.notEqual(role(path, 'export const a = 1;\n'), 'generated', path);
  });

  it('leaves ordinary service code production', () => {
    for (const path of [
      'src/orders/service.ts',
      'app/views.py',
      'internal/orders/handler.go',
      'cmd/api/main.go',
      'latest/x.py',
      'contest/x.go',
    ])
      assert.equal(role(path, 'export {}\n'), 'production', path);
  });

  it('gives the project’s rolePatterns the last word, production included', () => {
    const patterns = compileRolePatterns({ test: ['qa/**'], production: ['src/testing/**'], fixture: ['*.sample.ts'] });
    assert.deepEqual(classifyFile('qa/orders.py', '', patterns), { role: 'test', reason: 'rolePatterns.test "qa/**"' });
    assert.equal(classifyFile('src/testing/clock.ts', '', patterns).role, 'production');
    assert.equal(classifyFile('deep/dir/x.sample.ts', '', patterns).role, 'fixture');
    assert.equal(classifyFile('tests/x.py', '', patterns).role, 'test');
    assert.equal(compileRolePatterns({}), undefined);
  });

  it('matches project globs like .gitignore: names at any depth, folders with their contents', () => {
    assert.ok(globMatcher('legacy')('src/legacy/a.ts'));
    assert.ok(globMatcher('legacy/')('legacy/a.ts'));
    assert.ok(globMatcher('src/gen/**')('src/gen/a/b.ts'));
    assert.ok(globMatcher('src/gen')('src/gen/a/b.ts'));
    assert.ok(globMatcher('*.sql.ts')('a/b/q.sql.ts'));
    assert.ok(globMatcher('./src/*.ts')('src/a.ts'));
    assert.ok(!globMatcher('src/*.ts')('src/a/b.ts'));
    assert.ok(!globMatcher('src/gen')('src/generated/a.ts'));
  });

  it('makes a Python program run by hand a script; not one that serves, keeps running or a deployment file starts', () => {
    const program = [
      '#!/usr/bin/env python3',
      '# Push the translated notes to the review site.',
      'import argparse',
      'import requests',
      '',
      'def main():',
      '    args = argparse.ArgumentParser().parse_args()',
      '    requests.post("https://review.invalid/notes", json={"n": 1})',
      '    print("done")',
      '',
      'if __name__ == "__main__":',
      '    main()',
      '',
    ].join('\n');
    const deployed = { names: ['notes'], deployedBy: (): string => 'Procfile names it' };
    const undeployed = { names: ['notes'], deployedBy: (): undefined => undefined };
    assert.equal(classifyFile('notes/push_notes.py', program, undefined, undefined, undeployed).role, 'script');
    assert.equal(classifyFile('notes/push_notes.py', program).role, 'script', 'without a project around it too');
    // Near-misses: a module without the #! line, a program that serves or loops forever, one a deployment file starts.
    assert.equal(classifyFile('notes/push_notes.py', program.replace(/^#!.*\n/, '')).role, 'production');
    const serves = program.replace('    main()', '    app.run(host="0.0.0.0")');
    assert.equal(classifyFile('notes/web.py', serves, undefined, undefined, undeployed).role, 'production');
    const loops = program.replace('    main()', '    while True:\n        main()\n        time.sleep(60)');
    assert.equal(classifyFile('notes/tick.py', loops, undefined, undefined, undeployed).role, 'production');
    assert.equal(classifyFile('notes/push_notes.py', program, undefined, undefined, deployed).role, 'production');
  });

  it('makes a top-level dev/ folder and mobile config plugins scripts', () => {
    assert.equal(role('dev/installer/main.go', 'package main\n\nfunc main() {}\n'), 'script');
    assert.equal(role('dev/containers/launch.js', "const http = require('http');\n"), 'script');
    // Near-miss: a `dev/` below the source is a feature of the program.
    assert.equal(role('src/dev/tokens.go', 'package dev\n'), 'production');
    const plugin = "const { withAndroidManifest } = require('@expo/config-plugins');\nconst fs = require('fs');\n";
    assert.equal(role('apps/phone/plugins/with-cleartext.js', plugin), 'script');
    assert.equal(
      role('apps/phone/plugins/with-cleartext.js', plugin.replace('@expo/config-plugins', 'expo-router')),
      'production',
    );
  });

  it('makes vendored a file whose licence header names another project than this one', () => {
    const header = (name: string): string =>
      `# This file is part of ${name}, a wrapper around the key tool.\n# Copyright 2015 Someone Else\n\nimport os\n`;
    const project = { names: ['ledgerly', 'ledgerly-server'] };
    const roleIn = (path: string, text: string, context?: { names: string[] }): FileRole =>
      classifyFile(path, text, undefined, undefined, context).role;
    assert.equal(roleIn('ledgerly/keywrap/core.py', header('py-keywrap'), project), 'vendored');
    assert.equal(roleIn('ledgerly/vendor_keys/core.py', header('py-keywrap'), project), 'vendored');
    // Near-misses: the header names the project (its folder or its package), or the project's names are unknown.
    assert.equal(roleIn('core.py', header('Ledgerly'), project), 'production');
    assert.equal(roleIn('core.py', header('the ledgerly service'), project), 'production');
    assert.equal(roleIn('keywrap/core.py', header('ledgerly-server'), project), 'production');
    assert.equal(roleIn('ledgerly/keywrap/core.py', header('py-keywrap')), 'production');
  });

  it('gives the migration role in a feature folder only to files shaped as migrations', () => {
    const importer =
      "import { db } from '../../db';\nexport async function importFromOtherApp(rows) {\n  for (const r of rows) await db.insert(r);\n}\n";
    assert.equal(role('src/lib/api/controllers/migration/importFromOtherApp.ts', importer), 'production');
    assert.equal(role('app/services/migrations/other_app.py', 'class OtherAppImporter:\n    pass\n'), 'production');
    // A migration file keeps it: a versioned name, a framework's shape; and outside feature folders, the folder decides.
    assert.equal(role('src/api/migrations/0003_tags.py', 'from django.db import migrations\n'), 'migration');
    assert.equal(role('src/api/migrations/__init__.py', ''), 'migration');
    assert.equal(role('src/services/migration/add-tags.ts', 'export async function up(knex) {}\n'), 'migration');
    assert.equal(role('src/db/migrations/helpers.ts', importer), 'migration');
    assert.equal(role('migrations/env.py', 'import os\n'), 'migration');
  });

  it('reads browser code: a front-end folder with a UI framework, even when it also decodes a JWT', () => {
    const store =
      "import { make } from 'vuex-pathify'\nimport jwt from 'jsonwebtoken'\nexport const state = { name: '' }\n";
    assert.equal(role('client/store/session.js', store), 'browser');
    // Near-misses: a Node module beside it, or the same file below the source where `client/` is an HTTP client.
    assert.equal(role('client/store/session.js', `${store}import fs from 'fs'\n`), 'production');
    assert.equal(role('src/client/session.js', store), 'production');
    const helper =
      'export default async function latest() {\n  const r = await fetch("https://news.invalid/latest.json");\n  return r.json();\n}\n';
    const next = { kind: 'other' as const, reason: 'web/package.json depends on next', fullStack: 'next' };
    assert.equal(classifyFile('site/lib/client/latest.ts', helper, undefined, next).role, 'browser');
    // Near-misses: no full-stack framework, or the helper loads a page's data on the server.
    const plain = { kind: 'other' as const, reason: 'web/package.json depends on express' };
    assert.equal(classifyFile('site/lib/client/latest.ts', helper, undefined, plain).role, 'production');
    const serverProps = `import { GetServerSideProps } from 'next';\n${helper}`;
    assert.equal(classifyFile('site/lib/client/props.ts', serverProps, undefined, next).role, 'production');
  });

  it('reads browser code: a client-only/ folder and a React state store (round-6 informed)', () => {
    const download =
      'export async function download(url: string) {\n  const r = await fetch(url);\n  return r.blob();\n}\n';
    assert.equal(role('packages/lib/client-only/download.ts', download), 'browser');
    assert.equal(role('packages/lib/client_only/download.ts', download), 'browser');
    // Near-misses: a server-only/ folder, and the same module importing a server library.
    assert.equal(role('packages/lib/server-only/download.ts', download), 'production');
    assert.equal(role('packages/lib/client-only/download.ts', `import fs from 'fs';\n${download}`), 'production');
    const store =
      "import { create } from 'zustand';\nconst useRelease = create(() => ({ latest: null }));\nexport async function check() {\n  const r = await fetch('https://releases.invalid/latest');\n  useRelease.setState({ latest: await r.json() });\n}\n";
    assert.equal(role('src/store/release.ts', store), 'browser');
    // Near-misses: the store library's framework-free entry, and a store kept beside a server import.
    assert.equal(role('src/store/release.ts', store.replace("'zustand'", "'zustand/vanilla'")), 'production');
    assert.equal(role('src/store/release.ts', `import { Pool } from 'pg';\n${store}`), 'production');
  });

  it('reads settings modules of CI, test and development environments as test code (round-6 informed)', () => {
    const ci = "from .base import *\n\nDEBUG = False\nSECRET_KEY = 'ci-only-key-7f3a9c2e1b'\n";
    assert.equal(role('shop/settings/ci.py', ci), 'test');
    assert.equal(role('shop/settings/local_dev.py', ci), 'test');
    assert.equal(role('shop/settings/development.py', ci), 'test');
    assert.equal(role('shop/settings_dev.py', ci), 'test');
    assert.equal(role('shop/ci_settings.py', ci), 'test');
    assert.match(classifyFile('shop/settings/ci.py', ci).reason, /settings for a ci environment/);
    // `local` only when the module turns debugging on.
    assert.equal(role('shop/settings/local.py', ci.replace('DEBUG = False', 'DEBUG = True')), 'test');
    // Near-misses: the production settings, a `local` overrides module without DEBUG on, a settings
    // folder's other modules, and a module merely named `dev` outside any settings.
    assert.equal(role('shop/settings/production.py', ci), 'production');
    assert.equal(role('shop/settings/main.py', ci), 'production');
    assert.equal(role('shop/settings/local.py', ci), 'production');
    assert.equal(role('shop/settings/devices.py', ci), 'production');
    assert.equal(role('shop/dev.py', ci), 'production');
  });

  it('reads task runners, Django command base classes, PEP 723 scripts and top-level extras/ as scripts (round-6 informed)', () => {
    const tasks =
      "import requests\nfrom invoke import Collection, task\n\n@task\ndef fetch_data(ctx):\n    requests.get('https://data.invalid/dump.json')\n";
    assert.equal(role('shop/tasks.py', tasks), 'script');
    assert.equal(role('fabfile/deploy.py', tasks.replace('from invoke import', 'from fabric import')), 'script');
    // Near-misses: Celery's tasks module, and an invoke import without any @task.
    const celery =
      "import requests\nfrom celery import shared_task\n\n@shared_task\ndef fetch_data():\n    requests.get('https://data.invalid/dump.json')\n";
    assert.equal(role('shop/tasks.py', celery), 'production');
    assert.equal(role('shop/tasks.py', tasks.replace('@task\n', '')), 'production');
    const base =
      'import requests\nfrom django.core.management.base import BaseCommand\n\nclass ImportCatalogueCommand(BaseCommand):\n    def fetch(self):\n        requests.get(self.url)\n';
    assert.equal(role('shop/catalogue/management/importing.py', base), 'script');
    // Near-miss: a module that calls a command does not define one.
    const caller =
      'from django.core.management import call_command\n\ndef rebuild():\n    call_command("rebuild_index")\n';
    assert.equal(role('shop/catalogue/maintenance.py', caller), 'production');
    const pep723 =
      '# /// script\n# dependencies = ["requests"]\n# ///\nimport requests\n\nprint(requests.get("https://api.invalid/contributors").json())\n';
    assert.equal(role('tools_of_ours/contributors.py', pep723), 'script');
    assert.equal(
      classifyFile('contributors.py', pep723, undefined, undefined, { deployedBy: () => 'crontab names it' }).role,
      'production',
      'a deployment file starts it',
    );
    assert.equal(
      role('extras/authors/contributors.py', 'import requests\nrequests.get("https://x.invalid")\n'),
      'script',
    );
    assert.equal(role('extra/release/notes.mjs', "await fetch('https://x.invalid');\n"), 'script');
    // Near-misses: a Go program in extra/ is built and shipped; an `extras/` below the source is a feature.
    assert.equal(role('extra/agent/agent.go', 'package main\n\nfunc main() {}\n'), 'production');
    assert.equal(role('shop/extras/coupons.py', 'import requests\n'), 'production');
    // Near-miss: a top-level `extras/` that is a Python package is an app of the project (a Django
    // project's folder opened as the workspace); JavaScript beside it keeps the tools reading.
    const app = { isPythonPackage: (dir: string) => dir === 'extras' };
    const webhooks = 'import requests\n\ndef deliver(hook, body):\n    requests.post(hook.url, json=body)\n';
    assert.equal(classifyFile('extras/webhooks.py', webhooks, undefined, undefined, app).role, 'production');
    assert.equal(classifyFile('./extras/api/views.py', webhooks, undefined, undefined, app).role, 'production');
    assert.equal(
      classifyFile('extras/release/notes.mjs', 'await fetch(url);\n', undefined, undefined, app).role,
      'script',
    );
    const tools = { isPythonPackage: () => false };
    assert.equal(classifyFile('extras/authors/contributors.py', webhooks, undefined, undefined, tools).role, 'script');
  });

  it('gives the migration role below a migration folder only when the folder holds versioned migrations (round-6 informed)', () => {
    const tree: Record<string, string[]> = {
      'pkg/migration': ['20190324205606.go', 'migration.go'],
      'pkg/modules/migration': ['handler', 'todolist', 'helpers.go'],
      'pkg/modules/migration/handler': ['handler.go'],
      'pkg/modules/migration/todolist': ['todolist.go', 'testdata'],
      'pkg/modules/migration/todolist/testdata': ['export.json'],
      'db/migrations': ['mysql'],
      'db/migrations/mysql': ['0.1'],
      'db/migrations/mysql/0.1': ['00__init.sql'],
    };
    const list = (dir: string): string[] => tree[dir] ?? [];
    assert.equal(holdsVersionedMigrations(list, 'pkg/migration'), true);
    assert.equal(holdsVersionedMigrations(list, 'db/migrations'), true, 'a versioned folder two levels down');
    assert.equal(holdsVersionedMigrations(list, 'pkg/modules/migration'), false);
    const project = { holdsVersionedMigrations: (dir: string) => holdsVersionedMigrations(list, dir) };
    const importer = 'package todolist\n\nfunc Migrate(u *user.User) error { return nil }\n';
    const roleIn = (path: string, text: string): FileRole =>
      classifyFile(path, text, undefined, undefined, project).role;
    assert.equal(roleIn('pkg/modules/migration/todolist/todolist.go', importer), 'production');
    assert.equal(roleIn('pkg/modules/migration/handler/handler.go', 'package handler\n'), 'production');
    // Without the project's folders, the folder name still decides outside feature folders.
    assert.equal(role('pkg/modules/migration/todolist/todolist.go', importer), 'migration');
    // Near-misses: a folder with versioned migrations keeps its helpers; a migration's own shape still counts.
    assert.equal(roleIn('pkg/migration/migration.go', 'package migration\n'), 'migration');
    assert.equal(roleIn('db/migrations/runner.go', 'package migrations\n'), 'migration');
    assert.equal(
      roleIn('pkg/modules/migration/add_tags.ts', 'export async function up(knex) {}\n'),
      'migration',
      'a framework shape in a folder of importers',
    );
  });

  it('reads a module that only front-end code imports as browser code, in a whole-project pass (round-6 informed)', () => {
    const helper =
      'export async function get(path: string) {\n  const r = await fetch(`${base}${path}`);\n  return r.json();\n}\n';
    const hook =
      "import { useQuery } from '@tanstack/react-query';\nimport { get } from '@/lib/http';\nexport function useOrders() {\n  return useQuery({ queryKey: ['o'], queryFn: () => get('/orders') });\n}\n";
    const provider = "'use client';\nimport { limits } from '../limits';\nexport function LimitsProvider() {}\n";
    const route =
      "import express from 'express';\nimport { get } from '../lib/http';\nexpress().get('/', async () => get('/x'));\n";
    const test =
      "import { it } from 'vitest';\nimport { get } from '../src/lib/http';\nit('gets', async () => get('/x'));\n";
    const files = [
      { path: 'src/lib/http.ts', text: helper, role: 'production' as FileRole },
      { path: 'src/hooks/useOrders.ts', text: hook, role: 'browser' as FileRole },
      { path: 'test/http.test.ts', text: test, role: 'test' as FileRole },
      { path: 'pkg/quota/limits.ts', text: helper, role: 'production' as FileRole },
      { path: 'pkg/quota/provider/client.tsx', text: provider, role: 'browser' as FileRole },
    ];
    const found = browserByImporters(files);
    assert.deepEqual([...found.keys()].sort(), ['pkg/quota/limits.ts', 'src/lib/http.ts']);
    // The alias names a module at the project's root as well (`@/lib/http` is `lib/http.ts`).
    const atRoot = files.map((file) => (file.path === 'src/lib/http.ts' ? { ...file, path: 'lib/http.ts' } : file));
    assert.deepEqual([...browserByImporters(atRoot).keys()].sort(), ['lib/http.ts', 'pkg/quota/limits.ts']);
    assert.match(found.get('src/lib/http.ts') ?? '', /only browser code imports it \(src\/hooks\/useOrders\.ts\)/);
    // Near-misses: a server route imports it too; nobody imports it; it imports a server module; the
    // only importer is browser by its UI import alone (a server module rendering an email with React).
    assert.equal(
      browserByImporters([...files, { path: 'src/server/route.ts', text: route, role: 'production' }]).has(
        'src/lib/http.ts',
      ),
      false,
    );
    assert.equal(
      browserByImporters(files.filter((file) => file.path !== 'src/hooks/useOrders.ts')).has('src/lib/http.ts'),
      false,
    );
    const withFs = files.map((file) =>
      file.path === 'src/lib/http.ts' ? { ...file, text: `import fs from 'fs';\n${helper}` } : file,
    );
    assert.equal(browserByImporters(withFs).has('src/lib/http.ts'), false);
    const mailer =
      "import { createElement } from 'react';\nimport { get } from '../lib/http';\nexport const render = () => createElement('p', null, get('/x'));\n";
    assert.equal(browserByImporters([files[0], { path: 'src/mail/render.ts', text: mailer, role: 'browser' }]).size, 0);
    // A type-only import loads nothing.
    const typeOnly = "import type { get } from '@/lib/http';\nexport function useX() { return useState(0); }\n";
    assert.equal(
      browserByImporters([files[0], { path: 'src/hooks/useX.ts', text: typeOnly, role: 'browser' }]).size,
      0,
    );
  });
});
