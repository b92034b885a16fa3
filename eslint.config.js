// Lint: type-aware rules (floating promises are errors), and the direction dependencies may point,
// written down as rules so a change cannot quietly break it (README, "How it is built").
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Each layer, and what it must not import. Paths are relative to the repository root. */
const LAYERS = [
  // Pure rules: nothing of ours but the domain itself.
  {
    target: './src/domain',
    from: './src',
    except: ['./domain'],
    message: 'the domain imports nothing of ours but the domain',
  },
  // Use cases: the domain and their own ports, never a backend or an adapter.
  {
    target: './src/service',
    from: [
      './src/store',
      './src/slack',
      './src/cli',
      './src/standIn',
      './src/playground',
      './src/bot.ts',
      './src/context.ts',
      './src/main.ts',
      './src/config.ts',
    ],
    message: 'services see the store through ports.ts only, and know nothing of Slack or the CLI',
  },
  {
    target: './src/store',
    from: ['./src/slack', './src/cli', './src/standIn', './src/playground', './src/bot.ts', './src/main.ts'],
    message: 'the store knows nothing of Slack or the CLI',
  },
  // The stand-in is "Slack": it must not know the bot it talks to.
  {
    target: './src/standIn',
    from: './src',
    except: ['./standIn'],
    message: 'the Slack stand-in imports nothing outside itself',
  },
  {
    target: './src/cli',
    from: ['./src/slack', './src/bot.ts', './src/standIn', './src/playground'],
    message: 'the CLI does not load the Slack adapter (or Bolt)',
  },
  {
    target: './src/slack',
    from: ['./src/cli', './src/standIn', './src/playground', './src/store', './src/main.ts'],
    message: 'the Slack adapter reaches the store through services, and knows nothing of the CLI or the stand-in',
  },
  {
    target: './src/context.ts',
    from: ['./src/slack', './src/cli', './src/standIn', './src/playground', './src/bot.ts'],
    message: 'the context is shared by the CLI: no Slack here',
  },
];

/** Packages a layer must not import, whatever the path. */
const forbidden = (message, ...group) => ['error', { patterns: [{ group, message }] }];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'docs/', 'test-results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      'import-x/no-restricted-paths': ['error', { zones: LAYERS }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': forbidden(
        'the domain is pure: no Slack, no SQL, no I/O',
        '@slack/*',
        'better-sqlite3',
        'node:*',
        'yaml',
      ),
    },
  },
  {
    files: ['src/service/**/*.ts'],
    rules: {
      'no-restricted-imports': forbidden(
        'services reach Slack and SQL only through ports',
        '@slack/*',
        'better-sqlite3',
      ),
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/context.ts', 'src/config.ts'],
    rules: { 'no-restricted-imports': forbidden('the CLI and what it loads must not load Bolt', '@slack/*') },
  },
  {
    // The ports are async so that a backend which needs to wait (PostgreSQL) can; SQLite answers at once.
    files: ['src/store/sqlite/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // vitest's asymmetric matchers (expect.stringContaining, ...) are typed `any` by design.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-argument': 'off' },
  },
  {
    // The playground page runs in the browser.
    files: ['src/playground/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Plain JavaScript outside any TypeScript project: the lint config and the bin shim.
    files: ['eslint.config.js', 'bin/**/*.mjs', 'scripts/**/*.mjs', 'bench/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
