import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BalenaSettingsPermissionError } from '@balena-auth/machine';
import { describe, expect, it } from 'vitest';
import { fileTokenStore } from '../src/index.ts';
import { onCleanup, tempDirectory, within } from './support.ts';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MX0.c2lnbmF0dXJl';
const NOT_A_TOKEN = 'the contents of some other file, which must never be sent as a token';
const MAX_TOKEN_BYTES = 64 * 1024;

/**
 * How `promise` settled within `ms`, in a few words: `pending`, `resolved <n> characters` (never
 * the value itself, which may be 100 MB), `resolved undefined`, or `rejected <class>: <message>`.
 */
async function settledWithin(ms: number, promise: Promise<string | undefined>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => `resolved ${value === undefined ? 'undefined' : `${value.length} characters`}`,
        (error: Error) => `rejected ${error.constructor.name}: ${error.message}`,
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A FIFO at `file`; after the test a writer opens and closes it, so that no reader stays blocked. */
function fifo(file: string): void {
  execFileSync('mkfifo', [file]);
  onCleanup(async () => {
    const writer = await open(file, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
    await writer?.close();
  });
}

describe('fileTokenStore: what it refuses to read', () => {
  it('refuses a token that is a symbolic link, and never reads, writes or deletes its target', async () => {
    const directory = await tempDirectory();
    const elsewhere = await tempDirectory();
    const target = path.join(elsewhere, 'secret.txt');
    await writeFile(target, NOT_A_TOKEN);
    const link = path.join(directory, 'token');
    await symlink(target, link);
    const store = fileTokenStore(directory);

    const read = store.get();
    await expect(read).rejects.toBeInstanceOf(BalenaSettingsPermissionError);
    await expect(read).rejects.toThrow(`Refused to read the balena token at ${link}: it is a symbolic link`);
    expect((await lstat(link)).isSymbolicLink()).toBe(true); // refused, not removed

    await store.set(JWT); // a login replaces the link itself
    expect((await lstat(link)).isFile()).toBe(true);
    expect(await readFile(link, 'utf8')).toBe(JWT);
    expect(await readFile(target, 'utf8')).toBe(NOT_A_TOKEN);

    await symlink(target, path.join(directory, 'token.next'));
    await store.remove(); // so does a logout
    expect(await readdir(directory)).toEqual(['token.next']);
    expect(await readFile(target, 'utf8')).toBe(NOT_A_TOKEN);
  });

  it('refuses a symbolic link to a directory or to nothing, leaving it in place', async () => {
    const directory = await tempDirectory();
    const link = path.join(directory, 'token');
    await symlink(path.join(directory, 'nowhere'), link);
    await expect(fileTokenStore(directory).get()).rejects.toThrow('it is a symbolic link');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
  });

  it('refuses a 100 MB token file at once, without reading it into memory', async () => {
    const directory = await tempDirectory();
    const file = path.join(directory, 'token');
    await writeFile(file, JWT);
    await truncate(file, 100 * 1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const outcome = await settledWithin(1000, fileTokenStore(directory).get());
    const tookMs = performance.now() - started;
    const grewBytes = process.memoryUsage().arrayBuffers - before;

    expect(outcome).toMatch(/^rejected BalenaSettingsPermissionError: .* it is larger than 64 KiB/);
    expect(tookMs).toBeLessThan(500);
    expect(grewBytes).toBeLessThan(1024 * 1024);
    expect((await lstat(file)).size).toBe(100 * 1024 * 1024); // left as it was
  });

  it('reads a token of exactly 64 KiB, and refuses one byte more', async () => {
    const directory = await tempDirectory();
    const file = path.join(directory, 'token');
    await writeFile(file, 'a'.repeat(MAX_TOKEN_BYTES));
    expect(await fileTokenStore(directory).get()).toHaveLength(MAX_TOKEN_BYTES);
    await writeFile(file, 'a'.repeat(MAX_TOKEN_BYTES + 1));
    await expect(fileTokenStore(directory).get()).rejects.toThrow('larger than 64 KiB');
  });

  it('refuses a FIFO named token within a second instead of waiting for a writer forever', async () => {
    const directory = await tempDirectory();
    const file = path.join(directory, 'token');
    fifo(file);
    const outcome = await settledWithin(1000, fileTokenStore(directory).get());
    expect(outcome).toMatch(/^rejected BalenaSettingsPermissionError: .* it is not a regular file/);
    expect((await lstat(file)).isFIFO()).toBe(true);
  });

  it('reads a directory named token as no token, and leaves it and its contents alone', async () => {
    const directory = await tempDirectory();
    const token = path.join(directory, 'token');
    await mkdir(token);
    await writeFile(path.join(token, 'inside'), NOT_A_TOKEN);
    const outcome = await settledWithin(1000, fileTokenStore(directory).get());
    expect(outcome).toBe('resolved undefined');
    expect(await readFile(path.join(token, 'inside'), 'utf8')).toBe(NOT_A_TOKEN);
  });

  it('tells subscribers the token is gone when another process replaces it with a symbolic link', async () => {
    const directory = await tempDirectory();
    const elsewhere = await tempDirectory();
    const target = path.join(elsewhere, 'secret.txt');
    await writeFile(target, NOT_A_TOKEN);
    const store = fileTokenStore(directory);
    await store.set(JWT);
    expect(await store.get()).toBe(JWT);
    const heard: (string | undefined)[] = [];
    const unsubscribe = store.subscribe?.((token) => heard.push(token));
    onCleanup(() => unsubscribe?.());

    const swap = path.join(directory, 'swap');
    await symlink(target, swap);
    execFileSync('mv', ['-T', swap, path.join(directory, 'token')]);
    await within(2000, () => heard.length > 0);
    expect(heard).toEqual([undefined]);
    expect(await readFile(target, 'utf8')).toBe(NOT_A_TOKEN);
  });
});
