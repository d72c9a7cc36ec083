/**
 * `pnpm pack:smoke`: the packages as a user gets them, checked from the tarballs alone.
 *
 * 1. `pnpm pack` every package into a temp directory (each package's `prepack` builds its `dist/`);
 *    the packed package.json must point at `dist/` only, with no `workspace:` range left.
 * 2. publint (every message counts, suggestions too) and attw (`--profile esm-only`: the packages are
 *    ESM-only, so the CommonJS `require` resolutions are not required) on each tarball.
 * 3. A fresh project in the OS temp directory, outside this workspace, `npm install`s the tarballs
 *    (their dependencies come from the npm registry). Nothing of the workspace is visible from it: no
 *    TypeScript tooling installed, the workspace's `.bin` folders and `npm_config_*` variables removed.
 *    Then, there:
 *    - `node --input-type=module -e "import('@balena-auth/adapter-node')"` exits 0;
 *    - `npx --no balena-auth-emulator` with `BALENA_AUTH_EMULATOR_EXIT_AFTER_START=1` prints the URL, exits 0;
 *    - a plain `node` ESM script starts the installed emulator, logs in with `createNodeAuth`, passes the
 *      2FA challenge, calls whoami, logs out;
 *    - esbuild (`platform: 'browser'`, minified) bundles a small app on the installed
 *      `@balena-auth/adapter-web`: it must resolve, pull in no Node built-in, and its size is printed.
 * 4. Prints every tarball's size and the bundle's gzip -9 size, then deletes the temp directory
 *    (`--keep` leaves it for a look).
 *
 * Exits 1 at the first failure, naming it.
 */
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

/** The published packages, in the order they are packed (folder under `packages/`). */
const PACKAGES = ['machine', 'adapter-node', 'adapter-web', 'adapter-redis', 'emulator'] as const;
/** Tools that must not be in the temp project: the packages have to work without them. */
const TYPESCRIPT_TOOLING = [
  'typescript',
  'tsx',
  'ts-node',
  '@swc-node/register',
  'esbuild',
  '@esbuild-kit/esm-loader',
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const started = Date.now();

class SmokeFailure extends Error {}

function fail(message: string): never {
  throw new SmokeFailure(message);
}

function step(message: string): void {
  console.log(`pack:smoke: ${message}`);
}

const bytes = (n: number) => `${n.toLocaleString('en-US')} B`;

/**
 * The environment of a user's shell: this script's, without what pnpm or tsx put there for the workspace
 * (`npm_config_*`, `NODE_OPTIONS`, the workspace's `node_modules/.bin` on `PATH`).
 */
function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$|TSX_)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => entry !== '' && !isInside(resolve(entry), root))
    .join(delimiter);
  return { ...env, ...extra };
}

