import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'adapter-redis',
    include: ['test/**/*.test.ts'],
    // Each file starts its own redis-server, several spawn 8 Node processes, and some assert time
    // bounds (a lease, a command timeout): one file at a time keeps the CPU for them.
    fileParallelism: false,
  },
});
