/**
 * `pnpm bench`: every benchmark against balena-sdk 22.4.9 in one run, against the emulator (in a
 * child process). Builds our packages first (`pnpm build`), measures their `dist/`, prints the table
 * and writes `bench/results.json`.
 *
 * `pnpm bench requests latency` (any of: requests, latency, in-memory, size, cold-start, heap, fleet) runs a subset and
 * prints its rows without writing results.json. `--no-build` measures the `dist/` already there.
 * `BENCH_SEED=<n>` changes the seed of every shuffled order (printed either way).
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureColdStart } from './cold-start.ts';
import { measureFleet } from './fleet.ts';
import { measureHeap } from './heap.ts';
import { measureInMemory } from './in-memory.ts';
import { measureLatency } from './latency.ts';
import { assertBuilt, buildPackages, builtFrom } from './lib/built-packages.ts';
import { REPO_ROOT, startEmulatorProcess } from './lib/emulator.ts';
import { formatTable, type Section } from './lib/report.ts';
import { benchSeed } from './lib/seeded-order.ts';
import { measureRequests } from './requests.ts';
import { measureSize } from './size.ts';

const ALL = ['requests', 'latency', 'in-memory', 'size', 'cold-start', 'heap', 'fleet'] as const;
type Name = (typeof ALL)[number];
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('-'));
const asked = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknownFlags = flags.filter((flag) => flag !== '--no-build');
if (unknownFlags.length > 0) {
  console.error(`unknown option(s): ${unknownFlags.join(', ')}; the only one is --no-build`);
  process.exit(2);
}
const unknown = asked.filter((name) => !(ALL as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  process.exit(2);
}
const selected: Name[] = asked.length === 0 ? [...ALL] : (asked as Name[]);

const seed = benchSeed();
process.stderr.write(`bench: seed ${seed} (BENCH_SEED=${seed} repeats every shuffled order)\n`);
if (flags.includes('--no-build')) {
  assertBuilt(['machine', 'adapter-node', 'adapter-web']);
} else {
  process.stderr.write('bench: pnpm build…\n');
  buildPackages();
}
const built = builtFrom();

const sections: Section[] = [];
const emulator = selected.some((name) => name === 'requests' || name === 'latency' || name === 'fleet')
  ? await startEmulatorProcess()
  : undefined;
try {
  for (const name of selected) {
    process.stderr.write(`bench: ${name}…\n`);
    if (name === 'requests' && emulator) sections.push(await measureRequests(emulator));
    if (name === 'latency' && emulator) sections.push(await measureLatency(emulator, seed));
    if (name === 'in-memory') sections.push(await measureInMemory(seed));
    if (name === 'size') sections.push(await measureSize());
    if (name === 'cold-start') sections.push(await measureColdStart(seed));
    if (name === 'heap') sections.push(await measureHeap());
    if (name === 'fleet' && emulator) sections.push(await measureFleet(emulator));
  }
} finally {
  await emulator?.close();
}

const rows = sections.flatMap((section) => section.rows);
console.log(formatTable(rows));
console.log(
  `\nseed ${seed}; measured: packages/*/dist built from ${built.commit.slice(0, 10)}${built.dirty ? ' + uncommitted changes' : ''}`,
);
if (selected.length === ALL.length) {
  const results = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      platform: process.platform,
    },
    balenaSdk: '22.4.9',
    seed,
    built,
    rows,
    details: Object.fromEntries(sections.map((section) => [section.name, section.details])),
  };
  const file = fileURLToPath(new URL('./results.json', import.meta.url));
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  // In the repository's JSON style, so that `pnpm lint` passes on the committed file.
  execFileSync(join(REPO_ROOT, 'node_modules/.bin/biome'), ['format', '--write', file], { stdio: 'ignore' });
  console.log('\nwritten: bench/results.json');
}
