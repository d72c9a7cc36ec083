import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'token.lock';
/** The holder touches the lock file this often while its task runs. */
const HEARTBEAT_MS = 2_000;
/** A lock file not touched for this long belongs to a holder that is gone (or hung). */
const STALE_AFTER_MS = 10_000;
/** Past this wait the task runs without the lock rather than never. */
const MAX_WAIT_MS = 120_000;

/**
 * A lock shared by every process on `directory`: the file `token.lock`, created exclusively (`wx`),
 * holding `{pid, host}`, touched every 2 s while held and deleted on release. Waiters retry every
 * few ms. A lock whose holder process is dead (same host), or that nobody touched for 10 s, is
 * broken. Where no lock file can be made (a read-only or missing-parent directory) the task runs
 * unguarded: the write it guards fails with its own error anyway. Tasks of one store object are
 * also queued in memory, so they never contend with each other on the file.
 */
export function directoryLock(directory: string) {
  const lockFile = path.join(directory, LOCK_FILE);
  let queue: Promise<unknown> = Promise.resolve();

  const acquire = async (): Promise<(() => Promise<void>) | undefined> => {
    try {
      await mkdir(directory, { recursive: true, mode: 0o700 });
    } catch {
      return undefined;
    }
    const content = JSON.stringify({
      pid: process.pid,
      host: hostname(),
      id: randomBytes(8).toString('hex'),
    });
    const started = Date.now();
    for (let attempt = 0; Date.now() - started < MAX_WAIT_MS; attempt++) {
      try {
        const handle = await open(lockFile, 'wx', 0o600);
        try {
          await handle.writeFile(content);
        } finally {
          await handle.close();
        }
        const heartbeat = setInterval(() => {
          const now = new Date();
          utimes(lockFile, now, now).catch(() => {});
        }, HEARTBEAT_MS);
        heartbeat.unref();
        return async () => {
          clearInterval(heartbeat);
          if ((await readFile(lockFile, 'utf8').catch(() => undefined)) === content)
            await unlink(lockFile).catch(() => {});
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
      }
      const holder = await readFile(lockFile, 'utf8').catch(() => undefined);
      if (holder !== undefined && (await isStale(lockFile, holder))) await breakLock(lockFile, holder);
      else await sleep(Math.min(2 ** attempt, 25) + Math.random() * 5);
    }
    return undefined;
  };

  return function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      const release = await acquire();
      try {
        return await task();
      } finally {
        await release?.();
      }
    });
    queue = run.catch(() => {});
    return run;
  };
}

async function isStale(lockFile: string, holder: string): Promise<boolean> {
  let owner: { pid?: unknown; host?: unknown } = {};
  try {
    owner = JSON.parse(holder);
  } catch {
    // written only partly (its writer was killed): judge by age
  }
  if (owner.host === hostname() && typeof owner.pid === 'number' && !isAlive(owner.pid)) return true;
  try {
    return Date.now() - (await stat(lockFile)).mtimeMs > STALE_AFTER_MS;
  } catch {
    return false; // released meanwhile: try again
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the lock file judged stale, without ever removing a fresh one: the file is moved aside
 * atomically, and if it is not the one judged stale (another waiter broke the old one and took the
 * lock meanwhile) it is linked back, which fails rather than replace a newer lock.
 */
async function breakLock(lockFile: string, stale: string): Promise<void> {
  const aside = `${lockFile}.${randomBytes(8).toString('hex')}.stale`;
  try {
    await rename(lockFile, aside);
  } catch {
    return;
  }
  if ((await readFile(aside, 'utf8').catch(() => stale)) !== stale)
    await link(aside, lockFile).catch(() => {});
  await unlink(aside).catch(() => {});
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
