import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '.cryptoviz/**',
      'test-results/**',
      'coverage/**',
      'dist/**',
      '**/.svelte-kit/**',
      '**/build/**',
    ],
  },
  js.configs.recommended,
  // Type-aware and strict: a floating or misused promise is a bug the type checker can see.
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly' },
      parserOptions: {
        // Config files outside every tsconfig's `include` get a default project of their own.
        projectService: {
          allowDefaultProject: [
            'eslint.config.js',
            'apps/web/svelte.config.js',
            'apps/web/vitest.config.ts',
            'apps/cli/bin/*.js',
          ],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Numbers, booleans and nullish values print plainly in messages; objects are still caught.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      // Off, each with its finding count when strictTypeChecked came in and why:
      // 1117: `!` marks an index known present, which noUncheckedIndexedAccess cannot see.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // 165: @kubernetes/client-node types its plain JSON bodies as classes; literals are right.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // 88: async functions that implement a Promise-returning interface need not await.
      '@typescript-eslint/require-await': 'off',
      // 86: `() => void f()`-style arrows and `return f()` of void calls read clearly here.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // 37: mostly `expect(mock.method)` in tests and methods that never use `this`.
      '@typescript-eslint/unbound-method': 'off',
      // 29: defensive checks on data whose declared type is narrower than what the wire sends;
      // each needs a judgement, not a mechanical fix (a follow-up).
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // 13: a catch callback's annotation names the error shape its API rejects with (execFile's
      // stderr, an fs code); `unknown` plus a cast says the same thing longer.
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
      // 4: Kubernetes client models are classes at the type level, plain objects at run time.
      '@typescript-eslint/no-misused-spread': 'off',
      // 3: handler types that take a sync or an async function (`void | Promise<unknown>`).
      '@typescript-eslint/no-invalid-void-type': 'off',
      // 3: deleting a key from a plain record (a store of states, a JSON schema being trimmed).
      '@typescript-eslint/no-dynamic-delete': 'off',
      // 4: `String(value)` of JSON-schema bounds and form values that are primitives in practice.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Tests poke at parsed JSON and fixtures without schemas on purpose (119 findings), and
    // their helpers hand back whatever type the caller names (4).
    files: ['**/test/**', 'apps/web/component-tests/**', 'charts/*/test/**'],
    rules: {
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
