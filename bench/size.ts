/**
 * The browser bundle of an app that calls all 19 auth methods: on @balena-auth/adapter-web vs on
 * balena-sdk, each bundled by esbuild with the same settings (browser, ESM, minified) and gzipped at
 * level 9. balena-sdk needs Node built-ins (events, url, stream, buffer, util, os) that esbuild does
 * not polyfill; they are left external and not counted, which understates balena-sdk's size.
 *
 * `pnpm bench:size` measures both against the design's target; `pnpm bench:size --check` builds ours
 * only and fails above the budget (CI), a regression guard set just above today's size while the
 * target is not met (docs/benchmarks.md).
 */
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { formatTable, type Section } from './lib/report.ts';
import { int, times } from './lib/stats.ts';

/**
 * The CI regression guard. 34,500 B since `client.api` imports ofetch on its first call (a Node
 * cold start 17 ms shorter): without code splitting a bundler wraps ofetch's modules for the lazy
 * import (+0.4 KB); with it, ofetch leaves the initial chunk (about 4 KB less at page load).
 */
export const BUDGET_BYTES = 34_500;
/** The target of the design: the same app with `client.api` and `onAuthStateChange` in at most this many bytes. */
export const TARGET_BYTES = 26_500;
const NODE_BUILT_INS = ['events', 'url', 'stream', 'buffer', 'util', 'os'];

export interface Bundle {
  minified: number;
  gzipped: number;
  /** Minified bytes in the output by package (ours: also by workspace package). */
  byPackage: Record<string, number>;
}

/** The esbuild settings of every measured browser app. */
const browserApp = (entry: string) =>
  ({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: 'esm' as const,
    platform: 'browser' as const,
    target: 'es2022',
    write: false as const,
    metafile: true as const,
    logLevel: 'silent' as const,
    external: NODE_BUILT_INS,
  }) satisfies BuildOptions & { write: false; metafile: true };

/** Bundles `entry` as a browser app and measures it. The same settings for every app. */
export async function bundle(entry: string): Promise<Bundle> {
  const result = await build(browserApp(entry));
  const code = result.outputFiles[0].contents;
  return {
    minified: code.length,
    gzipped: gzipSync(code, { level: 9 }).length,
    byPackage: byPackage(result.metafile),
  };
}

/** What a bundler that splits at dynamic imports loads at start, and what it loads on first use. */
export async function splitBundle(entry: string): Promise<{ initial: number; onDemand: number }> {
  const result = await build({
    ...browserApp(entry),
    splitting: true,
    outdir: new URL('./.build/split/', import.meta.url).pathname,
  });
  // At start: the entry's chunk and every chunk it imports statically; the rest is loaded on demand.
  const outputs = result.metafile.outputs;
  const entryOutput = Object.keys(outputs).find((path) => outputs[path].entryPoint?.endsWith(entry.slice(2)));
  const atStart = new Set<string>();
  const visit = (path: string | undefined) => {
    if (path === undefined || atStart.has(path)) return;
    atStart.add(path);
    for (const imported of outputs[path]?.imports ?? [])
      if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entryOutput);
  let initial = 0;
  let onDemand = 0;
  for (const file of result.outputFiles) {
    const gzipped = gzipSync(file.contents, { level: 9 }).length;
    const path = Object.keys(outputs).find((output) => file.path.endsWith(output));
    if (path !== undefined && atStart.has(path)) initial += gzipped;
    else onDemand += gzipped;
  }
  return { initial, onDemand };
}

function byPackage(metafile: Metafile): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const dependency = input.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
      const workspace = input.match(/^(packages\/[^/]+|bench)\//);
      const key = dependency?.[1] ?? workspace?.[1] ?? input;
      totals[key] = (totals[key] ?? 0) + bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(totals).sort((a, b) => b[1] - a[1]));
}

export async function measureSize(): Promise<Section> {
  const ours = await bundle('./apps/web-ours.ts');
  const balenaSdk = await bundle('./apps/web-balena-sdk.ts');
  const split = await splitBundle('./apps/web-ours.ts');
  const balenaSdkSplit = await splitBundle('./apps/web-balena-sdk.ts');
  return {
    name: 'size',
    rows: [
      {
        figure: 'browser bundle, all 19 methods, min+gzip',
        balenaSdk: `${int(balenaSdk.gzipped)} B`,
        ours: `${int(ours.gzipped)} B`,
        ratio: times(ours.gzipped / balenaSdk.gzipped, 3),
        target: `≤ ${int(TARGET_BYTES)} B`,
        met: ours.gzipped <= TARGET_BYTES,
      },
      {
        figure: 'the same, code split at dynamic imports: loaded at start (+ later, on first use)',
        balenaSdk: `${int(balenaSdkSplit.initial)} B (+ ${int(balenaSdkSplit.onDemand)} B)`,
        ours: `${int(split.initial)} B (+ ${int(split.onDemand)} B)`,
        ratio: times(split.initial / balenaSdkSplit.initial, 3),
        target: '—',
      },
    ],
    details: {
      budgetBytes: BUDGET_BYTES,
      targetBytes: TARGET_BYTES,
      ours,
      balenaSdk,
      split: { ours: split, balenaSdk: balenaSdkSplit },
      balenaSdkExternal: NODE_BUILT_INS,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--check')) {
    const ours = await bundle('./apps/web-ours.ts');
    const verdict = ours.gzipped <= BUDGET_BYTES ? 'within' : 'OVER';
    console.log(
      `size budget: the adapter-web app is ${int(ours.gzipped)} B min+gzip (${int(ours.minified)} B minified), ${verdict} the ${int(BUDGET_BYTES)} B budget`,
    );
    if (ours.gzipped > BUDGET_BYTES) process.exit(1);
  } else {
    const section = await measureSize();
    console.log(formatTable(section.rows));
  }
}
