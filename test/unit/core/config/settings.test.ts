import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  offlineRuleOverrides,
  readConfig,
  RESTRICTED_SETTINGS,
  SETTING_DEFAULTS,
  SETTING_KEYS,
  SETTINGS_SECTION,
} from '../../../../src/core/config/settings';
import { InMemorySettings } from '../../../support/inMemorySettings';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
// Settings come in sections (Model, OpenAI-Compatible Endpoint, …): one table of every property.
const sections: { properties: Record<string, Record<string, unknown>> }[] = manifest.contributes.configuration;
const properties: Record<string, Record<string, unknown>> = Object.assign(
  {},
  ...sections.map((section) => section.properties),
);

describe('core/config/settings', () => {
  it('gives the defaults when nothing is set', () => {
    const { config, problems } = readConfig(new InMemorySettings(), { trusted: true });
    assert.deepEqual(problems, []);
    assert.equal(config.provider, 'vscode-lm');
    assert.equal(config.mode, 'pragmatic');
    assert.equal(config.persona, undefined);
    assert.equal(config.reviewOnSave, false);
    assert.deepEqual(config.vscodeLm, { vendor: 'copilot', family: '' });
  });

  it('parses set values into the typed config', () => {
    const { config, problems } = readConfig(
      new InMemorySettings({
        provider: 'openai-compatible',
        'openai.baseUrl': 'http://127.0.0.1:9999/v1/',
        'openai.model': 'llama3',
        mode: 'backendpe',
        persona: '  data-integrity ',
        personaDirectories: ['~/personas', ' '],
        maxConcurrency: 4,
        'offlineChecks.rules': { 'explicit-any': 'off' },
      }),
      { trusted: true },
    );
    assert.deepEqual(problems, []);
    assert.equal(config.provider, 'openai-compatible');
    assert.equal(config.openai.baseUrl, 'http://127.0.0.1:9999/v1');
    assert.equal(config.openai.model, 'llama3');
    assert.equal(config.mode, 'backendpe');
    assert.equal(config.persona, 'data-integrity');
    assert.deepEqual(config.personaDirectories, ['~/personas']);
    assert.equal(config.maxConcurrency, 4);
    assert.deepEqual(config.offlineChecks.rules, { 'explicit-any': 'off' });
  });

  it('falls back to the default for a bad value, naming the setting, and keeps the rest', () => {
    const { config, problems } = readConfig(
      new InMemorySettings({
        maxConcurrency: 'many',
        mode: 'ultra',
        'openai.baseUrl': 'ftp://x',
        requestTimeoutMs: 5000,
      }),
      { trusted: true },
    );
    assert.equal(config.maxConcurrency, SETTING_DEFAULTS.maxConcurrency);
    assert.equal(config.mode, 'pragmatic');
    assert.equal(config.openai.baseUrl, SETTING_DEFAULTS['openai.baseUrl']);
    assert.equal(config.requestTimeoutMs, 5000);
    assert.deepEqual(problems.map((p) => p.setting).sort(), [
      'backendReviewer.maxConcurrency',
      'backendReviewer.mode',
      'backendReviewer.openai.baseUrl',
    ]);
    const concurrency = problems.find((p) => p.setting === 'backendReviewer.maxConcurrency');
    assert.match(concurrency!.message, /backendReviewer\.maxConcurrency: .*got "many".*using the default 2/);
    assert.match(
      problems.find((p) => p.setting === 'backendReviewer.openai.baseUrl')!.message,
      /expected an http\(s\) URL/,
    );
  });

  it('reads restricted settings from user scope only in an untrusted workspace', () => {
    const settings = new InMemorySettings(
      { 'openai.baseUrl': 'http://127.0.0.1:1234/v1' },
      {
        'openai.baseUrl': 'https://evil.example/v1',
        provider: 'openai-compatible',
        reviewOnSave: true,
        maxConcurrency: 3,
        // Would hide every finding about the workspace's own code.
        minimumSeverity: 'critical',
        'offlineChecks.rules': { 'hardcoded-secret': 'off' },
      },
    );
    const untrusted = readConfig(settings, { trusted: false });
    assert.equal(untrusted.config.openai.baseUrl, 'http://127.0.0.1:1234/v1');
    assert.equal(untrusted.config.provider, 'vscode-lm');
    assert.equal(untrusted.config.reviewOnSave, false);
    assert.equal(untrusted.config.minimumSeverity, 'low');
    assert.deepEqual(untrusted.config.offlineChecks.rules, {});
    assert.equal(untrusted.config.maxConcurrency, 3, 'unrestricted settings still come from the workspace');
    assert.deepEqual(untrusted.ignoredForTrust.sort(), [
      'backendReviewer.minimumSeverity',
      'backendReviewer.offlineChecks.rules',
      'backendReviewer.openai.baseUrl',
      'backendReviewer.provider',
      'backendReviewer.reviewOnSave',
    ]);
    const trusted = readConfig(settings, { trusted: true });
    assert.equal(trusted.config.openai.baseUrl, 'https://evil.example/v1');
    assert.deepEqual(trusted.ignoredForTrust, []);
  });

  it('maps offline rule levels to the offline checks overrides', () => {
    assert.deepEqual(offlineRuleOverrides({ a: 'off', b: 'high' }), {
      a: { enabled: false },
      b: { enabled: true, severity: 'high' },
    });
  });

  describe('package.json agrees with the schema', () => {
    it('contributes exactly the settings the schema reads, with the same defaults', () => {
      assert.deepEqual(Object.keys(properties).sort(), SETTING_KEYS.map((key) => `${SETTINGS_SECTION}.${key}`).sort());
      for (const key of SETTING_KEYS)
        assert.deepEqual(properties[`${SETTINGS_SECTION}.${key}`].default, SETTING_DEFAULTS[key], key);
    });

    it('describes every setting, and every enum value', () => {
      for (const [key, schema] of Object.entries(properties)) {
        assert.ok(typeof schema.description === 'string' && schema.description.length > 20, `${key} has a description`);
        const restricted = RESTRICTED_SETTINGS.includes(key.slice(SETTINGS_SECTION.length + 1) as never);
        if (restricted)
          assert.match(
            schema.description as string,
            /Restricted in untrusted workspaces/,
            `${key} says it is restricted`,
          );
        const enumHolder = (schema.enum ? schema : schema.additionalProperties) as
          { enum?: unknown[]; enumDescriptions?: unknown[] } | undefined;
        if (enumHolder?.enum)
          assert.equal(
            enumHolder.enumDescriptions?.length,
            enumHolder.enum.length,
            `${key} has one enumDescription per value`,
          );
      }
    });

    it('restricts exactly the restricted settings in untrusted workspaces', () => {
      const capability = manifest.capabilities.untrustedWorkspaces;
      assert.equal(capability.supported, 'limited');
      assert.deepEqual(
        [...capability.restrictedConfigurations].sort(),
        RESTRICTED_SETTINGS.map((key) => `${SETTINGS_SECTION}.${key}`).sort(),
      );
      for (const key of [
        'openai.baseUrl',
        'openai.model',
        'personaDirectories',
        'provider',
        'minimumSeverity',
        'offlineChecks.rules',
      ])
        assert.ok(RESTRICTED_SETTINGS.includes(key as never), key);
    });
  });
});
