import { defineConfig } from 'tsdown';

/** `pnpm build`: ESM and bundled `.d.ts` in `dist/`, what the packed package's `exports` point at. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  fixedExtension: false,
  dts: true,
  clean: true,
});
