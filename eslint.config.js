// Lint: typescript-eslint's recommended rules, with type information where it is cheap (the
// promise rules catch un-awaited writes, the costliest bug class in a server like this).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Installed, generated or built: never written by hand. infra/ itself is linted (its own
    // tsconfig gives the type information); its build output and CDK's are not.
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.data/**',
      'infra/build/**',
      'infra/cdk.out/**',
      'src/__generated__/**',
      'sdk/__generated__/**',
      'sdk/dist/**',
      'graphiql/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  // Tests and benchmarks read untyped JSON answers (GraphQL's; infra's tests, CloudFormation's): `any` there is the honest type.
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'infra/test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', process: 'readonly', console: 'readonly', setInterval: 'readonly' },
    },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
);
