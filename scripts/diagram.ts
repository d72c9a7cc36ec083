/**
 * `pnpm diagram`: regenerates the statechart diagrams of authMachine in docs/statechart.md and in
 * the README's generated block. `pnpm diagram --check` writes nothing and exits 1, naming the
 * stale files, when either differs from what the machine gives (CI runs it). `--dir <path>` works
 * on another copy of README.md and docs/ (tests use it); the default is this repository.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authMachine } from '@balena-auth/machine';
import { readmeBlock, replaceReadmeBlock, statechartDocument } from './statechart-markdown.ts';
import { statechartModel } from './statechart-mermaid.ts';

const argv = process.argv.slice(2);
const dirIndex = argv.indexOf('--dir');
const root =
  dirIndex >= 0 ? resolve(argv[dirIndex + 1]) : join(dirname(fileURLToPath(import.meta.url)), '..');
const check = argv.includes('--check');

const model = statechartModel(authMachine);
const readReadme = () => readFileSync(join(root, 'README.md'), 'utf8');
const readOrEmpty = (path: string) => {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return '';
  }
};

let expectedReadme: string;
try {
  expectedReadme = replaceReadmeBlock(readReadme(), readmeBlock(model));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const files: [path: string, expected: string][] = [
  ['docs/statechart.md', statechartDocument(model)],
  ['README.md', expectedReadme],
];

const stale = files.filter(([path, expected]) => readOrEmpty(path) !== expected).map(([path]) => path);
const summary = `${model.states.length} state nodes, ${model.transitionCount} transitions`;
if (check) {
  if (stale.length > 0) {
    console.error(
      `The statechart diagram is out of date in ${stale.join(' and ')}: authMachine changed since it was generated.\nRun \`pnpm diagram\` and commit the result.`,
    );
    process.exit(1);
  }
  console.log(`statechart diagram is up to date (${summary})`);
} else {
  for (const [path, expected] of files) if (stale.includes(path)) writeFileSync(join(root, path), expected);
  console.log(
    stale.length > 0 ? `wrote ${stale.join(', ')} (${summary})` : `already up to date (${summary})`,
  );
}
