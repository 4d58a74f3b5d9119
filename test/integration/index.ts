// Entry point VS Code loads as `extensionTestsPath`: runs one suite's mocha files inside the extension host.
// The harness (scripts/vscode-test/run-integration.mjs) chooses the suite through BACKEND_REVIEW_IT_SUITE.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

const SUITES = ['main', 'restart', 'restricted'];

export async function run(): Promise<void> {
  const suite = process.env.BACKEND_REVIEW_IT_SUITE ?? '';
  if (!SUITES.includes(suite)) {
    throw new Error(`BACKEND_REVIEW_IT_SUITE must be one of ${SUITES.join(', ')} (got "${suite}")`);
  }
  const dir = path.join(__dirname, suite);
  const files = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.test.js'))
    .sort();
  if (files.length === 0) throw new Error(`no *.test.js files in ${dir}`);
  const grep = process.env.BACKEND_REVIEW_IT_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', ...(grep ? { grep } : {}) });
  for (const file of files) mocha.addFile(path.join(dir, file));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed in suite ${suite}`);
}
