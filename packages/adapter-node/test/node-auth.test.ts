import { chmod, chown, lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { memoryTokenStore } from '@balena-auth/machine';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNodeAuth } from '../src/index.ts';
import {
  bundleFixture,
  FIXTURES,
  jsonResult,
  NOBODY,
  onCleanup,
  runNode,
  runningAsRoot,
  runTs,
  tempDirectory,
  within,
} from './support.ts';

interface ChildReport {
  uid: number;
  error: { name: string; code?: string; message: string } | null;
  tokenHeld: boolean;
  isLoggedIn: boolean | 'error';
  state: unknown;
}

describe('createNodeAuth', () => {
  let emulator: Emulator;
  const ada = { email: 'ada@example.com', password: 'ada-password' };
  beforeAll(async () => {
    emulator = await startEmulator({ loginRateLimit: false });
    await emulator.createUser({ ...ada, username: 'ada' });
  });
  afterAll(() => emulator.close());

  const client = async (options: Parameters<typeof createNodeAuth>[0]) => {
    const created = createNodeAuth({ apiUrl: emulator.url, ...options });
    onCleanup(() => created.stop());
    await created.ready();
    return created;
  };

  /**
   * Runs the node-auth child, as `nobody` when the tests run as root (root ignores permissions);
   * bundled, so that it needs no access to the repository.
   */
  const childReport = async (args: string[]) => {
    const child = runNode([await bundleFixture('node-auth-child.ts'), emulator.url, ...args], {
      cwd: '/',
      ...(runningAsRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    return jsonResult<ChildReport>(child);
  };

  /** A temp directory that `nobody` can traverse. */
  const sharedTempDirectory = async () => {
    const root = await tempDirectory();
    await chmod(root, 0o755);
    return root;
  };

  it('keeps the login in <dataDirectory>/token: file 0600, directory 0700, read back by a fresh client', async () => {
    const root = await tempDirectory();
    const directory = path.join(root, '.balena');
    const first = await client({ dataDirectory: directory });
    await first.auth.login(ada);
    expect((await stat(path.join(directory, 'token'))).mode & 0o777).toBe(0o600);
    expect((await stat(directory)).mode & 0o777).toBe(0o700);

    const second = await client({ dataDirectory: directory });
    expect(await second.auth.getToken()).toBe(await first.auth.getToken());
    expect(await second.auth.isLoggedIn()).toBe(true);
  });

  it('resolves the data directory and the API like the balena CLI when neither is given', async () => {
    const directory = await tempDirectory();
    vi.stubEnv('BALENARC_DATA_DIRECTORY', directory);
    vi.stubEnv('BALENARC_API_URL', emulator.url);
    onCleanup(() => {
      vi.unstubAllEnvs();
    });
    const created = createNodeAuth();
    onCleanup(() => created.stop());
    await created.auth.login(ada);
    expect(await readdir(directory)).toEqual(['token']);
  });

  it('keeps the token in memory with dataDirectory: false', async () => {
    const home = await tempDirectory();
    vi.stubEnv('HOME', home);
    onCleanup(() => {
      vi.unstubAllEnvs();
    });
    const memory = await client({ dataDirectory: false });
    await memory.auth.login(ada);
    expect(await memory.auth.isLoggedIn()).toBe(true);
    expect(await readdir(home)).toEqual([]);
  });

  it('uses a given store instead of a file', async () => {
    const store = memoryTokenStore();
    const withStore = await client({ store, dataDirectory: '/nonexistent/never-used' });
    await withStore.auth.login(ada);
    expect(await store.get()).toBe(await withStore.auth.getToken());
  });

  it("follows another client's login and logout on the same directory (through the watcher)", async () => {
    const directory = await tempDirectory();
    const writer = await client({ dataDirectory: directory });
    const reader = await client({ dataDirectory: directory });
    await writer.auth.login(ada);
    const token = await writer.auth.getToken();
    await within(1000, async () => (await reader.auth.getToken().catch(() => undefined)) === token);
    expect(await reader.auth.isLoggedIn()).toBe(true);
    await writer.auth.logout();
    await within(1000, () => reader.actor.getSnapshot().matches({ session: 'anonymous' }));
    await expect(reader.auth.getToken()).rejects.toMatchObject({ code: 'BalenaNotLoggedIn' });
  });

  it('treats a stored value balena-sdk would parse as a number (an all-digit file) as malformed: logged out, file kept', async () => {
    const directory = await tempDirectory();
    await writeFile(path.join(directory, 'token'), '12345');
    const malformed = await client({ dataDirectory: directory });
    expect(await malformed.auth.isLoggedIn()).toBe(false);
    await expect(malformed.auth.getToken()).rejects.toMatchObject({ code: 'BalenaNotLoggedIn' });
    expect(await readdir(directory)).toEqual(['token']);
  });

  it('never sends the target of a symbolic link named token: signed out, the reason in context.error, the target untouched by a login', async () => {
    const directory = await tempDirectory();
    const target = path.join(await tempDirectory(), 'other-secret');
    const secret = await emulator.createApiKey(ada.email); // a credential the API would accept
    await writeFile(target, secret);
    await symlink(target, path.join(directory, 'token'));
    emulator.clearRequests();

    const linked = await client({ dataDirectory: directory });
    expect(linked.actor.getSnapshot().context.error).toMatchObject({
      code: 'BalenaSettingsPermissionError',
      message: expect.stringContaining('it is a symbolic link'),
    });
    expect(await linked.auth.isLoggedIn()).toBe(false);
    expect(emulator.requests()).toEqual([]);

    await linked.auth.login(ada);
    expect((await lstat(path.join(directory, 'token'))).isFile()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe(secret);
  });

  it('reads a JSON-quoted token as the string inside, as balena-settings-storage does', async () => {
    const directory = await tempDirectory();
    await writeFile(path.join(directory, 'token'), '"abcdefghijklmnopqrstuvwxyzABCDEF"');
    const quoted = await client({ dataDirectory: directory });
    expect(await quoted.auth.getToken()).toBe('abcdefghijklmnopqrstuvwxyzABCDEF');
  });

  it('lets the process exit without stop(): the watcher holds no handle', async () => {
    const directory = await tempDirectory();
    const script = path.join(await tempDirectory(), 'no-stop.mts');
    await writeFile(
      script,
      `import { createNodeAuth } from ${JSON.stringify(path.resolve(FIXTURES, '../../src/index.ts'))};
      const { ready, auth } = createNodeAuth({ apiUrl: ${JSON.stringify(emulator.url)}, dataDirectory: ${JSON.stringify(directory)} });
      await ready();
      await auth.login(${JSON.stringify(ada)});
      console.log(await auth.isLoggedIn());`,
    );
    const child = runTs(script);
    expect(await child.exited).toBe(0);
    expect(child.stdout().trim()).toBe('true');
  }, 20_000);

  describe('when the data directory cannot be written', () => {
    it('a read-only directory (0500): login rejects with BalenaSettingsPermissionError naming the path and the fix, and the session is kept in memory', async () => {
      const root = await sharedTempDirectory();
      const directory = path.join(root, 'read-only');
      await mkdir(directory);
      if (runningAsRoot) await chown(directory, NOBODY, NOBODY);
      await chmod(directory, 0o500);

      const report = await childReport([directory, 'login', ada.email, ada.password]);
      expect(report.uid).not.toBe(0);
      expect(report.error).toMatchObject({
        name: 'BalenaSettingsPermissionError',
        code: 'BalenaSettingsPermissionError',
      });
      expect(report.error?.message).toContain(path.join(directory, 'token'));
      expect(report.error?.message).toContain(`sudo chown -R $USER ${directory}`);
      expect(report.tokenHeld).toBe(true);
      expect(report.isLoggedIn).toBe(true);
      expect(report.state).toEqual({ session: 'authenticated', activity: { ready: 'idle' } });
      expect(await readdir(directory)).toEqual([]);
    }, 20_000);

    it('an unreadable token file: getToken rejects with BalenaSettingsPermissionError', async () => {
      const root = await sharedTempDirectory();
      const directory = path.join(root, 'locked');
      await mkdir(directory, { mode: 0o755 });
      await writeFile(path.join(directory, 'token'), 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MX0.c2ln', {
        mode: 0o600,
      });
      if (!runningAsRoot) await chmod(path.join(directory, 'token'), 0o000);

      const report = await childReport([directory, 'getToken']);
      expect(report.error).toMatchObject({ name: 'BalenaSettingsPermissionError' });
      expect(report.error?.message).toContain(path.join(directory, 'token'));
      expect(report.state).toEqual({ session: 'anonymous', activity: { ready: 'idle' } });
    }, 20_000);

    it('a path under a file (ENOTDIR): login rejects with that error and the session is kept in memory', async () => {
      const root = await tempDirectory();
      await writeFile(path.join(root, 'a-file'), '');
      const notADirectory = await client({ dataDirectory: path.join(root, 'a-file', '.balena') });
      await expect(notADirectory.auth.login(ada)).rejects.toMatchObject({ code: 'ENOTDIR' });
      expect(await notADirectory.auth.getToken()).toMatch(/^eyJ/);
      expect(await notADirectory.auth.isLoggedIn()).toBe(true);
    });
  });
});
