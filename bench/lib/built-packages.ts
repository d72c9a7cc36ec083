/**
 * Our packages as a user gets them: the JavaScript in each `packages/<name>/dist/`, built by `pnpm build`
 * (tsdown), never the TypeScript sources. Measured scripts are bundled with esbuild into `bench/.build/`
 * and run by plain `node`, without tsx, so no loader or transform sits between them and the code.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { REPO_ROOT } from './emulator.ts';

/** Where the bundled benchmark scripts go (git-ignored). */
export const BUILD_DIR = fileURLToPath(new URL('../.build/', import.meta.url));

const PACKAGE_SPECIFIER = /^@balena-auth\/([a-z-]+)(?:\/([a-z-]+))?$/;

/**
 * The built file of one of our packages' entry points.
 *
 * @example
 * builtEntry('machine'); // '<repo>/packages/machine/dist/index.js'
 * builtEntry('machine', 'testing'); // '<repo>/packages/machine/dist/testing.js'
 */
export function builtEntry(name: string, subpath = 'index'): string {
  return join(REPO_ROOT, 'packages', name, 'dist', `${subpath}.js`);
}

/**
 * Builds every package with `pnpm build` (the same build that is published), its output on stderr.
 *
 * @example
 * buildPackages(); // then packages/*\/dist/index.js are current
 */
export function buildPackages(): void {
  execFileSync('pnpm', ['build'], { cwd: REPO_ROOT, stdio: ['ignore', process.stderr, process.stderr] });
}

/**
 * Throws unless the built entry of each package named exists (a bench run with `--no-build` needs them).
 *
 * @example
 * assertBuilt(['machine']); // Error: packages/machine/dist/index.js is missing: run `pnpm build`
 */
export function assertBuilt(names: readonly string[]): void {
  for (const name of names) {
    const file = builtEntry(name);
    if (!existsSync(file)) throw new Error(`${relative(REPO_ROOT, file)} is missing: run \`pnpm build\``);
  }
}

/**
 * An esbuild plugin resolving `@balena-auth/<name>[/<subpath>]` to that package's `dist/` instead of the
 * `src/` its workspace `exports` name. `external` leaves it an import of the built file (relative to
 * `BUILD_DIR`), loaded by Node from there; otherwise the built file is bundled.
 *
 * @example
 * await build({ entryPoints: ['app.ts'], bundle: true, plugins: [builtPackages({ external: false })] });
 */
export function builtPackages({ external }: { external: boolean }): Plugin {
  return {
    name: 'built-packages',
    setup(plugin) {
      plugin.onResolve({ filter: PACKAGE_SPECIFIER }, ({ path }) => {
        const [, name, subpath] = path.match(PACKAGE_SPECIFIER) ?? [];
        const file = builtEntry(name, subpath);
        if (!existsSync(file)) return { errors: [{ text: `${file} is missing: run \`pnpm build\`` }] };
        if (!external) return { path: file };
        const fromBuildDir = relative(BUILD_DIR, file).split(sep).join('/');
        return { path: fromBuildDir.startsWith('.') ? fromBuildDir : `./${fromBuildDir}`, external: true };
      });
    },
  };
}

/**
 * Bundles a benchmark script for plain `node`: its own modules (bench/lib) inlined, our packages imported
 * from their `dist/`, every other package (balena-sdk, xstate…) left to Node to load from node_modules,
 * as an app would. Nothing is minified: the measured code is the packages', not the script's.
 *
 * @example
 * const file = await bundleNodeScript('heap-child.ts'); // '<repo>/bench/.build/heap-child.mjs'
 */
export async function bundleNodeScript(entry: string): Promise<string> {
  const outfile = join(BUILD_DIR, entry.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [fileURLToPath(new URL(`../${entry}`, import.meta.url))],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    plugins: [builtPackages({ external: true })],
    packages: 'external',
  });
  return outfile;
}

/**
 * Runs a bundled script with plain `node` (plus `nodeArgs`, e.g. `--expose-gc`) and resolves with the
 * JSON of the last line it printed; rejects if it exits non-zero.
 *
 * @example
 * const report = await runNodeScript<{ bytesPerClient: number }>(file, ['ours', '10000'], ['--expose-gc']);
 */
export function runNodeScript<T>(file: string, args: readonly string[], nodeArgs: readonly string[] = []) {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, file, ...args], {
      cwd: REPO_ROOT,
      // No loader may reach the measured process through the environment either.
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${relative(REPO_ROOT, file)} exited with ${code}`));
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${relative(REPO_ROOT, file)} printed no JSON line: ${last.slice(0, 200)}`));
      }
    });
  });
}

/**
 * The commit the packages were built from, and whether the worktree differed from it.
 *
 * @example
 * builtFrom(); // { commit: 'abf169c…', dirty: false }
 */
export function builtFrom(): { commit: string; dirty: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  return {
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain', '--', 'packages').length > 0,
  };
}
