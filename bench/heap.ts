/**
 * Heap per idle client at 10,000 clients, ours vs balena-sdk, each kind in its own Node process
 * (bench/heap-child.ts, `--expose-gc`): heap used after garbage collection, after minus before
 * creating the clients, divided by their number.
 *
 * Run alone: `pnpm bench:heap`
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './lib/emulator.ts';
import type { Section } from './lib/report.ts';
import { int, times } from './lib/stats.ts';

const CLIENTS = Number(process.env.BENCH_HEAP_CLIENTS ?? 10_000);

interface HeapReport {
  kind: string;
  count: number;
  heapBefore: number;
  heapAfter: number;
  bytesPerClient: number;
}

function measure(kind: 'ours' | 'balenaSdk'): Promise<HeapReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        fileURLToPath(new URL('./heap-child.ts', import.meta.url)),
        kind,
        String(CLIENTS),
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`heap-child ${kind}: ${code}`)),
    );
  });
}

export async function measureHeap(): Promise<Section> {
  const balenaSdk = await measure('balenaSdk');
  const ours = await measure('ours');
  return {
    name: 'heap',
    rows: [
      {
        figure: `heap per idle client (${int(CLIENTS)} clients)`,
        balenaSdk: `${int(balenaSdk.bytesPerClient)} B`,
        ours: `${int(ours.bytesPerClient)} B`,
        ratio: times(ours.bytesPerClient / balenaSdk.bytesPerClient),
        target: '≤ 5,000 B',
        met: ours.bytesPerClient <= 5000,
      },
    ],
    details: { clients: CLIENTS, ours, balenaSdk },
  };
}
