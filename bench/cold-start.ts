/**
 * Node cold start until getToken() returns with a stored token, whole process: each client's script
 * is bundled with esbuild (Node, ESM, minified, the same settings for both; ours from the packages'
 * built `dist/`) into bench/.build/, then run RUNS times with `node`, the variants in an order shuffled
 * for each round. The time is from spawning the process to the
 * moment getToken() returned inside it (both on the wall clock); the median is reported.
 *
 * Also measured, for reference: Node with an empty script, and balena-sdk as installed (Node
 * loading it from node_modules, unbundled).
 *
 * Run alone: `pnpm bench:cold-start`
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { builtPackages } from './lib/built-packages.ts';
import type { Section } from './lib/report.ts';
import { seededShuffle } from './lib/seeded-order.ts';
import { median, times } from './lib/stats.ts';

const RUNS = Number(process.env.BENCH_COLD_START_RUNS ?? 21);
const WARM_UP = 2;
const BUILD_DIR = fileURLToPath(new URL('./.build/', import.meta.url));

const VARIANTS = {
  empty: { entry: 'cold-start-empty.ts', installed: false },
  ours: { entry: 'cold-start-ours.ts', installed: false },
  balenaSdk: { entry: 'cold-start-balena-sdk.ts', installed: false },
  balenaSdkInstalled: { entry: 'cold-start-balena-sdk-installed.ts', installed: true },
} as const;
type Variant = keyof typeof VARIANTS;

/** Bundles one cold-start script; `installed` leaves packages to be loaded from node_modules. */
async function bundleScript(variant: Variant): Promise<string> {
  const { entry, installed } = VARIANTS[variant];
  const outfile = join(BUILD_DIR, entry.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [fileURLToPath(new URL(`./apps/${entry}`, import.meta.url))],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    packages: installed ? 'external' : undefined,
    plugins: [builtPackages({ external: false })],
    // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  return outfile;
}

/** One whole process: ms from spawn until getToken() returned in it, and until it exited. */
function runOnce(file: string, dataDirectory: string): Promise<{ toToken: number; toExit: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.timeOrigin + performance.now();
    const child = spawn(process.execPath, [file, dataDirectory], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const exited = performance.timeOrigin + performance.now();
      if (code !== 0) return reject(new Error(`${file} exited with ${code}`));
      const { returnedAt } = JSON.parse(out);
      resolve({ toToken: returnedAt - started, toExit: exited - started });
    });
  });
}

export async function measureColdStart(seed: number): Promise<Section> {
  const shuffle = seededShuffle(seed);
  const files = {} as Record<Variant, string>;
  for (const variant of Object.keys(VARIANTS) as Variant[]) files[variant] = await bundleScript(variant);
  const dataDirectory = await mkdtemp(join(tmpdir(), 'bench-cold-start-'));
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const token = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ id: 1, iat: now, exp: now + 7 * 86400 })}.c2lnbmF0dXJl`;
  await writeFile(join(dataDirectory, 'token'), token, { mode: 0o600 });

  const variants = Object.keys(VARIANTS) as Variant[];
  const samples = Object.fromEntries(
    variants.map((v) => [v, { toToken: [] as number[], toExit: [] as number[] }]),
  );
  try {
    for (let round = -WARM_UP; round < RUNS; round++) {
      for (const variant of shuffle(variants)) {
        const result = await runOnce(files[variant], dataDirectory);
        if (round >= 0) {
          samples[variant].toToken.push(result.toToken);
          samples[variant].toExit.push(result.toExit);
        }
      }
    }
  } finally {
    await rm(dataDirectory, { recursive: true, force: true });
  }
  const medians = Object.fromEntries(
    variants.map((v) => [v, { toTokenMs: median(samples[v].toToken), toExitMs: median(samples[v].toExit) }]),
  ) as Record<Variant, { toTokenMs: number; toExitMs: number }>;
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const ratio = medians.ours.toTokenMs / medians.balenaSdk.toTokenMs;
  return {
    name: 'cold-start',
    rows: [
      {
        figure: 'cold start to getToken(), whole process, bundled, median',
        balenaSdk: ms(medians.balenaSdk.toTokenMs),
        ours: ms(medians.ours.toTokenMs),
        ratio: times(ratio, 3),
        target: '≤ 0.85×',
        met: ratio <= 0.85,
      },
      {
        figure: 'cold start, balena-sdk as installed (unbundled), median',
        balenaSdk: ms(medians.balenaSdkInstalled.toTokenMs),
        ours: ms(medians.ours.toTokenMs),
        ratio: times(medians.ours.toTokenMs / medians.balenaSdkInstalled.toTokenMs),
        target: '—',
      },
    ],
    details: {
      runs: RUNS,
      warmUp: WARM_UP,
      medians,
      medianOfPerRoundRatio: median(
        samples.ours.toToken.map((ours, round) => ours / samples.balenaSdk.toToken[round]),
      ),
      nodeWithEmptyScriptMs: medians.empty.toTokenMs,
    },
  };
}
