import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import {
  parseProjectConfig,
  projectConfigJsonSchema,
  projectRelative,
  projectScope,
  readProjectConfig,
} from '../../../../src/core/config/projectConfig';
import { PROJECT_CONFIG_SCHEMA_FILE, projectConfigSchemaText } from '../../../../scripts/writeSchemas';

const FULL = {
  $schema: './node_modules/backend-principal-reviewer/schemas/backend-review.schema.json',
  include: ['src/**', 'scripts'],
  exclude: ['src/legacy/**', '*.gen.ts'],
  includeTests: false,
  rules: { 'explicit-any': 'off', 'query-in-loop': 'high', 'silent-catch': 'on' },
  roles: { test: { rules: { 'sql-injection': 'low', 'hardcoded-secret': 'off' } } },
  rolePatterns: { test: ['src/qa/**'], production: ['src/testing/**'] },
};

describe('project configuration file (.backend-review.json)', () => {
  it('reads every field and applies them: include, exclude, roles, rule layers', () => {
    const { config, errors } = parseProjectConfig(JSON.stringify(FULL), '.backend-review.json');
    assert.deepEqual(errors, []);
    const scope = projectScope(config, '/repo');
    assert.equal(scope.excludedBy('src/orders.ts'), undefined);
    assert.equal(scope.excludedBy('scripts/seed.ts'), undefined);
    assert.equal(scope.excludedBy('src/legacy/old.ts'), 'exclude "src/legacy/**"');
    assert.equal(scope.excludedBy('src/api/client.gen.ts'), 'exclude "*.gen.ts"');
    assert.equal(scope.excludedBy('docs/example.ts'), 'not matched by include ("src/**", "scripts")');
    assert.equal(scope.role('src/qa/orders.ts', '').role, 'test');
    assert.equal(scope.role('src/testing/clock.ts', '').role, 'production');
    assert.equal(scope.role('src/orders.spec.ts', '').role, 'test');
    assert.deepEqual(scope.offline, {
      projectRules: {
        'explicit-any': { enabled: false },
        'query-in-loop': { severity: 'high' },
        'silent-catch': { enabled: true },
      },
      roleRules: { test: { 'sql-injection': { severity: 'low' }, 'hardcoded-secret': { enabled: false } } },
      includeTests: false,
    });
  });

  it("gives the files of a library's release folder the vendored role (the CLI's and the editor's role)", () => {
    const scope = projectScope({}, '/repo');
    assert.equal(scope.role('public/plugins/editor-5.17.0/mode/shell/shell.js', 'export {};\n').role, 'vendored');
    assert.equal(scope.role('static/viewer-4.2.133/web/viewer.mjs', 'export {};\n').role, 'vendored');
    // Near-miss: a version with no library's name before it is a folder of the project's own.
    assert.equal(scope.role('src/api/v1.2.0/orders.ts', 'export {};\n').role, 'production');
  });

  it('an empty file changes nothing', () => {
    const { config, errors } = parseProjectConfig('{}', 'f');
    assert.deepEqual(errors, []);
    const scope = projectScope(config, '/repo');
    assert.equal(scope.excludedBy('anything/at/all.py'), undefined);
    assert.deepEqual(scope.offline, { projectRules: undefined, roleRules: undefined, includeTests: undefined });
  });

  it('names the file and the field of every error, and keeps the good fields', () => {
    const { config, errors } = parseProjectConfig(
      JSON.stringify({
        exlude: ['x'],
        exclude: ['legacy'],
        rules: { 'no-such-rule': 'off' },
        roles: { tests: {} },
        rolePatterns: { test: 'qa/**' },
        includeTests: 'yes',
        include: [''],
      }),
      'repo/.backend-review.json',
    );
    assert.deepEqual(config, { exclude: ['legacy'] });
    assert.equal(errors.length, 6);
    for (const error of errors) assert.match(error, /^repo\/\.backend-review\.json: /);
    assert.match(errors.join('\n'), /unknown field "exlude" \(known: include, exclude,/);
    assert.match(errors.join('\n'), /rules: unknown name "no-such-rule" \(known: http-no-timeout,/);
    assert.match(errors.join('\n'), /roles: unknown name "tests" \(known: production, test,/);
    assert.match(errors.join('\n'), /rolePatterns\.test: .*array/);
    assert.match(errors.join('\n'), /includeTests: .*boolean.*the field "includeTests" is not used/);
    assert.match(errors.join('\n'), /include\.0: expected a non-empty glob/);
  });

  it('reports JSON that does not parse with its line, and a top level that is not an object', () => {
    const broken = parseProjectConfig('{\n  "exclude": ["a"],\n}\n', '.backend-review.json');
    assert.deepEqual(broken.config, {});
    assert.equal(broken.errors.length, 1);
    assert.match(broken.errors[0], /^\.backend-review\.json: not valid JSON \(line 3, column 1\)/);
    assert.deepEqual(parseProjectConfig('["a"]', 'f').errors, ['f: expected a JSON object at the top level']);
    assert.deepEqual(parseProjectConfig('\uFEFF{"includeTests": true}', 'f').config, { includeTests: true });
  });

  it('reads the file from disk; a missing file is no error, an unreadable one is', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'project-config-'));
    assert.equal(await readProjectConfig(path.join(dir, '.backend-review.json')), undefined);
    writeFileSync(path.join(dir, '.backend-review.json'), '{"exclude": ["gen"]}');
    assert.deepEqual(await readProjectConfig(path.join(dir, '.backend-review.json'), 'shown.json'), {
      config: { exclude: ['gen'] },
      errors: [],
    });
    const unreadable = await readProjectConfig(dir, 'a-folder.json');
    assert.match(unreadable?.errors[0] ?? '', /^a-folder\.json: cannot be read \(EISDIR\)/);
  });

  it('gives project-relative paths only inside the root', () => {
    assert.equal(projectRelative('/repo', '/repo/src/a.ts'), 'src/a.ts');
    assert.equal(projectRelative('/repo', '/elsewhere/a.ts'), undefined);
    assert.equal(projectRelative('/repo', '/repo'), undefined);
  });

  it('ships a JSON Schema equal to the one generated from the zod schema (npm run schemas writes it)', () => {
    assert.equal(readFileSync(PROJECT_CONFIG_SCHEMA_FILE, 'utf8'), projectConfigSchemaText());
  });

  it('the JSON Schema accepts what the parser accepts and rejects what it rejects, with completions for names', () => {
    const schema = projectConfigJsonSchema();
    const validate = new Ajv({ strict: false }).compile(schema);
    assert.ok(validate(FULL), JSON.stringify(validate.errors));
    for (const bad of [
      { exlude: [] },
      { rules: { 'no-such-rule': 'off' } },
      { rules: { 'sql-injection': 'loud' } },
      { roles: { tests: {} } },
      { roles: { test: { rulez: {} } } },
      { includeTests: 'yes' },
    ]) {
      assert.equal(validate(bad), false, JSON.stringify(bad));
      assert.ok(parseProjectConfig(JSON.stringify(bad), 'f').errors.length > 0, JSON.stringify(bad));
    }
    const rules = (schema.properties as Record<string, { properties?: Record<string, { description?: string }> }>)
      .rules;
    assert.match(rules.properties?.['http-no-timeout']?.description ?? '', /Outbound HTTP request without a timeout/);
  });
});
