// Layers: src/core is the engine and must run in plain Node, so it may not import `vscode`
// (nor reach into the extension or CLI layers). The rule below fails lint on any such import.
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
);
