import * as assert from 'node:assert/strict';
import { OFFLINE_RULES, runOfflineChecks, type OfflineConfig } from '../../../../src/core/offline';
import { FILE_ROLES } from '../../../../src/core/roles';
import { IncrementalChecker } from '../../../../src/core/offline/incremental';
import { hits } from './helpers';

// A real-looking credential (not a test value), a request with no timeout and an unbounded fan-out.
const SERVICE_TS = [
  "const stripeKey = 'sk_live_4eC39HqLyjWDarjtT1zdp7dcQ7bXk2';", // 1
  'export async function syncAll(ids: string[]) {', // 2
  '  await Promise.all(ids.map((id) => fetch(`https://api.example.com/${id}`)));', // 3
  '}', // 4
].join('\n');
const SERVICE_PY = [
  'import requests', // 1
  "API_TOKEN = 'ghp_R7bXk2eC39HqLyjWDarjtT1zdp7dcQ7bXk2a'", // 2
  'def load(u):', // 3
  '    try:', // 4
  '        return requests.get(u)', // 5
  '    except Exception:', // 6
  '        pass', // 7
].join('\n');

// BackendPE: silent-catch, one of the production-risk rules these tests follow, reports only there.
const base: OfflineConfig = { mode: 'backendpe' };

describe('offline checks: file roles', () => {
  it('reports production-risk rules in production code and only credentials in tests, fixtures, generated and vendored code', async () => {
    assert.deepEqual(await hits('src/sync.ts', SERVICE_TS, base), [
      '1 hardcoded-secret',
      '3 unbounded-concurrency',
      '3 http-no-timeout',
    ]);
    assert.deepEqual(await hits('app/load.py', SERVICE_PY, base), [
      '2 hardcoded-secret',
      '5 http-no-timeout',
      '6 silent-catch',
    ]);
    for (const path of ['test/sync.test.ts', 'tests/fixtures/sync.ts', 'src/__generated__/sync.ts', 'vendor/sync.ts'])
      assert.deepEqual(await hits(path, SERVICE_TS, base), ['1 hardcoded-secret'], path);
    for (const path of ['tests/test_load.py', 'app/migrations_seed.py', 'api/load_pb2.py'])
      assert.deepEqual(await hits(path, SERVICE_PY, base), ['2 hardcoded-secret'], path);
  });

  it("leaves out of tests and fixtures the credentials a person chose for the test's users; keeps formats and generated-looking ones", async () => {
    const loginTest = [
      "const admin = { email: 'admin@shop.test', password: 'admin123' };", // 1
      "const captain = { email: 'jim@shop.test', password: 'ncc-1701' };", // 2
      "const fan = { email: 'fan@shop.test', password: 'ThereCanBeOnlyOne' };", // 3
      "const seeded = { email: 'ops@shop.test', password: 'Jq8vT2mXr4Lp9Zs6Wn3B' };", // 4
      "const stripeKey = 'sk_live_4eC39HqLyjWDarjtT1zdp7dcQ7bXk2';", // 5
      '',
    ].join('\n');
    for (const path of ['test/login.test.ts', 'tests/fixtures/users.ts'])
      assert.deepEqual(await hits(path, loginTest, base), ['4 hardcoded-secret', '5 hardcoded-secret'], path);
    const all = [1, 2, 3, 4, 5].map((line) => `${line} hardcoded-secret`);
    assert.deepEqual(await hits('src/users.ts', loginTest, base), all, 'production code: every one');
    assert.deepEqual(await hits('test/login.test.ts', loginTest, { ...base, includeTests: true }), all, 'includeTests');
  });

  it('keeps concurrency out of scripts, and timeouts, concurrency and swallowed errors out of browser code', async () => {
    assert.deepEqual(await hits('scripts/sync.ts', SERVICE_TS, base), ['1 hardcoded-secret', '3 http-no-timeout']);
    // A page's fan-out is bounded by what one user sees; its `catch {}` keeps a widget alive.
    const page = `${SERVICE_TS}\nexport async function warm() {\n  try {\n    await cache.prime();\n  } catch {}\n}\n`;
    assert.deepEqual(await hits('frontend/src/sync.ts', page, base), ['1 hardcoded-secret']);
    assert.deepEqual(await hits('src/sync.ts', page, base), [
      '1 hardcoded-secret',
      '3 unbounded-concurrency',
      '3 http-no-timeout',
      '8 silent-catch',
    ]);
    assert.deepEqual(await hits('migrations/0002_sync.py', SERVICE_PY, base), [
      '2 hardcoded-secret',
      '5 http-no-timeout',
      '6 silent-catch',
    ]);
  });

  it("keeps injection rules out of migrations: their statements are the developers' own text", async () => {
    const migration = [
      "const { exec } = require('child_process');", // 1
      'export async function up(db, Sequelize) {', // 2
      '  for (const name of await db.showAllTables()) {', // 3
      '    await db.sequelize.query(`ALTER TABLE "${name}" DROP CONSTRAINT "${name}_owner_fk"`);', // 4
      "    exec('pg_dump --table ' + name);", // 5
      '  }', // 6
      '}', // 7
    ].join('\n');
    assert.deepEqual(await hits('db/migrations/20240102-drop-owner-fk.js', migration, base), []);
    assert.deepEqual(await hits('src/maintenance.js', migration, base), ['4 sql-injection', '5 command-injection']);
  });

  it('keeps N+1 out of migrations, told by the path or by an Alembic import: a data migration runs once', async () => {
    const revision = [
      'from alembic import op', // 1
      'from sqlalchemy.orm import Session', // 2
      'def upgrade():', // 3
      '    session = Session(bind=op.get_bind())', // 4
      '    for project in session.query(Project).all():', // 5
      '        project.owner = session.query(User).filter(User.id == project.owner_id).first()', // 6
    ].join('\n');
    assert.deepEqual(await hits('src/app/database/revisions/versions/2024_01_owner.py', revision, base), []);
    const service = revision.replace('from alembic import op', 'from app.db import op');
    assert.deepEqual(await hits('src/app/projects/service.py', service, base), ['6 query-in-loop']);
  });

  it('puts the role on every offline finding', async () => {
    const findings = await runOfflineChecks({ path: 'tests/test_load.py', text: SERVICE_PY }, base);
    assert.deepEqual(
      findings.map((f) => f.role),
      ['test'],
    );
    // A role the caller classified (with the project's patterns) is used as given.
    const given = await runOfflineChecks({ path: 'tests/test_load.py', text: SERVICE_PY, role: 'production' }, base);
    assert.deepEqual(
      given.map((f) => `${f.ruleId} ${f.role}`),
      ['hardcoded-secret production', 'http-no-timeout production', 'silent-catch production'],
    );
  });

  it('includeTests reports production rules in tests and fixtures, never in generated or vendored code', async () => {
    const config: OfflineConfig = { ...base, includeTests: true };
    assert.deepEqual(await hits('test/sync.test.ts', SERVICE_TS, config), [
      '1 hardcoded-secret',
      '3 unbounded-concurrency',
      '3 http-no-timeout',
    ]);
    assert.deepEqual(await hits('tests/fixtures/load.py', SERVICE_PY, config), [
      '2 hardcoded-secret',
      '5 http-no-timeout',
      '6 silent-catch',
    ]);
    assert.deepEqual(await hits('vendor/sync.ts', SERVICE_TS, config), ['1 hardcoded-secret']);
  });

  it('applies the layers: project rules, then per-role rules, then the CLI or settings', async () => {
    const findings = async (path: string, config: OfflineConfig) =>
      (await runOfflineChecks({ path, text: SERVICE_TS }, config)).map((f) => `${f.ruleId} ${f.severity}`);
    // Per-role "on" or a severity makes a rule report in a role its metadata leaves out.
    const roleOn: OfflineConfig = {
      ...base,
      roleRules: { test: { 'http-no-timeout': { severity: 'low' }, 'hardcoded-secret': { enabled: false } } },
    };
    assert.deepEqual(await findings('test/sync.test.ts', roleOn), ['http-no-timeout low']);
    assert.deepEqual(await findings('src/sync.ts', roleOn), [
      'hardcoded-secret high',
      'unbounded-concurrency low',
      'http-no-timeout medium',
    ]);
    // Off in the project, back on for one role: the more specific layer wins.
    const offButTests: OfflineConfig = {
      ...base,
      projectRules: { 'hardcoded-secret': { enabled: false } },
      roleRules: { test: { 'hardcoded-secret': { enabled: true } } },
    };
    assert.deepEqual(await findings('src/sync.ts', offButTests), [
      'unbounded-concurrency low',
      'http-no-timeout medium',
    ]);
    assert.deepEqual(await findings('test/sync.test.ts', offButTests), ['hardcoded-secret high']);
    // The CLI's --rule (or the editor's setting) has the last word.
    const cliOff: OfflineConfig = { ...offButTests, rules: { 'hardcoded-secret': { enabled: false } } };
    assert.deepEqual(await findings('test/sync.test.ts', cliOff), []);
    const cliSeverity: OfflineConfig = {
      ...base,
      projectRules: { 'http-no-timeout': { severity: 'low' } },
      rules: { 'http-no-timeout': { enabled: true, severity: 'critical' } },
    };
    assert.deepEqual(await findings('src/sync.ts', cliSeverity), [
      'hardcoded-secret high',
      'unbounded-concurrency low',
      'http-no-timeout critical',
    ]);
    // A global "on" does not widen a rule's roles.
    assert.deepEqual(
      await findings('test/sync.test.ts', { ...base, rules: { 'http-no-timeout': { enabled: true } } }),
      ['hardcoded-secret high'],
    );
  });

  it('every rule declares known roles; credentials report everywhere; production-risk rules never in tests by default', () => {
    const productionRisk = [
      'http-no-timeout',
      'query-in-loop',
      'unbounded-concurrency',
      'blocking-call-in-async',
      'silent-catch',
      'weak-random-secret',
    ];
    for (const rule of OFFLINE_RULES) {
      assert.ok(rule.roles.length > 0, rule.id);
      for (const role of rule.roles) assert.ok(FILE_ROLES.includes(role), `${rule.id}: ${role}`);
      if (productionRisk.includes(rule.id))
        for (const role of ['test', 'fixture', 'generated', 'vendored'] as const)
          assert.ok(!rule.roles.includes(role), `${rule.id} reports in ${role}`);
    }
    assert.deepEqual(OFFLINE_RULES.find((rule) => rule.id === 'hardcoded-secret')?.roles, FILE_ROLES);
    for (const id of ['unbounded-concurrency', 'blocking-call-in-async'])
      for (const role of ['script', 'migration'] as const)
        assert.ok(!OFFLINE_RULES.find((rule) => rule.id === id)?.roles.includes(role), `${id} in ${role}`);
    assert.ok(!OFFLINE_RULES.find((rule) => rule.id === 'http-no-timeout')?.roles.includes('browser'));
  });

  it('an incremental re-check does not reuse findings made under another role or project layer', async () => {
    const checker = new IncrementalChecker();
    const unit = { path: 'src/sync.ts', text: SERVICE_TS };
    const rules = async (role: 'production' | 'test', config: OfflineConfig) =>
      (await checker.check({ ...unit, role }, config)).map((f) => f.ruleId);
    assert.deepEqual(await rules('production', base), ['hardcoded-secret', 'unbounded-concurrency', 'http-no-timeout']);
    assert.deepEqual(await rules('test', base), ['hardcoded-secret']);
    assert.equal(checker.lastCheck, 'whole');
    assert.deepEqual(await rules('test', { ...base, includeTests: true }), [
      'hardcoded-secret',
      'unbounded-concurrency',
      'http-no-timeout',
    ]);
    assert.deepEqual(await rules('test', { ...base, projectRules: { 'hardcoded-secret': { enabled: false } } }), []);
  });
});
