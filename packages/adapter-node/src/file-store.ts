import { type FSWatcher, type Stats, statSync, unwatchFile, watch, watchFile } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { BalenaSettingsPermissionError, type TokenStore } from '@balena-auth/machine';
import { directoryLock } from './lock.ts';
import { randomHex } from './random-hex.ts';
import { type Refusal, readRegularFile } from './regular-file.ts';

const TOKEN_FILE = 'token';
const TEMP_FILE = /^token\.[\da-f]+\.tmp$/;
/** A token is well under 10 KB; a bigger `token` file is refused rather than read into memory. */
const MAX_TOKEN_BYTES = 64 * 1024;
/** A temp file this old was left by a process that died mid-write; the next write deletes it. */
const STALE_TEMP_MS = 60_000;
/** Events of one write (and bursts of writes) are read once, this long after the last. */
const WATCH_DEBOUNCE_MS = 15;
/** While the directory does not exist or cannot be watched, the token file is polled this often. */
const POLL_INTERVAL_MS = 500;

type Listener = (token: string | undefined) => void;

/** What a read of the token file found: a token (or none), or a file the store refuses to use. */
type TokenRead = { token: string | undefined } | { refusal: BalenaSettingsPermissionError };

/**
 * The token store of the balena CLI and balena-sdk on Node: `<dataDirectory>/token`, the bare token
 * with no newline. Writes are atomic (a `token.<random>.tmp` file in the same directory, written,
 * flushed, then renamed over `token`) with mode 0600; a missing directory is created with mode 0700
 * (parents too). Reads trim, and an empty file means no token. Lack of permission rejects with
 * `BalenaSettingsPermissionError` naming the path and the fix, and so does a `token` that the store
 * refuses to read: a symbolic link (never followed), a FIFO, socket or device (never waited on), or
 * a file over 64 KiB. A refused file is left in place; only a login or logout replaces or removes
 * it (the link itself, never its target). Other files in the directory are never
 * touched. `subscribe` watches the directory (or polls the file while the directory does not exist)
 * and reports changes made by other processes (the balena CLI, another script), never this store's
 * own writes. `exclusive` holds `token.lock` in the directory, shared by every process using it.
 *
 * @example
 * import { createAuth } from '@balena-auth/machine';
 * import { fileTokenStore } from '@balena-auth/adapter-node';
 * const { auth } = createAuth({ store: fileTokenStore('/home/ada/.balena') });
 */
export function fileTokenStore(dataDirectory: string): TokenStore {
  if (typeof dataDirectory !== 'string' || dataDirectory === '')
    throw new TypeError('fileTokenStore needs the data directory, a non-empty path');
  const directory = path.resolve(dataDirectory);
  const file = path.join(directory, TOKEN_FILE);
  /** What this store last wrote, removed or read: a watcher event reporting it is not news. */
  let known: string | undefined;

  const read = async (): Promise<TokenRead> => {
    try {
      const found = await readRegularFile(file, MAX_TOKEN_BYTES);
      if ('text' in found) return { token: found.text.trim() || undefined };
      if (found.refused === 'directory') return { token: undefined };
      return { refusal: refusalError(found.refused, file) };
    } catch (error) {
      if (isAbsent(error)) return { token: undefined };
      throw storeError(error, 'read', file, directory);
    }
  };

  const removeStaleTempFiles = async () => {
    const names = await readdir(directory).catch(() => []);
    await Promise.all(
      names
        .filter((name) => TEMP_FILE.test(name))
        .map(async (name) => {
          const temp = path.join(directory, name);
          const { mtimeMs } = await stat(temp);
          if (Date.now() - mtimeMs > STALE_TEMP_MS) await unlink(temp);
        }),
    ).catch(() => {});
  };

  const watcher = directoryWatcher(directory, file, async (listeners) => {
    let found: TokenRead;
    try {
      found = await read();
    } catch {
      return; // unreadable now: the next read by the machine reports the error
    }
    // A file the store refuses is no usable token: the machine reads again and hears why.
    const token = 'token' in found ? found.token : undefined;
    if (token === known) return;
    known = token;
    for (const listener of listeners) listener(token);
  });

  return {
    async get() {
      const found = await read();
      known = 'token' in found ? found.token : undefined;
      if ('refusal' in found) throw found.refusal;
      return known;
    },

    async set(token) {
      try {
        await mkdir(directory, { recursive: true, mode: 0o700 });
      } catch (error) {
        throw storeError(error, 'create the directory for', file, directory);
      }
      const temp = path.join(directory, `${TOKEN_FILE}.${randomHex(8)}.tmp`);
      const previous = known;
      try {
        const handle = await open(temp, 'wx', 0o600);
        try {
          await handle.writeFile(token, 'utf8');
          await handle.sync();
        } finally {
          await handle.close();
        }
        known = token;
        await rename(temp, file);
      } catch (error) {
        known = previous;
        await unlink(temp).catch(() => {});
        throw storeError(error, 'write', file, directory);
      }
      await removeStaleTempFiles();
    },

    async remove() {
      const previous = known;
      known = undefined;
      try {
        await unlink(file);
      } catch (error) {
        if (isAbsent(error)) return;
        known = previous;
        throw storeError(error, 'remove', file, directory);
      }
    },

    subscribe: watcher.subscribe,
    exclusive: directoryLock(directory),
  };
}

