// File roles and the project configuration file in the editor (issue 12): a test file gets no
// production-risk offline findings (a credential still is one, and says it is in test code), and a
// `.backend-review.json` turning a rule off is honoured in the Problems panel, and again when removed;
// what a Go file is told about its package's other files follows those files as they change on disk.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  describeDiagnostics,
  diagnosticCode,
  openWorkspaceFile,
  reviewerDiagnostics,
  waitFor,
  workspaceUri,
} from '../helpers';

const OFFLINE_SOURCE = 'Backend Reviewer · offline';
// Assembled at run time so the repository holds no credential-shaped literal.
const FAKE_GITHUB_TOKEN = 'ghp_' + 'R7bXk2eC39HqLyjWDarjtT1zdp7dcQ7bXk2a';
const SERVICE_PY = [
  'import requests',
  `API_TOKEN = '${FAKE_GITHUB_TOKEN}'`,
  'def load(u):',
  '    return requests.get(u)',
  '',
].join('\n');

function offlineCodes(uri: vscode.Uri): string[] {
  return reviewerDiagnostics(uri)
    .filter((d) => d.source === OFFLINE_SOURCE)
    .map((d) => diagnosticCode(d) ?? '')
    .sort();
}

function write(relativePath: string, text: string): vscode.Uri {
  const uri = workspaceUri(relativePath);
  fs.mkdirSync(path.dirname(uri.fsPath), { recursive: true });
  fs.writeFileSync(uri.fsPath, text);
  return uri;
}

describe('file roles and .backend-review.json in the editor', () => {
  const created: string[] = [];
  after(() => {
    for (const file of created.reverse()) fs.rmSync(workspaceUri(file).fsPath, { recursive: true, force: true });
  });

  it('reports only the credential in a test file, saying it is test code', async () => {
    created.push('tests');
    write('tests/test_load.py', SERVICE_PY);
    write('app/load.py', SERVICE_PY);
    created.push('app');
    const production = await openWorkspaceFile('app/load.py');
    await waitFor('offline findings in production code', () =>
      offlineCodes(production.document.uri).length === 2 ? true : undefined,
    );
    assert.deepEqual(offlineCodes(production.document.uri), ['hardcoded-secret', 'http-no-timeout']);
    const test = await openWorkspaceFile('tests/test_load.py');
    const diagnostics = await waitFor('the credential in the test file', () => {
      const found = reviewerDiagnostics(test.document.uri).filter((d) => d.source === OFFLINE_SOURCE);
      return found.length > 0 ? found : undefined;
    });
    // Give a late production-risk finding the time to show up, then check it did not.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(offlineCodes(test.document.uri), ['hardcoded-secret'], describeDiagnostics(diagnostics));
    assert.match(diagnostics[0].message, /^Credential written in the source \(in test code\): /);
  });

  it('honours a rule turned off in .backend-review.json, and brings it back when the file goes', async () => {
    const target = write('app/fetcher.ts', 'export async function load(url: string) {\n  return fetch(url);\n}\n');
    const { document } = await openWorkspaceFile('app/fetcher.ts');
    await waitFor('the http-no-timeout finding', () =>
      offlineCodes(document.uri).includes('http-no-timeout') ? true : undefined,
    );
    created.push('.backend-review.json');
    write('.backend-review.json', JSON.stringify({ rules: { 'http-no-timeout': 'off' } }));
    await waitFor(
      'the finding to go once the project file turns the rule off',
      () => (offlineCodes(document.uri).length === 0 ? true : undefined),
      30_000,
    );
    assert.deepEqual(offlineCodes(target), []);
    fs.rmSync(workspaceUri('.backend-review.json').fsPath);
    await waitFor(
      'the finding to come back once the project file is gone',
      () => (offlineCodes(document.uri).includes('http-no-timeout') ? true : undefined),
      30_000,
    );
  });

  it("follows a Go package's sibling file as it changes on disk: the open file's next check reads it again", async () => {
    const querying = [
      'package shop',
      '',
      'import "xorm.io/xorm"',
      '',
      'type Cart struct{ ID int64 }',
      '',
      'type Hold struct{ ID, CartID int64 }',
      '',
      '// Releases a cart: several statements per cart.',
      'func releaseCart(s *xorm.Session, id int64) error {',
      '\tholds := []*Hold{}',
      '\tif err := s.Where("cart_id = ?", id).Find(&holds); err != nil {',
      '\t\treturn err',
      '\t}',
      '\tif _, err := s.Where("cart_id = ?", id).Delete(&Hold{}); err != nil {',
      '\t\treturn err',
      '\t}',
      '\t_, err := s.ID(id).Delete(&Cart{})',
      '\treturn err',
      '}',
      '',
    ].join('\n');
    const quiet = querying.replace(
      /func releaseCart[\s\S]*$/,
      'func releaseCart(s *xorm.Session, id int64) error {\n\treturn nil\n}\n',
    );
    created.push('shop');
    write('shop/carts.go', querying);
    write(
      'shop/orders.go',
      [
        'package shop',
        '',
        'import "xorm.io/xorm"',
        '',
        '// Every cart of the shop is released, one at a time.',
        'func releaseAll(s *xorm.Session) error {',
        '\tcarts := []*Cart{}',
        '\tif err := s.Find(&carts); err != nil {',
        '\t\treturn err',
        '\t}',
        '\tfor _, c := range carts {',
        '\t\tif err := releaseCart(s, c.ID); err != nil {',
        '\t\t\treturn err',
        '\t\t}',
        '\t}',
        '\treturn nil',
        '}',
        '',
      ].join('\n'),
    );
    const { document } = await openWorkspaceFile('shop/orders.go');
    await waitFor('the loop calling a querying function of carts.go', () =>
      offlineCodes(document.uri).includes('query-in-loop') ? true : undefined,
    );
    assert.match(
      reviewerDiagnostics(document.uri).find((d) => diagnosticCode(d) === 'query-in-loop')?.message ?? '',
      /`releaseCart`.*in carts\.go/,
    );
    // The helper stops querying on disk. The open file's next check (here a save of orders.go; the file
    // watcher's re-check of the folder may come first) must answer from carts.go as it is now, whether
    // or not a watcher event reached the extension.
    const touchAndSave = async (): Promise<void> => {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(document.uri, new vscode.Position(document.lineCount, 0), '\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(await document.save());
    };
    write('shop/carts.go', quiet);
    await touchAndSave();
    await waitFor(
      'the finding to go once carts.go no longer queries',
      () => (offlineCodes(document.uri).length === 0 ? true : undefined),
      30_000,
    );
    write('shop/carts.go', querying);
    await touchAndSave();
    await waitFor(
      'the finding to come back once carts.go queries again',
      () => (offlineCodes(document.uri).includes('query-in-loop') ? true : undefined),
      30_000,
    );
  });
});
