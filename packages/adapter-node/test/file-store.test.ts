import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTokenStore } from '../src/index.ts';
import { onCleanup, sleep, tempDirectory, within } from './support.ts';

const POLL_INTERVAL_MS = 500;

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MX0.c2lnbmF0dXJl';
const API_KEY = 'abcdefghijklmnopqrstuvwxyzABCDEF';

const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

/** A subscription that records what it hears, closed after the test. */
function listen(store: ReturnType<typeof fileTokenStore>) {
  const heard: (string | undefined)[] = [];
  const unsubscribe = store.subscribe?.((token) => heard.push(token));
  onCleanup(() => unsubscribe?.());
  return { heard, unsubscribe: unsubscribe as () => void };
}

describe('fileTokenStore: the token file', () => {
  it('writes <dataDirectory>/token as the bare token, no newline, no quotes', async () => {
    const directory = await tempDirectory();
    await fileTokenStore(directory).set(JWT);
    expect(await readFile(path.join(directory, 'token'), 'utf8')).toBe(JWT);
  });

  it('writes the file with mode 0600 and creates the directory, and its missing parents, with mode 0700', async () => {
    const root = await tempDirectory();
    const directory = path.join(root, 'missing-parent', '.balena');
    await fileTokenStore(directory).set(JWT);
    expect(await modeOf(path.join(directory, 'token'))).toBe(0o600);
    expect(await modeOf(directory)).toBe(0o700);
    expect(await modeOf(path.dirname(directory))).toBe(0o700);
  });

  it('replaces a 0644 file written by balena-sdk with a 0600 one', async () => {
    const directory = await tempDirectory();
    await writeFile(path.join(directory, 'token'), API_KEY, { mode: 0o644 });
    await fileTokenStore(directory).set(JWT);
    expect(await modeOf(path.join(directory, 'token'))).toBe(0o600);
  });

  it('leaves the mode of a directory the user made alone', async () => {
    const directory = await tempDirectory();
    const own = path.join(directory, 'mine');
    await mkdir(own, { mode: 0o755 });
    await fileTokenStore(own).set(JWT);
    expect(await modeOf(own)).toBe(0o755);
  });

  it('leaves no temp file behind and never touches the other files in the directory', async () => {
    const directory = await tempDirectory();
    await writeFile(path.join(directory, 'cachedUsername'), '{"token":"x","username":"ada"}');
    await mkdir(path.join(directory, 'cache'));
    await writeFile(path.join(directory, 'cache', 'entry'), 'cached');
    const store = fileTokenStore(directory);
    await store.set(JWT);
    await store.set(API_KEY);
    await store.remove();
    expect((await readdir(directory)).sort()).toEqual(['cache', 'cachedUsername']);
    expect(await readFile(path.join(directory, 'cachedUsername'), 'utf8')).toBe(
      '{"token":"x","username":"ada"}',
    );
    expect(await readFile(path.join(directory, 'cache', 'entry'), 'utf8')).toBe('cached');
  });

  it('deletes temp files older than a minute (left by a killed writer) on the next write, and keeps fresh ones', async () => {
    const directory = await tempDirectory();
    const stale = path.join(directory, 'token.0123456789abcdef.tmp');
    const fresh = path.join(directory, 'token.fedcba9876543210.tmp');
    await writeFile(stale, 'eyJ-partial');
    await writeFile(fresh, 'eyJ-in-flight');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(stale, twoMinutesAgo, twoMinutesAgo);
    await fileTokenStore(directory).set(JWT);
    expect((await readdir(directory)).sort()).toEqual(['token', 'token.fedcba9876543210.tmp']);
  });

  it('reads a missing file, an empty file and a whitespace-only file as no token', async () => {
    const directory = await tempDirectory();
    const store = fileTokenStore(directory);
    expect(await store.get()).toBeUndefined();
    await writeFile(path.join(directory, 'token'), '');
    expect(await store.get()).toBeUndefined();
    await writeFile(path.join(directory, 'token'), ' \n');
    expect(await store.get()).toBeUndefined();
  });

  it('reads a missing directory as no token, without creating it', async () => {
    const root = await tempDirectory();
    expect(await fileTokenStore(path.join(root, 'nope')).get()).toBeUndefined();
    expect(await readdir(root)).toEqual([]);
  });

  it('trims what it reads (a token saved by hand with a trailing newline)', async () => {
    const directory = await tempDirectory();
    await writeFile(path.join(directory, 'token'), `  ${JWT}\n`);
    expect(await fileTokenStore(directory).get()).toBe(JWT);
  });

  it('reads a token written by balena-sdk (plain writeFile) as it is', async () => {
    const directory = await tempDirectory();
    await writeFile(path.join(directory, 'token'), API_KEY, 'utf8');
    expect(await fileTokenStore(directory).get()).toBe(API_KEY);
  });

  it('removes the file, and succeeds when there is none', async () => {
    const directory = await tempDirectory();
    const store = fileTokenStore(directory);
    await store.set(JWT);
    await store.remove();
    await expect(stat(path.join(directory, 'token'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(store.remove()).resolves.toBeUndefined();
  });

  it('refuses an empty data directory (it would mean the current directory)', () => {
    expect(() => fileTokenStore('')).toThrow('fileTokenStore needs the data directory, a non-empty path');
  });

  it('rejects a write under a path whose parent is a file with the file system error (ENOTDIR)', async () => {
    const root = await tempDirectory();
    await writeFile(path.join(root, 'file'), 'not a directory');
    await expect(fileTokenStore(path.join(root, 'file', '.balena')).set(JWT)).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
  });
});

describe('fileTokenStore: subscribe', () => {
  it('reports a token written by another process (a plain write, as balena-sdk does)', async () => {
    const directory = await tempDirectory();
    const { heard } = listen(fileTokenStore(directory));
    await writeFile(path.join(directory, 'token'), API_KEY);
    await within(1000, () => heard.length > 0);
    expect(heard).toEqual([API_KEY]);
  });

  it('reports rename-based writes by another store, again and again (the watch survives the rename)', async () => {
    const directory = await tempDirectory();
    const { heard } = listen(fileTokenStore(directory));
    const other = fileTokenStore(directory);
    await other.set(JWT);
    await within(1000, () => heard.length === 1);
    await other.set(API_KEY);
    await within(1000, () => heard.length === 2);
    await other.remove();
    await within(1000, () => heard.length === 3);
    expect(heard).toEqual([JWT, API_KEY, undefined]);
  });

  it("does not report the store's own writes and removals", async () => {
    const directory = await tempDirectory();
    const store = fileTokenStore(directory);
    const { heard } = listen(store);
    await store.set(JWT);
    await store.set(API_KEY);
    await store.remove();
    await sleep(200);
    expect(heard).toEqual([]);
  });

  it('reports nothing when a file is rewritten with the token it already held', async () => {
    const directory = await tempDirectory();
    const store = fileTokenStore(directory);
    await store.set(JWT);
    const { heard } = listen(store);
    await writeFile(path.join(directory, 'token'), `${JWT}\n`);
    await sleep(200);
    expect(heard).toEqual([]);
  });

  it('ignores changes to other files in the directory', async () => {
    const directory = await tempDirectory();
    const { heard } = listen(fileTokenStore(directory));
    await writeFile(path.join(directory, 'cachedUsername'), '{}');
    await mkdir(path.join(directory, 'cache'));
    await sleep(200);
    expect(heard).toEqual([]);
  });

  it('watches a data directory that does not exist yet without creating it, and reports the first login', async () => {
    const root = await tempDirectory();
    const directory = path.join(root, '.balena');
    const { heard } = listen(fileTokenStore(directory));
    expect(await readdir(root)).toEqual([]);
    await fileTokenStore(directory).set(JWT);
    await within(2000, () => heard.length === 1);
    // From then on the directory itself is watched: the next change arrives without polling delay.
    await fileTokenStore(directory).set(API_KEY);
    expect(await within(2000, () => heard.length === 2)).toBeLessThan(POLL_INTERVAL_MS);
    expect(heard).toEqual([JWT, API_KEY]);
  });

  it('keeps reporting after the directory is deleted and made again', async () => {
    const directory = await tempDirectory();
    const store = fileTokenStore(directory);
    await store.set(JWT);
    const { heard } = listen(store);
    await rm(directory, { recursive: true });
    await within(1000, () => heard.length === 1);
    await mkdir(directory);
    await writeFile(path.join(directory, 'token'), API_KEY);
    await within(2000, () => heard.length === 2);
    await fileTokenStore(directory).set(JWT);
    await within(2000, () => heard.length === 3);
    expect(heard).toEqual([undefined, API_KEY, JWT]);
  });

  it('stops reporting after unsubscribe', async () => {
    const directory = await tempDirectory();
    const { heard, unsubscribe } = listen(fileTokenStore(directory));
    unsubscribe();
    await writeFile(path.join(directory, 'token'), API_KEY);
    await sleep(200);
    expect(heard).toEqual([]);
  });
});
