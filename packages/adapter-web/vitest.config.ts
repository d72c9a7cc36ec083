import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'adapter-web',
    include: ['test/**/*.test.ts'],
  },
});