function isInside(path: string, directory: string): boolean {
  const rel = relative(directory, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

/** Runs a command to completion (with a time limit); fails with its output when it exits non-zero. */
function run(
  what: string,
  command: string,
  args: string[],
  options: SpawnSyncOptions & { timeoutMs?: number } = {},
): string {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status ?? result.signal}`;
    fail(`${what} failed (${why}):\n${output}`);
  }
  return output;
}

/** The package.json inside a tarball, as npm will install it. */
function packedManifest(tarball: string): Record<string, unknown> {
  const text = run('reading the packed package.json', 'tar', ['-xzOf', tarball, 'package/package.json']);
  return JSON.parse(text) as Record<string, unknown>;
}

function packAll(destination: string): Map<string, string> {
  const tarballs = new Map<string, string>();
  for (const name of PACKAGES) {
    const before = new Set(readdirSync(destination));
    run(`pnpm pack of packages/${name}`, 'pnpm', ['pack', '--pack-destination', destination], {
      cwd: join(root, 'packages', name),
      timeoutMs: 120_000,
    });
    const created = readdirSync(destination).filter((file) => file.endsWith('.tgz') && !before.has(file));
    if (created.length !== 1) fail(`pnpm pack of packages/${name} made ${created.length} tarballs`);
    const tarball = join(destination, created[0]);
    const manifest = packedManifest(tarball);
    const text = JSON.stringify({ ...manifest, devDependencies: undefined, scripts: undefined });
    if (text.includes('./src/')) fail(`${created[0]}: the packed package.json still points at ./src/`);
    if (text.includes('workspace:')) fail(`${created[0]}: the packed package.json has a workspace: range`);
    tarballs.set(String(manifest.name), tarball);
    step(`packed ${manifest.name}@${manifest.version} -> ${created[0]}`);
  }
  return tarballs;
}

async function lintTarballs(tarballs: Map<string, string>): Promise<void> {
  const attw = join(root, 'node_modules', '.bin', 'attw');
  for (const [name, tarball] of tarballs) {
    const data = readFileSync(tarball);
    const tarballBuffer = data.buffer.slice(
      data.byteOffset,
      data.byteOffset + data.byteLength,
    ) as ArrayBuffer;
    const { messages, pkg } = await publint({ pack: { tarball: tarballBuffer }, level: 'suggestion' });
    if (messages.length > 0) {
      const list = messages.map((message) => `  ${message.type}: ${formatMessage(message, pkg)}`);
      fail(`publint found ${messages.length} problem(s) in ${name}:\n${list.join('\n')}`);
    }
    const report = run(`attw of ${name}`, attw, [
      tarball,
      '--profile',
      'esm-only',
      '--no-definitely-typed',
      '--format',
      'ascii',
      '--no-color',
      '--no-emoji',
    ]);
    const resolutions = report
      .split('\n')
      .filter((line) => /^(node10|node16 \(from (ESM|CJS)\)|bundler):/.test(line))
      .join('; ');
    step(`${name}: publint no problems; attw --profile esm-only no problems (${resolutions})`);
  }
}

/** What a user's project looks like after `npm install` of the tarballs. */
function createProject(project: string, tarballs: Map<string, string>): void {
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'balena-auth-pack-smoke', private: true, type: 'module' }, null, 2)}\n`,
  );
  const args = ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.values()];
  const install = () =>
    run('npm install of the tarballs', 'npm', args, {
      cwd: project,
      env: userEnvironment(),
      timeoutMs: 180_000,
    });
  try {
    install();
  } catch (error) {
    if (!(error instanceof SmokeFailure)) throw error;
    step(`npm install failed, retrying once:\n${error.message}`);
    install();
  }
  for (const name of tarballs.keys()) {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8'));
    if (manifest.version === undefined) fail(`${name} is not installed in the temp project`);
  }
  const present = TYPESCRIPT_TOOLING.filter((tool) => {
    try {
      statSync(join(project, 'node_modules', tool));
      return true;
    } catch {
      return false;
    }
  });
  if (present.length > 0) fail(`the temp project has TypeScript tooling installed: ${present.join(', ')}`);
}

/** (4): the plain import, exactly as a user would type it; then what it must give. */
function importInPlainNode(project: string): void {
  const env = userEnvironment();
  run(
    'node --input-type=module -e "import(\'@balena-auth/adapter-node\')"',
    process.execPath,
    ['--input-type=module', '-e', "import('@balena-auth/adapter-node')"],
    { cwd: project, env },
  );
  const check = `
    const expected = {
      '@balena-auth/adapter-node': ['createNodeAuth', 'fileTokenStore', 'resolveDataDirectory'],
      '@balena-auth/adapter-redis': ['createServerAuth', 'redisTokenStore', 'BalenaRedisError', 'BalenaRedisLockTimeout'],
      '@balena-auth/machine': ['authMachine', 'createAuth', 'memoryTokenStore', 'BalenaNotLoggedIn'],
      '@balena-auth/emulator': ['startEmulator', 'seedDemoAccounts'],
    };
    for (const [name, names] of Object.entries(expected)) {
      const where = import.meta.resolve(name);
      if (!where.startsWith(${JSON.stringify(`file://${project}/node_modules/`)}) || !where.endsWith('/dist/index.js')) {
        throw new Error(name + ' resolved to ' + where);
      }
      const module = await import(name);
      const missing = names.filter((n) => module[n] === undefined);
      if (missing.length > 0) throw new Error(name + ' lacks ' + missing.join(', '));
    }
  `;
  run('importing the installed packages from dist/', process.execPath, ['--input-type=module', '-e', check], {
    cwd: project,
    env,
  });
  step(
    '(4) node --input-type=module -e "import(\'@balena-auth/adapter-node\')": ok, from dist/ in the temp project',
  );
}

function runEmulatorBin(project: string): void {
  const output = run('npx --no balena-auth-emulator', 'npx', ['--no', 'balena-auth-emulator'], {
    cwd: project,
    env: userEnvironment({ BALENA_AUTH_EMULATOR_EXIT_AFTER_START: '1' }),
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
  if (!url) fail(`npx balena-auth-emulator printed no URL:\n${output}`);
  step(`npx balena-auth-emulator: printed ${url[1]} and exited 0`);
}

/** (a): a user's plain Node ESM script against the installed emulator. */
const NODE_SCRIPT = `import assert from 'node:assert/strict';
import { statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeAuth } from '@balena-auth/adapter-node';
import { startEmulator } from '@balena-auth/emulator';

