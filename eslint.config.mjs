// One lint configuration for the whole workspace: type-aware rules, Nx module boundaries,
// Prettier owns formatting. Runs with --max-warnings 0.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const TAG_RULES = [
  // Apps are deployables: they wire libs to topics and routes.
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:testing'],
  },
  // I/O libs may build on pure libs and on each other, never on apps or test helpers.
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:util', 'type:data-access'] },
  // Pure libs stay pure: they depend on nothing that performs I/O.
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:testing'],
  },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:shared', 'scope:ingest'] },
  { sourceTag: 'scope:classifier', onlyDependOnLibsWithTags: ['scope:shared', 'scope:classifier'] },
  { sourceTag: 'scope:tickets', onlyDependOnLibsWithTags: ['scope:shared', 'scope:tickets'] },
  { sourceTag: 'scope:patcher', onlyDependOnLibsWithTags: ['scope:shared', 'scope:patcher'] },
  { sourceTag: 'scope:admin', onlyDependOnLibsWithTags: ['scope:shared', 'scope:admin'] },
  {
    sourceTag: 'scope:cli',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:ingest', 'scope:cli'],
  },
  { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['*'] },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '**/tmp/**',
      '.nx/**',
      'tools/kafka/.dist/**',
      'test-artifacts/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: TAG_RULES,
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      // noUncheckedIndexedAccess makes every index possibly undefined; `!` after a check is fine.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      eqeqeq: ['error', 'smart'],
      // Reading the environment is the config loader's job (libs/config) and the entry points'.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through @hum/config.' },
      ],
    },
  },
  {
    // Specs of any lib may use the test harnesses (libs/testing depends on libs/common only,
    // so this adds no cycle); shipped code still may not.
    files: ['**/*.spec.ts', '**/src/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: TAG_RULES.map((rule) =>
            rule.sourceTag.startsWith('type:') &&
            !rule.onlyDependOnLibsWithTags.includes('type:testing')
              ? {
                  ...rule,
                  onlyDependOnLibsWithTags: [...rule.onlyDependOnLibsWithTags, 'type:testing'],
                }
              : rule,
          ),
        },
      ],
    },
  },
  {
    // An app's e2e suite plays the services around it (it publishes what an upstream service
    // would, reads what a downstream one would), so it may use any scope's libs; the type rules
    // still hold, and apps can never be imported.
    files: ['apps/*/e2e/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: TAG_RULES.map((rule) => {
            if (rule.sourceTag.startsWith('scope:'))
              return { ...rule, onlyDependOnLibsWithTags: ['*'] };
            if (rule.onlyDependOnLibsWithTags.includes('type:testing')) return rule;
            return {
              ...rule,
              onlyDependOnLibsWithTags: [...rule.onlyDependOnLibsWithTags, 'type:testing'],
            };
          }),
        },
      ],
    },
  },
  {
    // Test helpers and fakes must never ship inside a service.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@hum/testing', message: 'libs/testing is for specs and e2e suites only.' },
          ],
        },
      ],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      'libs/testing/**/*.ts',
      '**/src/testing/**/*.ts',
      'apps/*/src/main.ts',
      '**/e2e/**/*.ts',
      'bench/**/*.ts',
      'libs/config/**/*.ts',
    ],
    rules: {
      'no-restricted-properties': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-properties': 'off',
    },
  },
  prettier,
);
