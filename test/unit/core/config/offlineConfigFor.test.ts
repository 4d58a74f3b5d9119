import * as assert from 'node:assert/strict';
import { offlineConfigFor, readConfig } from '../../../../src/core/config/settings';
import { InMemorySettings } from '../../../support/inMemorySettings';

describe('offline configuration of a file in the editor', () => {
  const project = {
    offline: {
      projectRules: { 'sql-injection': { severity: 'low' as const } },
      roleRules: { test: { 'http-no-timeout': { enabled: true } } },
      includeTests: undefined,
    },
  };

  it('puts the project file under the offlineChecks.rules setting, which has the last word', () => {
    const { config } = readConfig(new InMemorySettings({ 'offlineChecks.rules': { 'sql-injection': 'off' } }), {
      trusted: true,
    });
    assert.deepEqual(offlineConfigFor('pragmatic', config, project), {
      mode: 'pragmatic',
      projectRules: { 'sql-injection': { severity: 'low' } },
      roleRules: { test: { 'http-no-timeout': { enabled: true } } },
      rules: { 'sql-injection': { enabled: false } },
      includeTests: false,
    });
  });

  it('includes tests when the setting or the project file says so', () => {
    const off = readConfig(new InMemorySettings(), { trusted: true }).config;
    const on = readConfig(new InMemorySettings({ 'offlineChecks.includeTests': true }), { trusted: true }).config;
    assert.equal(off.offlineChecks.includeTests, false);
    assert.equal(offlineConfigFor('backendpe', on, project).includeTests, true);
    assert.equal(
      offlineConfigFor('backendpe', off, { offline: { ...project.offline, includeTests: true } }).includeTests,
      true,
    );
    const bad = readConfig(new InMemorySettings({ 'offlineChecks.includeTests': 'yes' }), { trusted: true });
    assert.equal(bad.config.offlineChecks.includeTests, false);
    assert.match(bad.problems[0].message, /backendReviewer\.offlineChecks\.includeTests: .*using the default false/);
  });
});
