import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'adapter-node',
    include: ['test/**/*.test.ts'],
  },
});
