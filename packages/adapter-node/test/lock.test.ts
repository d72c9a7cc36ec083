import { readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTokenStore } from '../src/index.ts';
import { FIXTURES, onCleanup, runTs, sleep, tempDirectory } from './support.ts';

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
