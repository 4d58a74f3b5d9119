// Layers: src/core is the engine and must run in plain Node, so it may not import `vscode`
// (nor reach into the extension or CLI layers). src/vscode/common is the editor's pure half: no
// `vscode` import (not even a type), nothing from the rest of src/vscode or from the CLI, so it tests
// in plain Node too. The rules below fail lint on any such import (test/unit/layers.test.ts as well).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/fixtures/**', '.vscode-test/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core is pure TypeScript: no vscode import (see DEVELOPERS.md).' }],
          patterns: [
            {
              group: ['**/vscode/**', '**/cli/**'],
              message: 'src/core may not depend on the extension or CLI layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/vscode/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message: 'src/vscode/common is pure TypeScript: no vscode import; put this in src/vscode instead.',
            },
          ],
          patterns: [
            {
              // `../x` is src/vscode/x (the VS Code half); `../../core/x` and `./x` are allowed.
              regex: '^\\.\\./(?!\\.\\./core/)',
              message: 'src/vscode/common may import only src/core and other files of src/vscode/common.',
            },
            { group: ['**/cli/**'], message: 'src/vscode/common may not depend on the CLI layer.' },
          ],
        },
      ],
    },
  },
);
