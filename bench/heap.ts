/**
 * Heap per idle client at 10,000 clients, ours (packages/machine/dist) vs balena-sdk (its compiled
 * JavaScript), each kind in its own plain `node --expose-gc` process (bench/heap-child.ts, bundled):
 * heap used after garbage collection, after minus before creating the clients, divided by their number.
 *
 * Run alone: `pnpm bench:heap`
 */
import { bundleNodeScript, runNodeScript } from './lib/built-packages.ts';
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

function measure(file: string, kind: 'ours' | 'balenaSdk'): Promise<HeapReport> {
  return runNodeScript<HeapReport>(file, [kind, String(CLIENTS)], ['--expose-gc']);
}

export async function measureHeap(): Promise<Section> {
  const file = await bundleNodeScript('heap-child.ts');
  const balenaSdk = await measure(file, 'balenaSdk');
  const ours = await measure(file, 'ours');
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
