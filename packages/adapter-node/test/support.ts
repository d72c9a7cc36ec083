import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The uid/gid of `nobody` on Debian, for checks that need permissions enforced while tests run as root. */
export const NOBODY = 65534;
export const runningAsRoot = process.getuid?.() === 0;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh directory under the OS temp dir, removed (with everything in it) after the test. */
export async function tempDirectory(prefix = 'adapter-node-'): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), prefix));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

/** Run `fn` after the current test (before temp directories are removed). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export interface Child {
  process: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves with the first stdout line matching `pattern`. */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends one line on stdin. */
  send(line: string): void;
}

/** Runs a TypeScript file with `node --import tsx` from the repository root; killed after the test. */
export function runTs(file: string, args: string[] = [], options: SpawnOptions = {}): Child {
  return runNode(['--import', 'tsx', file, ...args], options);
}

export function runNode(args: string[], options: SpawnOptions = {}): Child {
  return runCommand(process.execPath, args, options);
}

/** Runs `command` from the repository root, with stdio piped; killed after the test. */
export function runCommand(command: string, args: string[], options: SpawnOptions = {}): Child {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...options,
    env: { ...process.env, ...options.env },
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve(line: string): void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of [...waiters]) {
      const line = stdout.split('\n').find((candidate) => waiter.pattern.test(candidate));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    line(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`No line matching ${pattern} within ${timeoutMs} ms.\n${stdout}\n${stderr}`)),
          timeoutMs,
        );
        const done = (line: string) => {
          clearTimeout(timer);
          resolve(line);
        };
        const found = stdout.split('\n').find((candidate) => pattern.test(candidate));
        if (found !== undefined) done(found);
        else waiters.push({ pattern, resolve: done });
      });
    },
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
  };
}

/** The child's last stdout line parsed as JSON, once it has exited 0. */
export async function jsonResult<T>(child: Child): Promise<T> {
  const code = await child.exited;
  if (code !== 0) throw new Error(`child exited ${code}\n${child.stdout()}\n${child.stderr()}`);
  const lines = child.stdout().trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 5 ms until it holds; resolves with the time it took, or rejects after `timeoutMs`. */
export async function within(
  timeoutMs: number,
  condition: () => boolean | Promise<boolean>,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await condition()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/**
 * `fixture` (a file in test/fixtures) bundled into one self-contained `.mjs` for plain `node`: it
 * starts in a fraction of tsx's time, and runs as another user without access to the repository
 * (the directory is 0755, the file 0644).
 */
export async function bundleFixture(fixture: string): Promise<string> {
  const directory = await tempDirectory('adapter-node-bundle-');
  await chmod(directory, 0o755);
  const outfile = path.join(directory, `${path.basename(fixture, '.ts')}.mjs`);
  await build({
    entryPoints: [path.join(FIXTURES, fixture)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'silent',
    // CommonJS dependencies (yaml) require Node built-ins, which an ESM bundle must provide.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return outfile;
}
