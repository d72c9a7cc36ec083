/**
 * Each package's `prepack` and `postpack` (`node ../../scripts/pack-hooks.mjs prepack|postpack`, run
 * from the package's folder by `pnpm pack` and `pnpm publish`).
 *
 * - `prepack` refuses npm (npm ignores `publishConfig`, so its tarball would point at `src/`), then
 *   copies the repository's LICENSE into the package, so every tarball carries it while the
 *   repository keeps one copy (the package folders' LICENSE is git-ignored). The build runs after it.
 * - `postpack` removes that copy again.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LICENSE = fileURLToPath(new URL('../LICENSE', import.meta.url));
const hook = process.argv[2];

if (hook === 'prepack') {
  if (!process.env.npm_config_user_agent?.startsWith('pnpm/')) {
    console.error(
      'Pack and publish with pnpm (pnpm pack, pnpm changeset publish): npm ignores publishConfig, so its tarball would point at src/',
    );
    process.exit(1);
  }
  copyFileSync(LICENSE, 'LICENSE');
} else if (hook === 'postpack') {
  rmSync('LICENSE', { force: true });
} else {
  console.error(`pack-hooks.mjs: unknown hook ${JSON.stringify(hook)} (prepack or postpack)`);
  process.exit(2);
}
