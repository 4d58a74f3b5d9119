import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectScope } from '../../../src/core/config/projectConfig';
import { folderStamp } from '../../../src/core/projectFiles';
import { runOfflineChecks } from '../../../src/core/offline';
import {
  changesNeighbourFacts,
  goModuleDatabase,
  nestHttpModuleIn,
  ProjectFacts,
  replacedSettings,
} from '../../../src/core/projectFacts';
import { expectedFindings } from './offline/labeledSet';

/** Modules of our own, the shapes a NestJS project gives its HttpModule. */
const bare =
  "import { Module } from '@nestjs/common';\nimport { HttpModule } from '@nestjs/axios';\n@Module({ imports: [HttpModule], providers: [] })\nexport class RatesModule {}\n";
const registered =
  "import { Module } from '@nestjs/common';\nimport { HttpModule } from '@nestjs/axios';\n@Module({ imports: [HttpModule.register({ timeout: 5000 })] })\nexport class FeedsModule {}\n";
const registeredAsync =
  "import { HttpModule } from '@nestjs/axios';\n@Module({\n  imports: [\n    HttpModule.registerAsync({ useFactory: () => ({ timeout: 5000 }) }),\n  ],\n})\nexport class MailModule {}\n";
const service =
  "import { HttpService } from '@nestjs/axios';\nimport { Injectable } from '@nestjs/common';\n@Injectable()\nexport class RatesService {\n  constructor(private readonly http: HttpService) {}\n  async latest() {\n    return (await this.http.axiosRef.get('https://rates.example.org/latest')).data;\n  }\n}\n";

type ScopeFacts = ReturnType<ReturnType<typeof projectScope>['facts']>;

/** The findings of one file checked with `facts` (BackendPE mode), as `line rule`, in order. */
async function findingLines(file: string, text: string, facts: ScopeFacts): Promise<string[]> {
  return (await runOfflineChecks({ path: file, text, facts }, { mode: 'backendpe' })).map(
    (f) => `${f.startLine} ${f.ruleId}`,
  );
}

/**
 * ProjectFacts over files held in memory under `/repo` (paths relative to it), counting how many
 * times a folder is listed; `stamp` is passed on as the folder stamp.
 */
function inMemoryFacts(
  files: Record<string, string>,
  stamp?: (absoluteDir: string) => string | undefined,
): { facts: ProjectFacts; listed: () => number } {
  let listed = 0;
  const facts = new ProjectFacts(
    '/repo',
    (dir) => {
      listed += 1;
      const prefix = `${dir.slice('/repo/'.length)}/`;
      return Object.keys(files)
        .filter((file) => file.startsWith(prefix) && !file.slice(prefix.length).includes('/'))
        .map((file) => file.slice(prefix.length));
    },
    (file) => files[file.slice('/repo/'.length)],
    stamp,
  );
  return { facts, listed: () => listed };
}