/**
 * Calls `check(listeners)` (debounced) whenever `file` may have changed: `fs.watch` on its directory,
 * which survives the rename of the file. While the directory does not exist (not created yet, or
 * deleted) or cannot be watched, the file is polled instead, and the directory watched again as soon
 * as the file appears. Nothing is created, nothing keeps the process alive, and the last unsubscribe
 * closes everything.
 */
function directoryWatcher(
  directory: string,
  file: string,
  check: (listeners: Set<Listener>) => Promise<void>,
) {
  const listeners = new Set<Listener>();
  let stopWatching: (() => void) | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let checks = Promise.resolve();

  const scheduleCheck = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      checks = checks.then(() => check(listeners)).catch(() => {});
    }, WATCH_DEBOUNCE_MS);
    debounce.unref();
  };

  const watchDirectory = (): (() => void) | undefined => {
    let watcher: FSWatcher;
    let inode: number;
    try {
      inode = statSync(directory).ino;
      watcher = watch(directory, { persistent: false });
    } catch {
      return undefined;
    }
    const fallBackToPolling = () => {
      watcher.close();
      stopWatching = poll();
      scheduleCheck();
    };
    watcher.on('error', fallBackToPolling);
    watcher.on('change', (_event, name) => {
      if (name !== null && String(name).startsWith(`${TOKEN_FILE}.`)) return; // temp files, the lock
      if (name === null || String(name) === TOKEN_FILE) return scheduleCheck();
      // Any other name may be the directory itself being deleted or replaced.
      if (directoryInode(directory) !== inode) fallBackToPolling();
    });
    return () => watcher.close();
  };

  const poll = (): (() => void) => {
    const onStat = (current: Stats, previous: Stats) => {
      if (
        current.ino === previous.ino &&
        current.mtimeMs === previous.mtimeMs &&
        current.size === previous.size
      )
        return;
      scheduleCheck();
      const watching = watchDirectory();
      if (watching === undefined) return;
      unwatchFile(file, onStat);
      stopWatching = watching;
    };
    watchFile(file, { persistent: false, interval: POLL_INTERVAL_MS }, onStat);
    return () => unwatchFile(file, onStat);
  };

  return {
    subscribe(listener: Listener): () => void {
      listeners.add(listener);
      stopWatching ??= watchDirectory() ?? poll();
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        stopWatching?.();
        stopWatching = undefined;
        clearTimeout(debounce);
      };
    },
  };
}

function directoryInode(directory: string): number | undefined {
  try {
    return statSync(directory).ino;
  } catch {
    return undefined;
  }
}

function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** The error for a `token` file the store will not read; the file is left as it is. */
function refusalError(refusal: Exclude<Refusal, 'directory'>, file: string): BalenaSettingsPermissionError {
  const why = {
    'symbolic link': 'it is a symbolic link, which this store never follows',
    'not a regular file': 'it is not a regular file (a FIFO, socket or device)',
    'too large': `it is larger than ${MAX_TOKEN_BYTES / 1024} KiB, which no balena token is`,
  }[refusal];
  return new BalenaSettingsPermissionError(
    `Refused to read the balena token at ${file}: ${why}. ` +
      'Log in again to replace it with a token file, or delete it.',
  );
}

/** EACCES, EPERM and EROFS become a `BalenaSettingsPermissionError` saying what to do; others pass. */
function storeError(error: unknown, action: string, file: string, directory: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EROFS')
    return new BalenaSettingsPermissionError(
      `Cannot ${action} the balena token at ${file}: the file system is read-only (EROFS). ` +
        'Point BALENARC_DATA_DIRECTORY to a writable directory, or use dataDirectory: false to keep the login in memory.',
    );
  if (code === 'EACCES' || code === 'EPERM')
    return new BalenaSettingsPermissionError(
      `Cannot ${action} the balena token at ${file}: permission denied (${code}). ` +
        `The balena data directory must belong to the user running this program; fix it with \`sudo chown -R $USER ${directory}\` ` +
        '(it often happens after running the balena CLI with sudo), or point BALENARC_DATA_DIRECTORY elsewhere.',
    );
  return error;
}
