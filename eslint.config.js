// Lint rules that carry the house's invariants: core/ and drivers/ never import electron or the
// renderer (they run in plain Node under both shells), and the renderer never imports Node.
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

const noElectronOrRenderer = {
  patterns: [
    { group: ['electron', 'electron/*'], message: 'core/ and drivers/ run without Electron: use a platform seam (core/platform.ts).' },
    { group: ['**/renderer/**', '../renderer/*', '../../renderer/*'], message: 'core/ and drivers/ never import the UI.' },
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'bench/out/**', 'resources/**'] },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-indent': 'off',
      'vue/attributes-order': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='parseFloat']", message: 'Money is integer fen: parse amounts with core/money.' },
      ],
    },
  },
  {
    files: ['core/**/*.ts', 'drivers/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', noElectronOrRenderer] },
  },
  {
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.vue'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'sqlite3', 'usb', 'electron'], message: 'The renderer runs sandboxed: reach the back end through api/client.ts.' },
            // core/money.ts: the one parser of typed amounts; core/china-time.ts: the one China-time
            // formatter and day parser. Both pure (no Node), shared with the screens.
            { regex: '/core/(?!api/|demo/seed$|money$|china-time$)', allowTypeImports: true, message: 'The renderer may import core/api (the contract), core/money (the amount parser) and core/china-time (dates and times) only; other core code runs in the back end.' },
          ],
        },
      ],
    },
  },
);
