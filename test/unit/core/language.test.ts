import * as assert from 'node:assert/strict';
import { languageFromPath } from '../../../src/core/language';

describe('core/language', () => {
  it('maps common backend file extensions to languages', () => {
    const cases: [string, string][] = [
      ['src/a.ts', 'typescript'],
      ['web/App.TSX', 'typescript'],
      ['x.mjs', 'javascript'],
      ['app/main.py', 'python'],
      ['cmd/server/main.go', 'go'],
      ['Foo.java', 'java'],
      ['lib.rs', 'rust'],
      ['Program.cs', 'csharp'],
      ['a.kt', 'kotlin'],
      ['x.rb', 'ruby'],
      ['q.sql', 'sql'],
      ['deploy.sh', 'shell'],
      ['C:\\repo\\svc\\handler.go', 'go'],
    ];
    for (const [file, language] of cases) assert.equal(languageFromPath(file), language, file);
  });

  it('recognises files by name', () => {
    assert.equal(languageFromPath('services/api/Dockerfile'), 'dockerfile');
    assert.equal(languageFromPath('Dockerfile.prod'), 'dockerfile');
    assert.equal(languageFromPath('Makefile'), 'makefile');
  });

  it('returns undefined when it does not know', () => {
    assert.equal(languageFromPath('notes.unknownext'), undefined);
    assert.equal(languageFromPath('LICENSE'), undefined);
  });
});