describe('project facts: what the files beside a file say about it', () => {
  it('reads how the NestJS modules of a folder provide HttpService', () => {
    assert.equal(nestHttpModuleIn([bare]), 'default');
    assert.equal(nestHttpModuleIn([registered]), 'configured');
    assert.equal(nestHttpModuleIn([registeredAsync]), 'configured');
    // One module registering options is enough not to say "no timeout" for the folder.
    assert.equal(nestHttpModuleIn([bare, registered]), 'configured');
    // Near-misses: HttpModule named only in a comment or another package's, no HttpModule at all.
    assert.equal(
      nestHttpModuleIn(['// imports: [HttpModule]\n@Module({ imports: [] })\nexport class A {}\n']),
      undefined,
    );
    assert.equal(
      nestHttpModuleIn([
        "import { HttpModule } from './http';\n@Module({ imports: [HttpModule] })\nexport class B {}\n",
      ]),
      undefined,
    );
    assert.equal(nestHttpModuleIn([]), undefined);
  });

  it('gives a file the facts of its own folder, read once per folder, only for JS and TS files', () => {
    const files: Record<string, string> = {
      'src/rates/rates.module.ts': bare,
      'src/rates/rates.service.ts': service,
      'src/feeds/feeds.module.ts': registered,
    };
    const { facts, listed } = inMemoryFacts(files);
    assert.deepEqual(facts.of('src/rates/rates.service.ts'), { nestHttpModule: 'default' });
    assert.deepEqual(facts.of('src/rates/rates.controller.ts'), { nestHttpModule: 'default' });
    assert.equal(listed(), 1);
    assert.deepEqual(facts.of('src/feeds/feeds.service.ts'), { nestHttpModule: 'configured' });
    assert.equal(facts.of('src/rates/sub/helper.ts'), undefined, 'a subfolder has its own neighbours');
    assert.equal(facts.of('src/rates/notes.md'), undefined);
    assert.equal(facts.of('../other/x.ts'), undefined);
  });

  it('reaches the offline checks through the project scope: the HttpService call is reported where the module adds no timeout', async () => {
    const root = mkdtempSync(join(tmpdir(), 'project-facts-'));
    try {
      const write = (file: string, text: string): void => {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), text);
      };
      write('src/rates/rates.module.ts', bare);
      write('src/rates/rates.service.ts', service);
      write('src/feeds/feeds.module.ts', registered);
      write('src/feeds/feeds.service.ts', service);
      const scope = projectScope({}, root);
      const check = async (file: string) =>
        (
          await runOfflineChecks(
            { path: file, text: service, role: scope.role(file, service).role, facts: scope.facts(file) },
            { mode: 'backendpe' },
          )
        )
          .filter((f) => f.ruleId === 'http-no-timeout')
          .map((f) => f.startLine);
      assert.deepEqual(await check('src/rates/rates.service.ts'), [7]);
      assert.deepEqual(await check('src/feeds/feeds.service.ts'), []);
      // Without a project root (an editor file outside any folder) nothing is read.
      assert.equal(projectScope({}, '').facts('src/rates/rates.service.ts'), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('gives a Python settings module the names a deployed module beside it assigns again after importing it all', () => {
    const deployed = { name: 'prod.py', text: 'import os\nfrom .base import *\nSECRET_KEY = os.environ["KEY"]\n' };
    assert.deepEqual(replacedSettings('base', [deployed]), ['SECRET_KEY']);
    // Indented under a `try:`/`with`, from a file, by a package path: still assigned again.
    assert.deepEqual(
      replacedSettings('common', [
        {
          name: 'production.py',
          text: 'from app.settings.common import *\ntry:\n    API_TOKEN = open(p).read()\nexcept OSError:\n    pass\n',
        },
      ]),
      ['API_TOKEN'],
    );
    // Near-misses: a literal or None again, an assignment before the import, another module imported,
    // a developer's or a test's settings.
    assert.deepEqual(
      replacedSettings('base', [
        { name: 'prod.py', text: 'from .base import *\nSECRET_KEY = "other"\nTOKEN = None\n' },
        { name: 'staging.py', text: 'SECRET_KEY = env("K")\nfrom .base import *\n' },
        { name: 'prod2.py', text: 'from .basement import *\nSECRET_KEY = env("K")\n' },
        { name: 'dev.py', text: 'from .base import *\nSECRET_KEY = env("K")\n' },
        { name: 'test_settings.py', text: 'from .base import *\nSECRET_KEY = env("K")\n' },
      ]),
      [],
    );
    // Read from a file inside a `with` inside a `try`, generated in its handler: assigned on every import
    // (Windows line endings too).
    const fromFile =
      'from .base import *\ntry:\n    with open(p) as f:\n        SECRET_KEY = f.read()\nexcept OSError:\n    SECRET_KEY = make_key()\n';
    assert.deepEqual(replacedSettings('base', [{ name: 'prod.py', text: fromFile }]), ['SECRET_KEY']);
    assert.deepEqual(replacedSettings('base', [{ name: 'prod.py', text: fromFile.replace(/\n/g, '\r\n') }]), [
      'SECRET_KEY',
    ]);
    // Near-misses: the base's literal still the value somewhere: the environment's value with the
    // imported one as its fallback (also over several lines), assigned only under an `if`, a local of
    // a function, a keyword argument of a call written over several lines.
    assert.deepEqual(
      replacedSettings('base', [
        {
          name: 'prod.py',
          text: [
            'import os',
            'from .base import *',
            'SECRET_KEY = os.environ.get("SECRET_KEY", SECRET_KEY)',
            'SIGNING_KEY = env.str(',
            '    "SIGNING_KEY",',
            '    default=SIGNING_KEY,',
            ')',
            'if os.environ.get("USE_VAULT"):',
            '    DB_PASSWORD = os.environ["DB_PASSWORD"]',
            'def configure():',
            '    API_TOKEN = os.environ["API_TOKEN"]',
            'CACHES = dict(',
            '    REDIS_PASSWORD=os.environ["REDIS_PASSWORD"],',
            ')',
            '',
          ].join('\n'),
        },
      ]),
      ['CACHES'],
    );
  });

  it('reaches hardcoded-secret through the project scope: a base settings key the deployed module replaces is not reported', async () => {
    const root = join(__dirname, '../../fixtures/offline/real-shapes/python/settings_replaced');
    const file = 'conf/base.py';
    const text = readFileSync(join(root, file), 'utf8');
    const scope = projectScope({}, root);
    const lines = (facts: ScopeFacts): Promise<string[]> => findingLines(file, text, facts);
    const expected = expectedFindings(text).map((e) => `${e.line} ${e.ruleId}`);
    assert.deepEqual(scope.facts(file), { pySettingsReplaced: ['SECRET_KEY'] });
    assert.deepEqual(await lines(scope.facts(file)), expected);
    // Alone (no module beside it replaces it), the key is reported too.
    assert.deepEqual(await lines(undefined), ['7 hardcoded-secret', ...expected]);
    // Only settings folders and settings modules are read.
    assert.equal(scope.facts('lending/views.py'), undefined);
  });

  it('reaches blocking-call-in-async through the project scope: a plain function imported from a module that calls requests or time.sleep', async () => {
    const root = join(__dirname, '../../fixtures/offline/real-shapes/python/blocking_imports');
    const file = 'src/gallery/routes/photos.py';
    const text = readFileSync(join(root, file), 'utf8');
    const scope = projectScope({}, root);
    const lines = (facts: ScopeFacts): Promise<string[]> => findingLines(file, text, facts);
    const expected = expectedFindings(text).map((e) => `${e.line} ${e.ruleId}`);
    assert.equal(expected.length, 2);
    assert.deepEqual(scope.facts(file), {
      pyBlockingImports: {
        online: { file: 'src/gallery/media/fetch.py', call: 'requests.head', line: 9 },
        original: { file: 'src/gallery/media/fetch.py', call: 'requests.get', line: 19 },
      },
    });
    assert.deepEqual(await lines(scope.facts(file)), expected);
    // Alone (no project around it), nothing is known of the imported functions.
    assert.deepEqual(await lines(undefined), []);
    // A module without `async def` is not read for them.
    assert.equal(scope.facts('src/gallery/media/fetch.py'), undefined);
  });

  it('reads an imported Python module again once it changes (the editor forgets its path)', () => {
    const files: Record<string, string> = {
      'app/net.py': 'import requests\n\ndef ping():\n    return True\n',
      'app/views.py': 'from app.net import ping\n\nasync def view():\n    return ping()\n',
    };
    const facts = new ProjectFacts(
      '/repo',
      (dir) => (dir === '/repo/app' ? ['net.py', 'views.py'] : []),
      (file) => files[file.slice('/repo/'.length)],
    );
    assert.equal(facts.of('app/views.py'), undefined);
    files['app/net.py'] =
      'import requests\n\ndef ping():\n    return requests.get("https://x.example", timeout=3).ok\n';
    assert.equal(facts.of('app/views.py'), undefined, 'read once until forgotten');
    facts.forget('app/net.py');
    assert.deepEqual(facts.of('app/views.py'), {
      pyBlockingImports: { ping: { file: 'app/net.py', call: 'requests.get', line: 4 } },
    });
  });

  it('reads a settings folder again once a module of it changes (the editor re-checks the folder)', () => {
    const files: Record<string, string> = {
      'conf/base.py': 'SECRET_KEY = "x"\n',
      'conf/prod.py': 'from .base import *\n',
    };
    const facts = new ProjectFacts(
      '/repo',
      () => Object.keys(files).map((file) => file.slice('conf/'.length)),
      (file) => files[file.slice('/repo/'.length)],
    );
    assert.equal(facts.of('conf/base.py'), undefined);
    files['conf/prod.py'] += 'SECRET_KEY = env("KEY")\n';
    assert.equal(facts.of('conf/base.py'), undefined, 'read once until forgotten');
    assert.equal(changesNeighbourFacts('conf/prod.py'), true);
    assert.equal(changesNeighbourFacts('shelf/settings_prod.py'), true);
    assert.equal(changesNeighbourFacts('lending/views.py'), false);
    facts.forget('conf/prod.py');
    assert.deepEqual(facts.of('conf/base.py'), { pySettingsReplaced: ['SECRET_KEY'] });
  });

  it("reads whether a Go module's own requirements reach only an in-process SQLite engine", () => {
    const mod = (...requires: string[]): string =>
      `module example.com/inbox\n\ngo 1.22\n\nrequire (\n${requires.map((r) => `\t${r}\n`).join('')})\n`;
    assert.equal(goModuleDatabase(mod('github.com/mattn/go-sqlite3 v1.14.22')), 'embedded');
    assert.equal(goModuleDatabase('module m\n\nrequire modernc.org/sqlite v1.29.0\n'), 'embedded');
    assert.equal(goModuleDatabase(mod('gorm.io/gorm v1.25.0', 'gorm.io/driver/sqlite v1.5.0')), 'embedded');
    // A dependency's own store client (`// indirect`) is not the module's database.
    assert.equal(
      goModuleDatabase(
        mod('github.com/mattn/go-sqlite3 v1.14.22', 'cloud.google.com/go/firestore v1.18.0 // indirect'),
      ),
      'embedded',
    );
    // Near-misses: a networked driver beside SQLite, an ORM's networked driver, a cache client, no SQL at all.
    assert.equal(
      goModuleDatabase(mod('github.com/mattn/go-sqlite3 v1.14.22', 'github.com/jackc/pgx/v5 v5.5.0')),
      undefined,
    );
    assert.equal(goModuleDatabase(mod('github.com/glebarez/sqlite v1.11.0', 'gorm.io/driver/mysql v1.5.0')), undefined);
    assert.equal(goModuleDatabase(mod('modernc.org/sqlite v1.29.0', 'github.com/redis/go-redis/v9 v9.5.0')), undefined);
    assert.equal(goModuleDatabase(mod('github.com/go-chi/chi/v5 v5.0.12')), undefined);
    // A store client the list does not name is still a networked store: the loops stay checked.
    assert.equal(
      goModuleDatabase(
        mod('github.com/mattn/go-sqlite3 v1.14.22', 'github.com/apache/cassandra-gocql-driver/v2 v2.0.0'),
      ),
      undefined,
    );
    assert.equal(
      goModuleDatabase(mod('modernc.org/sqlite v1.29.0', 'github.com/trinodb/trino-go-client v0.315.0')),
      undefined,
    );
    // Query builders and ORM cores beside SQLite run on it.
    assert.equal(
      goModuleDatabase(
        mod(
          'github.com/mattn/go-sqlite3 v1.14.22',
          'github.com/jmoiron/sqlx v1.3.5',
          'github.com/pocketbase/dbx v1.10.1',
        ),
      ),
      'embedded',
    );
  });

  it('gives a Go file the fact of its nearest go.mod, read once per folder', () => {
    const files: Record<string, string> = {
      'go.mod': 'module example.com/inbox\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n',
      'tools/report/go.mod': 'module example.com/report\n\nrequire github.com/lib/pq v1.10.9\n',
    };
    const reads: string[] = [];
    const facts = new ProjectFacts(
      '/repo',
      () => [],
      (file) => {
        reads.push(file);
        return files[file.slice('/repo/'.length)];
      },
    );
    assert.deepEqual(facts.of('internal/store/messages.go'), { goDatabase: 'embedded' });
    assert.deepEqual(facts.of('internal/store/owners.go'), { goDatabase: 'embedded' });
    assert.deepEqual(facts.of('main.go'), { goDatabase: 'embedded' });
    assert.equal(facts.of('tools/report/main.go'), undefined, 'a nested module has its own requirements');
    assert.equal(reads.filter((file) => file.endsWith('/internal/store/go.mod')).length, 1);
  });

  it("gives a Go file the querying functions of its package that it calls, declared in the package's other files", () => {
    const root = join(__dirname, '../../fixtures/offline/real-shapes/go/package_calls');
    const facts = new ProjectFacts(root).of('boards.go');
    // Not: a batch statement, a file stored per call, no query, a test file's helper, another package's function.
    // moveCard is known, but two statements are too few to follow across files (the rule decides).
    assert.deepEqual(facts?.goPackageQueries, {
      purgeCard: {
        file: 'tasks.go',
        queries: ['s.….Find', 's.….Delete', 's.….Delete'],
        writesOnly: false,
        statements: 4,
      },
      archiveCard: {
        file: 'tasks.go',
        queries: ['purgeCard', 's.….Find', 's.….Delete'],
        writesOnly: false,
        statements: 4,
      },
      moveCard: { file: 'tasks.go', queries: ['s.….Update', 's.….Delete'], writesOnly: true, statements: 2 },
    });
    // The file that declares them calls none of the package's others; a test file gets nothing.
    assert.equal(new ProjectFacts(root).of('tasks.go'), undefined);
    assert.equal(new ProjectFacts(root).of('tasks_test.go'), undefined);
  });

  it("reaches Go's query-in-loop: a loop calling a querying function of a sibling file is reported, naming that file", async () => {
    const root = join(__dirname, '../../fixtures/offline/real-shapes/go/package_calls');
    const text = readFileSync(join(root, 'boards.go'), 'utf8');
    const scope = projectScope({}, root);
    const check = async (withFacts: boolean) =>
      await runOfflineChecks(
        { path: 'boards.go', text, ...(withFacts ? { facts: scope.facts('boards.go') } : {}) },
        { mode: 'backendpe' },
      );
    const found = await check(true);
    const expected = expectedFindings(text).map((e) => `${e.line} ${e.ruleId}`);
    assert.equal(expected.length, 2);
    assert.deepEqual(
      found.map((f) => `${f.startLine} ${f.ruleId}`),
      expected,
    );
    assert.match(
      found[0].message,
      /`purgeCard` runs once per loop iteration and queries the database each time \(`s\.….Find`, `s\.….Delete`, in tasks\.go\)/,
    );
    assert.equal(found[0].related, undefined);
    // Without the package's facts (the file alone) the helpers are unknown.
    assert.deepEqual(await check(false), []);
  });

  it("gives a Go file the fixed names of its package's other files and of the module's packages it imports", async () => {
    const root = join(__dirname, '../../fixtures/offline/real-shapes/go/fixed_text_module');
    const facts = new ProjectFacts(root).of('jobs/prune.go');
    // Not `store.Quoted` (it writes its text parameter) nor the generator's package main beside the library.
    assert.deepEqual(facts?.goFixedText, ['pruned', 'store.DaysAgo()', 'store.HitsTable']);
    const text = readFileSync(join(root, 'jobs/prune.go'), 'utf8');
    const found = async (withFacts: boolean) =>
      (
        await runOfflineChecks({ path: 'jobs/prune.go', text, ...(withFacts ? { facts } : {}) }, { mode: 'backendpe' })
      ).map((f) => `${f.startLine} ${f.ruleId}`);
    assert.deepEqual(
      await found(true),
      expectedFindings(text).map((e) => `${e.line} ${e.ruleId}`),
    );
    // The file alone cannot tell the window helper and the list from input.
    assert.deepEqual(await found(false), ['15 sql-injection', '22 sql-injection', '31 sql-injection']);
  });

  it("answers from the file being checked and, after forget, from its folder's files as they are now", () => {
    const helpers = (body: string) =>
      `package shop\n\nimport "database/sql"\n\nfunc loadCart(db *sql.DB, id int64) error {\n${body}\n\treturn nil\n}\n`;
    const files: Record<string, string> = {
      'shop/carts.go': helpers(
        '\t_, err := db.Exec("UPDATE carts SET seen = 1 WHERE id = ?", id)\n\t_ = err\n\t_, err = db.Exec("DELETE FROM holds WHERE cart = ?", id)\n\t_ = err\n\t_ = db.QueryRow("SELECT total FROM carts WHERE id = ?", id).Scan(&id)',
      ),
      'shop/orders.go': 'package shop\n\nfunc noop() {}\n',
    };
    const reads: string[] = [];
    const facts = new ProjectFacts(
      '/repo',
      (dir) => (dir === '/repo/shop' ? Object.keys(files).map((file) => file.slice('shop/'.length)) : []),
      (file) => {
        reads.push(file);
        return files[file.slice('/repo/'.length)];
      },
    );
    // On disk orders.go calls nothing of the package; the buffer being checked calls loadCart.
    assert.equal(facts.of('shop/orders.go'), undefined);
    const buffer =
      'package shop\n\nimport "database/sql"\n\nfunc all(db *sql.DB, ids []int64) {\n\tfor _, id := range ids {\n\t\t_ = loadCart(db, id)\n\t}\n}\n';
    assert.deepEqual(Object.keys(facts.of('shop/orders.go', buffer)?.goPackageQueries ?? {}), ['loadCart']);
    // loadCart stops querying on disk: the folder's answer is kept until the change is reported.
    files['shop/carts.go'] = helpers('\t_ = id');
    assert.deepEqual(Object.keys(facts.of('shop/orders.go', buffer)?.goPackageQueries ?? {}), ['loadCart']);
    const readsBefore = reads.length;
    facts.forget('shop/carts.go');
    assert.equal(facts.of('shop/orders.go', buffer)?.goPackageQueries, undefined);
    assert.ok(reads.length > readsBefore, 'the folder is read again after forget');
    // Forgetting another folder keeps this one's answer without reading it again.
    const readsAfter = reads.length;
    facts.forget('billing/invoices.go');
    assert.equal(facts.of('shop/orders.go', buffer)?.goPackageQueries, undefined);
    assert.equal(reads.length, readsAfter);
  });

  it('with a folder stamp, reads a folder again when its stamp changed, with no forget', () => {
    const files: Record<string, string> = { 'src/rates/rates.service.ts': service };
    const stamps: Record<string, number> = { '/repo/src/rates': 1 };
    const { facts, listed } = inMemoryFacts(files, (dir) => String(stamps[dir]));
    assert.equal(facts.of('src/rates/rates.service.ts'), undefined);
    files['src/rates/rates.module.ts'] = bare;
    // The stamp has not moved: the folder's answer is kept, and it is not listed again.
    const listedBefore = listed();
    assert.equal(facts.of('src/rates/rates.service.ts'), undefined);
    assert.equal(listed(), listedBefore);
    stamps['/repo/src/rates'] = 2;
    assert.deepEqual(facts.of('src/rates/rates.service.ts'), { nestHttpModule: 'default' });
  });

  it('a folder stamp moves when a file the facts read is written, and not for a file only counted by name', () => {
    const root = mkdtempSync(join(tmpdir(), 'facts-stamp-'));
    try {
      writeFileSync(join(root, 'orders.go'), 'package shop\n');
      writeFileSync(join(root, 'diagram.png'), 'not an image');
      const goOnly = (name: string): boolean => name.endsWith('.go');
      const first = folderStamp(root, goOnly);
      // A write to a file that is only counted by name leaves the stamp as it was.
      writeFileSync(join(root, 'diagram.png'), 'a longer text than before');
      utimesSync(join(root, 'diagram.png'), new Date(2001, 1, 1), new Date(2001, 1, 1));
      assert.equal(folderStamp(root, goOnly), first);
      // A write to a file whose text is read moves it, and so does a new entry of any kind.
      writeFileSync(join(root, 'orders.go'), 'package shop\n\nfunc Total() int { return 0 }\n');
      const second = folderStamp(root, goOnly);
      assert.notEqual(second, first);
      writeFileSync(join(root, 'notes.txt'), '');
      assert.notEqual(folderStamp(root, goOnly), second);
      // Without a filter every entry's time and size count.
      const all = folderStamp(root);
      writeFileSync(join(root, 'notes.txt'), 'x');
      assert.notEqual(folderStamp(root), all);
      assert.equal(folderStamp(join(root, 'absent')), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("a scope forgets a folder's facts when a file there changes (the editor's long-lived scope)", () => {
    const root = mkdtempSync(join(tmpdir(), 'facts-forget-'));
    try {
      mkdirSync(join(root, 'src/rates'), { recursive: true });
      writeFileSync(join(root, 'src/rates/rates.service.ts'), service);
      const scope = projectScope({}, root);
      assert.equal(scope.facts('src/rates/rates.service.ts', service), undefined);
      writeFileSync(join(root, 'src/rates/rates.module.ts'), bare);
      assert.equal(scope.facts('src/rates/rates.service.ts', service), undefined, 'kept until told');
      scope.forget('src/rates/rates.module.ts');
      assert.deepEqual(scope.facts('src/rates/rates.service.ts', service), { nestHttpModule: 'default' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a neighbour file that is there and cannot be read is named, not silently taken as absent', () => {
    const root = mkdtempSync(join(tmpdir(), 'facts-unreadable-'));
    try {
      mkdirSync(join(root, 'src/rates'), { recursive: true });
      writeFileSync(join(root, 'src/rates/rates.service.ts'), service);
      // A symlink loop: the file is listed in its folder, and reading it fails with ELOOP.
      symlinkSync('loop-b', join(root, 'loop-a'));
      symlinkSync('loop-a', join(root, 'loop-b'));
      symlinkSync(join(root, 'loop-a'), join(root, 'package.json'));
      symlinkSync(join(root, 'loop-a'), join(root, 'src/rates/rates.module.ts'));
      // A module that is simply not there (a dangling link) is absent, not unreadable.
      symlinkSync(join(root, 'gone.ts'), join(root, 'src/rates/old.module.ts'));
      const scope = projectScope({}, root);
      assert.equal(scope.role('src/rates/rates.service.ts', service).role, 'production');
      assert.equal(scope.facts('src/rates/rates.service.ts'), undefined);
      const unreadable = [...scope.unreadable()].map(([file, reason]) => [file.slice(root.length + 1), reason]);
      assert.deepEqual(
        unreadable.map(([file]) => file),
        ['package.json', 'src/rates/rates.module.ts'],
      );
      for (const [, reason] of unreadable) assert.match(reason, /^symlink loop: .*decided without it$/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
