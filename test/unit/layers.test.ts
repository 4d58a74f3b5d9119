import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

// The engine must run in plain Node: a file under src/core that imports `vscode` (or reaches into
// the extension/CLI layers) breaks the CLI and these tests. The same holds for the editor's pure
// half, src/vscode/common. ESLint enforces both too; this test keeps them enforced where lint is skipped.
function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const importPattern = /(?:import\s[^'"]*?from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;

describe('layers', () => {
  const coreDir = path.join(__dirname, '..', '..', 'src', 'core');

  it('src/core never imports vscode, the extension layer or the CLI layer', () => {
    const files = tsFiles(coreDir);
    assert.ok(files.length > 0, 'expected TypeScript files under src/core');
    const offenders: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(importPattern)) {
        const spec = match[1];
        const resolved = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec;
        const escapesCore = spec.startsWith('.') && !resolved.startsWith(coreDir);
        if (spec === 'vscode' || escapesCore) offenders.push(`${path.relative(coreDir, file)} imports ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('src/vscode/common never imports vscode, the rest of src/vscode or the CLI layer', () => {
    const commonDir = path.join(__dirname, '..', '..', 'src', 'vscode', 'common');
    const files = tsFiles(commonDir);
    assert.ok(files.length > 0, 'expected TypeScript files under src/vscode/common');
    const offenders: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(importPattern)) {
        const spec = match[1];
        const resolved = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec;
        const allowed = !spec.startsWith('.') || resolved.startsWith(commonDir) || resolved.startsWith(coreDir);
        if (spec === 'vscode' || !allowed) offenders.push(`${path.relative(commonDir, file)} imports ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('the import scanner catches a vscode import (so the check above can fail)', () => {
    const sample = 'import * as vscode from \'vscode\';\nconst x = require("vscode");';
    const specs = [...sample.matchAll(importPattern)].map((m) => m[1]);
    assert.deepEqual(specs, ['vscode', 'vscode']);
  });
});
