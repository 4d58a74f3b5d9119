import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_CONFIG_FILE } from '../../../src/core/config/projectConfig';

const ROOT = path.resolve(__dirname, '../../..');

describe('.backend-review.json in the manifest', () => {
  it('contributes the shipped JSON Schema for the project configuration file', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const entries = manifest.contributes.jsonValidation as Array<{ fileMatch: string; url: string }>;
    const entry = entries.find((candidate) => candidate.fileMatch === PROJECT_CONFIG_FILE);
    assert.ok(entry, 'no jsonValidation entry for .backend-review.json');
    assert.ok(existsSync(path.join(ROOT, entry.url)), `${entry.url} does not exist`);
    // The VSIX ships only what .vscodeignore lets through: the schema must be among it.
    const ignore = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes(`!${path.posix.dirname(entry.url.replace(/^\.\//, ''))}/**`), 'schemas/ is not shipped');
  });
});
