import { defineConfig } from 'vitest/config';

/** Several pages and reloads in real Chromium, driven by Playwright from Node. */
export default defineConfig({
  test: {
    name: 'adapter-web-pages',
    include: ['test/**/*.pages.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
