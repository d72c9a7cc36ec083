import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'packages/adapter-web/vitest.pages.config.ts',
      'packages/react/vitest.ssr.config.ts',
      'packages/react/vitest.react18.config.ts',
      'tests',
      'examples/web',
    ],
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