const emulator = await startEmulator({ loginRateLimit: false });
const dataDirectory = join(process.cwd(), 'balena-data');
const ada = { email: 'ada@example.com', password: 'correct horse battery', username: 'ada' };
const { auth, actor, ready, stop } = createNodeAuth({ apiUrl: emulator.url, dataDirectory });
const states = [];
actor.subscribe((snapshot) => {
  const value = JSON.stringify(snapshot.value);
  if (states.at(-1) !== value) states.push(value);
});
try {
  await emulator.createUser({ ...ada, twoFactor: true });
  await ready();
  assert.equal(await auth.isLoggedIn(), false, 'logged out at start');

  await auth.login({ email: ada.email, password: ada.password });
  assert.equal(await auth.twoFactor.isPassed(), false, '2FA pending after the password login');
  assert.equal(await auth.isLoggedIn(), false, 'a 2FA-pending session is not logged in');
  assert.equal(statSync(join(dataDirectory, 'token')).mode & 0o777, 0o600, 'token file 0600');

  await auth.twoFactor.challenge(emulator.totp(ada.email));
  assert.equal(await auth.twoFactor.isPassed(), true, '2FA passed after the challenge');
  assert.equal(await auth.isLoggedIn(), true, 'logged in after the challenge');

  const actorInfo = await auth.whoami();
  assert.equal(actorInfo?.actorType, 'user');
  assert.equal(actorInfo?.username, ada.username);
  assert.equal((await auth.getUserInfo()).email, ada.email);

  await auth.logout();
  assert.equal(await auth.isLoggedIn(), false, 'logged out');
  assert.equal(existsSync(join(dataDirectory, 'token')), false, 'token file removed by logout');
  console.log('states: ' + states.join(' -> '));
} finally {
  stop();
  await emulator.close();
}
`;

function runNodeScript(project: string): void {
  writeFileSync(join(project, 'login.mjs'), NODE_SCRIPT);
  const output = run('the plain node script (login, 2FA, whoami, logout)', process.execPath, ['login.mjs'], {
    cwd: project,
    env: userEnvironment(),
  });
  step(`(a) node login.mjs: login, 2FA challenge, whoami, logout against the installed emulator: ok`);
  step(`    ${output.trim().split('\n').at(-1)}`);
}

/** (b): a small browser app on the installed adapter-web. */
const BROWSER_APP = `import { createWebAuth } from '@balena-auth/adapter-web';

