import { link, lstat, mkdir, open, rename, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { randomHex } from './random-hex.ts';
import { readRegularFile } from './regular-file.ts';

export const LOCK_FILE = 'token.lock';
/** The holder touches the lock file this often while its task runs. */
const HEARTBEAT_MS = 2_000;
/** A lock file not touched for this long belongs to a holder that is gone (or hung). */
const STALE_AFTER_MS = 10_000;
/**
 * A lock file without a holder's record (empty, cut short, not a regular file) this old is stale:
 * a holder writes its record the moment it has created the file, so only a writer that died in
 * between (or another program) leaves one behind.
 */
const UNWRITTEN_STALE_AFTER_MS = 2_000;
/** A holder's record is under 100 bytes; a lock file is never read further than this. */
const MAX_RECORD_BYTES = 1_024;
/** Past this wait the task runs without the lock rather than never. */
const MAX_WAIT_MS = 120_000;

/** What an attempt to create the lock file came to. */
type Attempt = 'held' | 'taken' | 'impossible';

/**
 * A lock shared by every process on `directory`: the file `token.lock`, created exclusively (`wx`),
 * holding `{pid, host}`, touched every 2 s while held and deleted on release. Waiters retry every
 * few ms. A lock whose holder process is dead (same host), or that nobody touched for 10 s, is
 * broken; so is a lock file holding no complete record after 2 s. Where no lock file can be made
 * (a read-only or missing-parent directory), or it cannot be written (a full disk: the file it
 * created is deleted again at once), the task runs unguarded: the write it guards fails with its
 * own error anyway, and a removal still works. Tasks of one store object are also queued in
 * memory, so they never contend with each other on the file.
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
      id: randomHex(8),
    });
    const started = Date.now();
    for (let attempt = 0; Date.now() - started < MAX_WAIT_MS; attempt++) {
      const outcome = await createLockFile(lockFile, content);
      if (outcome === 'impossible') return undefined;
      if (outcome === 'held') {
        const heartbeat = setInterval(() => {
          const now = new Date();
          utimes(lockFile, now, now).catch(() => {});
        }, HEARTBEAT_MS);
        heartbeat.unref();
        return async () => {
          clearInterval(heartbeat);
          if ((await readLockFile(lockFile)) === content) await unlink(lockFile).catch(() => {});
        };
      }
      const holder = await readLockFile(lockFile);
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

/**
 * Creates the lock file with `content`: 'held' if it did, 'taken' if another holder has it, and
 * 'impossible' if it cannot be created or written here. A file it created but could not write
 * (ENOSPC, EIO, EFBIG) is deleted again, so that it never stalls anyone.
 */
async function createLockFile(lockFile: string, content: string): Promise<Attempt> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(lockFile, 'wx', 0o600);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'taken' : 'impossible';
  }
  let created: number | undefined;
  try {
    created = (await handle.stat()).ino;
    await handle.writeFile(content);
    await handle.close();
    return 'held';
  } catch {
    await handle.close().catch(() => {});
    // Delete it only if it is still the file made here (not one a waiter put there after judging it stale).
    const current = await lstat(lockFile).catch(() => undefined);
    if (created !== undefined && current?.ino === created) await unlink(lockFile).catch(() => {});
    return 'impossible';
  }
}

/** The lock file's text; '' for one that is not a regular file of at most 1 KiB; undefined if gone. */
async function readLockFile(lockFile: string): Promise<string | undefined> {
  try {
    const found = await readRegularFile(lockFile, MAX_RECORD_BYTES);
    return 'text' in found ? found.text : '';
  } catch {
    return undefined;
  }
}

async function isStale(lockFile: string, holder: string): Promise<boolean> {
  let owner: { pid?: unknown; host?: unknown } | undefined;
  try {
    const parsed: unknown = JSON.parse(holder);
    if (typeof parsed === 'object' && parsed !== null) owner = parsed;
  } catch {
    // no record, or only part of one: judged by age below
  }
  if (owner?.host === hostname() && typeof owner.pid === 'number' && !isAlive(owner.pid)) return true;
  try {
    const age = Date.now() - (await lstat(lockFile)).mtimeMs;
    return age > (owner === undefined ? UNWRITTEN_STALE_AFTER_MS : STALE_AFTER_MS);
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
  const aside = `${lockFile}.${randomHex(8)}.stale`;
  try {
    await rename(lockFile, aside);
  } catch {
    return;
  }
  if (((await readLockFile(aside)) ?? stale) !== stale) await link(aside, lockFile).catch(() => {});
  await unlink(aside).catch(() => {});
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
