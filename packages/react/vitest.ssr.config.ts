import { defineConfig } from 'vitest/config';

/** Server-side rendering with `react-dom/server` in Node, where there is no `window`. */
export default defineConfig({
  test: {
    name: 'react-ssr',
    include: ['test/**/*.ssr.test.tsx'],
    environment: 'node',
  },
});
