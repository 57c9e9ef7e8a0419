import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.loyalty/**', 'dashboard/public/**', 'test-artifacts/**', 'helm/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      // kafkajs values come from engine/kafka.ts, which fixes its read_committed filter before it loads.
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'kafkajs', allowTypeImports: true, message: 'import kafkajs values from engine/kafka.ts (it installs the aborted-transaction filter first)' }],
      }],
    },
  },
  { files: ['engine/kafka.ts'], rules: { '@typescript-eslint/no-restricted-imports': 'off' } },
);
