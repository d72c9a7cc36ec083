import { defineConfig } from 'vitest/config';

/** The web demo end to end: `pnpm start` in the background, driven in Chromium by Playwright. */
export default defineConfig({
  test: {
    name: 'web-demo',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
