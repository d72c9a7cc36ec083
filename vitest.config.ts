import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'packages/adapter-web/vitest.pages.config.ts', 'tests', 'examples/web'],
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
