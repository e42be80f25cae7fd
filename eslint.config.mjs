// @ts-check
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * Import boundaries of the VS Code layer: each folder may import only the folders below it, so the
 * layer reads (and loads) in one direction. Lowest first:
 *   ids.ts, failure.ts           leaf data and the failure map (core only)
 *   settings/                    the dockerFirewall.* settings
 *   hosts/                       connections, reads, secrets, prompts for one host
 *   tree/, chainStatus/          the two views (chainStatus may reuse tree's item helpers)
 *   ui/                          dialogs, pickers and their texts
 *   services.ts, api.ts          the composition root and what activate() returns
 *   tasks/                       steps that commands share (run on a host with progress, allow a port)
 *   commands/                    one file per command, grouped by what it acts on
 * A folder names the folders above it, which it may not import.
 */
const above = {
  settings: ['hosts', 'tree', 'chainStatus', 'ui', 'services', 'api', 'tasks', 'commands'],
  hosts: ['tree', 'chainStatus', 'ui', 'services', 'api', 'tasks', 'commands'],
  tree: ['chainStatus', 'ui', 'services', 'api', 'tasks', 'commands'],
  chainStatus: ['ui', 'services', 'api', 'tasks', 'commands'],
  ui: ['chainStatus', 'services', 'api', 'tasks', 'commands'],
  tasks: ['commands'],
};
const boundary = (folder, forbidden) => ({
  files: [`src/vscode/${folder}/**/*.ts`],
  rules: {
    // ESLint's own rule, so that it adds to the vscode rule below (which uses typescript-eslint's) instead of replacing it.
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: forbidden.flatMap((name) => [`**/${name}`, `**/${name}/**`]),
            message: `src/vscode/${folder} sits below ${forbidden.join(', ')}: import from lower folders only (see eslint.config.mjs).`,
          },
        ],
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.lab/**', '.tools/**', '**/*.mjs', '**/*.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // No module of the product imports itself back through others (type-only imports load nothing).
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      // The rule parses each imported file itself: with TypeScript's parser, or it finds no imports in them.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts'],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The core is shared by the CLI and the extension: it may only import vscode for types.
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'src/core and src/cli never import vscode at run time.', allowTypeImports: true }] },
      ],
    },
  },
  {
    // Pure unless an adapter: the view models, texts and parsers of the VS Code layer run in plain
    // Node unit tests, so they import vscode for types only. Adapters (providers, dialogs, stores,
    // commands and the composition root) are the files that talk to VS Code itself.
    files: ['src/vscode/**/*.ts'],
    ignores: [
      'src/vscode/services.ts',
      'src/vscode/api.ts',
      'src/vscode/commands/**',
      'src/vscode/tasks/**',
      'src/vscode/**/*View.ts',
      'src/vscode/**/*Provider.ts',
      'src/vscode/**/*Store.ts',
      'src/vscode/**/*Cache.ts',
      'src/vscode/**/*Prompts.ts',
      'src/vscode/tree/{treeItem,viewRefresh}.ts',
      'src/vscode/ui/{confirm,notify,preview,progress,pickHost,pickGroup,pickPort,pickDuration,exposedPortNotices}.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'A pure module of src/vscode imports vscode for types only (adapters are listed in eslint.config.mjs).', allowTypeImports: true }] },
      ],
    },
  },
  ...Object.entries(above).map(([folder, forbidden]) => boundary(folder, forbidden)),
);
