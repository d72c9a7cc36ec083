import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeAuth } from '../src/index.ts';
import { FIXTURES, jsonResult, onCleanup, runTs, tempDirectory, within } from './support.ts';

type SdkResult = { command: string; ok: true; value: unknown } | { command: string; ok: false; code: string };

/**
 * The real balena-sdk@22, a fresh instance in a process of its own for each call (balena-sdk caches
 * the token in memory per instance and the storage per directory, so only a new process is a truly
 * fresh reader).
 */
async function balenaSdk(emulator: Emulator, dataDirectory: string, ...commands: string[]) {
  const child = runTs(path.join(FIXTURES, 'balena-sdk-child.ts'), [emulator.url, dataDirectory, ...commands]);
  await jsonResult(child);
  const results = child
    .stdout()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SdkResult);
  return Object.fromEntries(results.map((result) => [result.command, result]));
}

/** A fresh client of ours on `dataDirectory`, stopped after the test. */
async function ours(emulator: Emulator, dataDirectory: string) {
  const client = createNodeAuth({ apiUrl: emulator.url, dataDirectory });
  onCleanup(() => client.stop());
  await client.ready();
  return client;
}

describe('interop with the real balena-sdk@22 on one data directory', () => {
  let emulator: Emulator;
  const ada = { email: 'ada@example.com', password: 'ada-password' };
  const bob = { email: 'bob@example.com', password: 'bob-password' };
  beforeAll(async () => {
    emulator = await startEmulator({ loginRateLimit: false });
    await emulator.createUser({ ...ada, username: 'ada' });
    await emulator.createUser({ ...bob, username: 'bob' });
  });
  afterAll(() => emulator.close());

  it('balena-sdk logs in; a fresh client of ours reads the same token and is logged in', async () => {
    const directory = await tempDirectory();
    const sdk = await balenaSdk(emulator, directory, `login:${ada.email}:${ada.password}`, 'getToken');
    expect(sdk.getToken).toMatchObject({ ok: true });
    const sdkToken = (sdk.getToken as { value: string }).value;

    const client = await ours(emulator, directory);
    expect(await client.auth.getToken()).toBe(sdkToken);
    expect(await client.auth.isLoggedIn()).toBe(true);
    expect((await client.auth.getUserInfo()).username).toBe('ada');
  }, 20_000);

  it('we log in; a fresh balena-sdk reads our token (0600 file) and is logged in', async () => {
    const directory = await tempDirectory();
    const client = await ours(emulator, directory);
    await client.auth.login(bob);
    const token = await client.auth.getToken();
    expect((await stat(path.join(directory, 'token'))).mode & 0o777).toBe(0o600);

    const sdk = await balenaSdk(emulator, directory, 'getToken', 'isLoggedIn', 'whoami');
    expect(sdk.getToken).toEqual({ command: 'getToken', ok: true, value: token });
    expect(sdk.isLoggedIn).toEqual({ command: 'isLoggedIn', ok: true, value: true });
    expect(sdk.whoami).toMatchObject({ ok: true, value: { actorType: 'user', username: 'bob' } });
  }, 20_000);

  it('balena-sdk logs out; a fresh client of ours is logged out, and a running one hears of it', async () => {
    const directory = await tempDirectory();
    await writeFile(path.join(directory, 'cachedUsername'), '{"token":"x","username":"ada"}');
    const running = await ours(emulator, directory);
    await running.auth.login(ada);
    expect(await running.auth.isLoggedIn()).toBe(true);

    const sdk = await balenaSdk(emulator, directory, 'isLoggedIn', 'logout', 'getToken');
    expect(sdk.isLoggedIn).toMatchObject({ ok: true, value: true });
    expect(sdk.getToken).toMatchObject({ ok: false, code: 'BalenaNotLoggedIn' });

    const fresh = await ours(emulator, directory);
    expect(await fresh.auth.isLoggedIn()).toBe(false);
    await expect(fresh.auth.getToken()).rejects.toMatchObject({ code: 'BalenaNotLoggedIn' });
    await within(1000, async () => (await running.auth.isLoggedIn()) === false);
    await expect(running.auth.getToken()).rejects.toMatchObject({ code: 'BalenaNotLoggedIn' });
    expect(await readdir(directory)).toEqual(['cachedUsername']);
  }, 20_000);

  it('we log out; a fresh balena-sdk is logged out, and the other files stay', async () => {
    const directory = await tempDirectory();
    await writeFile(path.join(directory, 'cachedUsername'), '{"token":"x","username":"bob"}');
    const sdkLogin = await balenaSdk(emulator, directory, `login:${bob.email}:${bob.password}`);
    expect(sdkLogin.login).toMatchObject({ ok: true });

    const client = await ours(emulator, directory);
    expect(await client.auth.isLoggedIn()).toBe(true);
    await client.auth.logout();

    const sdk = await balenaSdk(emulator, directory, 'isLoggedIn', 'getToken');
    expect(sdk.isLoggedIn).toMatchObject({ ok: true, value: false });
    expect(sdk.getToken).toMatchObject({ ok: false, code: 'BalenaNotLoggedIn' });
    expect(await readdir(directory)).toEqual(['cachedUsername']);
    expect(await readFile(path.join(directory, 'cachedUsername'), 'utf8')).toBe(
      '{"token":"x","username":"bob"}',
    );
  }, 20_000);
});
