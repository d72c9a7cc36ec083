import { defineConfig } from 'tsdown';

/**
 * `pnpm build`: ESM and bundled `.d.ts` in `dist/`, what the packed package's `exports` point at,
 * and `dist/bin.js` (the `balena-auth-emulator` command) with a `#!/usr/bin/env node` line.
 */
export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node20',
  fixedExtension: false,
  dts: true,
  clean: true,
  hash: false, // the shared chunk is dist/emulator.js, the same name on every build
  // Rolldown's own chunk banner: tsdown 0.21's `banner` function is evaluated for the first chunk only.
  outputOptions: { banner: (chunk) => (chunk.fileName === 'bin.js' ? '#!/usr/bin/env node' : '') },
});
