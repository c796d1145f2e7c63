// One lint configuration for the whole monorepo: typescript-eslint with type information,
// formatting left to Prettier (eslint-config-prettier switches off the rules that overlap).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Type-only imports stay a matter of taste: Nest's DI reads constructor types from decorator
      // metadata, so an import rewritten to `import type` would break injection silently.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      // The edge screens control characters on purpose (NUL cannot be stored in PostgreSQL text).
      'no-control-regex': 'off',
    },
  },
  {
    // A TenantScope is issued by the auth layer for requests, and derived from a database row by
    // the stores that hand one to work without a principal (docs/architecture.md#tenant-scope).
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'scripts/**/*.ts', 'migrations/**/*.ts'],
    ignores: [
      'libs/auth/src/guards/tenant-selection.ts',
      'libs/auth/src/api-keys/api-keys.store.ts',
      'libs/auth/src/console-sessions/console-sessions.store.ts',
      'libs/tenants/src/tenants.store.ts',
      'libs/links/src/store/login-links.store.ts',
      '**/*.spec.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@app/common',
              importNames: ['issueTenantScope', 'ALL_TENANTS'],
              message: 'Only the auth layer and the stores listed in eslint.config.mjs issue tenant scopes.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and benchmarks poke at untyped JSON answers on purpose.
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-console': 'off',
    },
  },
  prettier,
);
