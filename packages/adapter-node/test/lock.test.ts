import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, open, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTokenStore } from '../src/index.ts';
import {
  bundleFixture,
  FIXTURES,
  onCleanup,
  runCommand,
  runningAsRoot,
  runTs,
  sleep,
  tempDirectory,
} from './support.ts';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MX0.c2lnbmF0dXJl';

/** How long `run` took, in ms, or Infinity if it had not finished after `limitMs`. */
async function durationOf(run: () => Promise<unknown>, limitMs: number): Promise<number> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<number>((resolve) => {
    timer = setTimeout(() => resolve(Number.POSITIVE_INFINITY), limitMs);
  });
  try {
    return await Promise.race([run().then(() => performance.now() - started), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ages `lockFile` by 3 s, then expects a task to get the lock within 1 s, leaving the directory empty. */
async function expectBrokenAtOnce(lockFile: string): Promise<void> {
  const threeSecondsAgo = new Date(Date.now() - 3_000);
  await utimes(lockFile, threeSecondsAgo, threeSecondsAgo);
  const directory = path.dirname(lockFile);
  expect(await durationOf(() => exclusive(directory)(async () => {}), 3_000)).toBeLessThan(1000);
  expect(await readdir(directory)).toEqual([]);
}

/**
 * A data directory on a 64 KiB tmpfs that is then filled up, so that creating an empty file still
 * works and writing into it fails with a real ENOSPC. Mounting needs root, as CI runs.
 */
async function fullDataDirectory(prepare?: (directory: string) => Promise<void>): Promise<string> {
  if (!runningAsRoot) throw new Error('This test mounts a tmpfs, which needs root (CI runs as root).');
  const mountPoint = await tempDirectory('adapter-node-full-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mountPoint]);
  onCleanup(() => void execFileSync('umount', [mountPoint]));
  const directory = path.join(mountPoint, '.balena');
  await mkdir(directory);
  await prepare?.(directory);
  await writeFile(path.join(mountPoint, 'filler'), Buffer.alloc(128 * 1024)).catch((error) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  });
  return directory;
}

const exclusive = (directory: string) => {
  const store = fileTokenStore(directory);
  return (store.exclusive as NonNullable<typeof store.exclusive>).bind(store);
};

describe('fileTokenStore: exclusive (the lock shared by processes on one directory)', () => {
  it('never runs two tasks at once, across store objects on one directory', async () => {
    const directory = await tempDirectory();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} in`);
      await sleep(30);
      log.push(`${name} out`);
    };
    await Promise.all([
      exclusive(directory)(task('a')),
      exclusive(directory)(task('b')),
      exclusive(directory)(task('c')),
    ]);
    for (let index = 0; index < log.length; index += 2) {
      expect(log[index].replace(' in', '')).toBe(log[index + 1].replace(' out', ''));
    }
    expect(log).toHaveLength(6);
  });

  it("waits for another process's lock, and runs once it is released", async () => {
    const directory = await tempDirectory();
    const holder = runTs(path.join(FIXTURES, 'lock-holder.ts'), [directory]);
    await holder.line(/^holding$/);
    let ranAt = 0;
    const waiting = exclusive(directory)(async () => {
      ranAt = performance.now();
    });
    await sleep(300);
    expect(ranAt).toBe(0);
    const releasedAt = performance.now();
    holder.send('release');
    await waiting;
    expect(ranAt).toBeGreaterThan(releasedAt);
    expect(await holder.exited).toBe(0);
    expect(await readdir(directory)).toEqual([]);
  }, 20_000);

  it('breaks the lock of a holder killed with SIGKILL at once', async () => {
    const directory = await tempDirectory();
    const holder = runTs(path.join(FIXTURES, 'lock-holder.ts'), [directory]);
    await holder.line(/^holding$/);
    holder.process.kill('SIGKILL');
    await holder.exited;
    expect(await readdir(directory)).toEqual(['token.lock']);
    const started = performance.now();
    await exclusive(directory)(async () => {});
    const waitedMs = performance.now() - started;
    expect(waitedMs).toBeLessThan(1000);
    expect(await readdir(directory)).toEqual([]);
  }, 20_000);

  it('breaks a lock file nobody has touched for 10 s (a holder on another host, or hung)', async () => {
    const directory = await tempDirectory();
    const lockFile = path.join(directory, 'token.lock');
    await writeFile(lockFile, JSON.stringify({ pid: 1, host: 'another-host', id: 'x' }));
    const old = new Date(Date.now() - 11_000);
    await utimes(lockFile, old, old);
    await exclusive(directory)(async () => {});
    expect(await readdir(directory)).toEqual([]);
  });

  it('releases the lock when the task fails, and rejects with its error', async () => {
    const directory = await tempDirectory();
    await expect(
      exclusive(directory)(async () => {
        throw new Error('task failed');
      }),
    ).rejects.toThrow('task failed');
    expect(await readdir(directory)).toEqual([]);
    await expect(exclusive(directory)(async () => 'next')).resolves.toBe('next');
  });

  it('runs the task unguarded where no lock file can be made (a path under a file)', async () => {
    const root = await tempDirectory();
    await writeFile(path.join(root, 'a-file'), '');
    await expect(exclusive(path.join(root, 'a-file', '.balena'))(async () => 'ran')).resolves.toBe('ran');
  });

  it('removes the lock file it made when writing it fails (a full disk), so the next writer is not stalled', async () => {
    const directory = await fullDataDirectory();
    await expect(exclusive(directory)(async () => 'ran')).resolves.toBe('ran');
    expect(await readdir(directory)).toEqual([]);
    expect(await durationOf(() => exclusive(directory)(async () => {}), 3_000)).toBeLessThan(1000);
  });

  it('on a full disk, rejects a login with ENOSPC at once and still lets a logout delete the token', async () => {
    const directory = await fullDataDirectory((empty) => writeFile(path.join(empty, 'token'), JWT));
    const store = fileTokenStore(directory);
    const started = performance.now();
    await expect(store.exclusive?.(() => store.set(`${JWT}.longer`))).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    expect(performance.now() - started).toBeLessThan(1000);
    await store.exclusive?.(() => store.remove());
    expect(await readdir(directory)).toEqual([]);
  });

  it('removes the lock file it made when writing it fails in another process (a file size limit of 0)', async () => {
    const directory = await tempDirectory();
    const bundle = await bundleFixture('lock-holder.ts');
    const holder = runCommand('/bin/sh', [
      '-c',
      'ulimit -f 0 && exec "$0" "$@"', // every write to a file then fails with EFBIG
      process.execPath,
      bundle,
      directory,
    ]);
    await holder.line(/^holding$/);
    expect(await readdir(directory)).toEqual([]);
    expect(await durationOf(() => exclusive(directory)(async () => {}), 3_000)).toBeLessThan(1000);
    holder.send('release');
    expect(await holder.exited).toBe(0);
  }, 20_000);

  it.each([
    ['nothing', ''],
    ['half a record', '{"pid": 12'],
  ])(
    'breaks a lock file holding %s, older than 2 s (its writer died while writing it), without waiting 10 s',
    async (_kind, content) => {
      const directory = await tempDirectory();
      const lockFile = path.join(directory, 'token.lock');
      await writeFile(lockFile, content);
      await expectBrokenAtOnce(lockFile);
    },
  );

  it('waits about 2 s for a fresh empty lock file, whose writer may be about to write it', async () => {
    const directory = await tempDirectory();
    await writeFile(path.join(directory, 'token.lock'), '');
    const waitedMs = await durationOf(() => exclusive(directory)(async () => {}), 6_000);
    expect(waitedMs).toBeGreaterThan(1_500);
    expect(waitedMs).toBeLessThan(4_000);
  }, 10_000);

  it('breaks a FIFO named token.lock instead of hanging on it', async () => {
    const directory = await tempDirectory();
    const lockFile = path.join(directory, 'token.lock');
    execFileSync('mkfifo', [lockFile]);
    onCleanup(async () => {
      const writer = await open(lockFile, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
      await writer?.close(); // lets a reader blocked on the FIFO go
    });
    await expectBrokenAtOnce(lockFile);
  });

  it('is not reported to subscribers as a change of the token', async () => {
    const directory = await tempDirectory();
    const heard: (string | undefined)[] = [];
    const unsubscribe = fileTokenStore(directory).subscribe?.((token) => heard.push(token));
    onCleanup(() => unsubscribe?.());
    await exclusive(directory)(async () => sleep(20));
    await sleep(200);
    expect(heard).toEqual([]);
  });
});