const { auth, actor, ready } = createWebAuth({ apiUrl: 'https://api.balena-cloud.com' });
const status = document.querySelector('#status');
actor.subscribe((snapshot) => { status.textContent = JSON.stringify(snapshot.value); });
await ready();
document.querySelector('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(event.target);
  await auth.login({ email: String(data.get('email')), password: String(data.get('password')) });
  if (!(await auth.twoFactor.isPassed())) await auth.twoFactor.challenge(String(data.get('code')));
  status.textContent = (await auth.whoami())?.username ?? '';
});
document.querySelector('#logout').addEventListener('click', () => auth.logout());
`;

/** `gzip -9 -n` of the bytes, as the DESIGN.md budget is measured; zlib level 9 where there is no gzip. */
function gzip9Size(data: Buffer): number {
  const result = spawnSync('gzip', ['-9', '-n', '-c'], { input: data, maxBuffer: 64 * 1024 * 1024 });
  return result.status === 0 ? result.stdout.length : gzipSync(data, { level: 9 }).length;
}

async function bundleForTheBrowser(project: string): Promise<{ minified: number; gzipped: number }> {
  writeFileSync(join(project, 'app.js'), BROWSER_APP);
  const outfile = join(project, 'out', 'app.js');
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      absWorkingDir: project,
      entryPoints: ['app.js'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      metafile: true,
      outfile,
      logLevel: 'silent',
    });
  } catch (error) {
    fail(
      `esbuild could not bundle the browser app from the installed packages:\n${(error as Error).message}`,
    );
  }
  const { metafile } = result;
  if (!metafile) fail('esbuild wrote no metafile');
  const inputs = Object.keys(metafile.inputs).map((input) => resolve(project, input));
  const outside = inputs.filter((input) => !isInside(input, project));
  if (outside.length > 0) fail(`the bundle took files from outside the temp project: ${outside.join(', ')}`);
  const adapter = inputs.find((input) => input.includes('/node_modules/@balena-auth/adapter-web/'));
  if (!adapter?.endsWith('/dist/index.js')) fail(`adapter-web resolved to ${adapter}, not its dist/index.js`);
  const externals = Object.values(metafile.outputs).flatMap((output) =>
    output.imports.filter((entry) => entry.external).map((entry) => entry.path),
  );
  if (externals.length > 0) fail(`the bundle imports ${externals.join(', ')} at run time`);

  const code = readFileSync(outfile);
  const text = code.toString('utf8');
  if (text.includes('node:')) fail('the browser bundle contains "node:"');
  const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
  const required = [...text.matchAll(/\brequire\s*\(\s*["'`]([^"'`]+)["'`]/g)].map((match) => match[1]);
  const requiredBuiltins = required.filter((name) => builtins.has(name) || builtins.has(name.split('/')[0]));
  if (requiredBuiltins.length > 0)
    fail(`the browser bundle requires Node built-ins: ${requiredBuiltins.join(', ')}`);
  const gzipped = gzip9Size(code);
  step(
    `(b) esbuild --platform=browser of a createWebAuth app from the installed tarballs: ${inputs.length} files in, ` +
      `no node: import, no require() of a built-in; ${bytes(code.length)} minified, ${bytes(gzipped)} gzip -9`,
  );
  return { minified: code.length, gzipped };
}

async function main(): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), 'balena-auth-pack-smoke-'));
  if (isInside(temp, root)) fail(`the temp directory ${temp} is inside the workspace`);
  try {
    const tarballDirectory = join(temp, 'tarballs');
    mkdirSync(tarballDirectory);
    const tarballs = packAll(tarballDirectory);
    await lintTarballs(tarballs);
    const project = join(temp, 'project');
    createProject(project, tarballs);
    step(`npm installed the ${tarballs.size} tarballs into ${project}`);
    importInPlainNode(project);
    runEmulatorBin(project);
    runNodeScript(project);
    const bundle = await bundleForTheBrowser(project);

    console.log('\npack:smoke: tarball sizes');
    for (const [name, tarball] of tarballs) {
      console.log(`  ${name.padEnd(28)} ${bytes(statSync(tarball).size).padStart(10)}`);
    }
    console.log(
      `  browser bundle (adapter-web)  ${bytes(bundle.minified)} minified, ${bytes(bundle.gzipped)} gzip -9`,
    );
    console.log(`pack:smoke: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    if (keep) console.log(`pack:smoke: kept ${temp}`);
    else rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(
    `pack:smoke: FAILED: ${error instanceof SmokeFailure ? error.message : (error as Error).stack}`,
  );
  process.exitCode = 1;
});
