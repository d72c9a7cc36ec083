import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeAuth } from '../src/index.ts';
import { bundleFixture, FIXTURES, jsonResult, runNode, tempDirectory } from './support.ts';

interface ColdStart {
  tokenLength: number;
  username: string | null;
  yaml: boolean;
  ofetch: boolean;
}

/**
 * What a program that only reads its login loads: neither the YAML parser (only needed for a balenarc
 * file) nor ofetch (only needed by `client.api`). Each case is a fresh `node` process whose imports are
 * recorded by a resolve hook.
 */
describe('a cold start loads only what getToken() needs', () => {
  let emulator: Emulator;
  const ada = { email: 'ada@example.com', password: 'ada-password', username: 'ada' };
  beforeAll(async () => {
    emulator = await startEmulator({ loginRateLimit: false });
    await emulator.createUser(ada);
  });
  afterAll(() => emulator.close());

  /** A logged-in data directory, plus an empty home and working directory for the child. */
  const loggedIn = async () => {
    const root = await tempDirectory();
    const dataDirectory = path.join(root, 'data');
    const client = createNodeAuth({ apiUrl: emulator.url, dataDirectory });
    try {
      await client.auth.login(ada);
      return { root, dataDirectory, tokenLength: (await client.auth.getToken()).length };
    } finally {
      client.stop();
    }
  };

  const coldStart = async (root: string, args: string[]) => {
    const record = path.join(root, 'imports.txt');
    await writeFile(record, '');
    const child = runNode(
      [
        '--import',
        'tsx',
        '--import',
        path.join(FIXTURES, 'record-imports.mjs'),
        path.join(FIXTURES, 'cold-start-child.ts'),
        root,
        ...args,
      ],
      { env: { HOME: root, RECORD_IMPORTS: record } },
    );
    return jsonResult<ColdStart>(child);
  };

  it('with dataDirectory and apiUrl given: neither yaml nor ofetch is loaded', async () => {
    const { root, dataDirectory, tokenLength } = await loggedIn();
    const report = await coldStart(root, [emulator.url, dataDirectory]);
    expect(report).toEqual({ tokenLength, username: null, yaml: false, ofetch: false });
  });

  it('with the settings read but no balenarc file: neither yaml nor ofetch is loaded', async () => {
    const { root, dataDirectory, tokenLength } = await loggedIn();
    // No apiUrl and no dataDirectory: both come from the settings, the token from ~/.balena (HOME=root).
    await rename(dataDirectory, path.join(root, '.balena'));
    const report = await coldStart(root, ['-', '-']);
    expect(report).toEqual({ tokenLength, username: null, yaml: false, ofetch: false });
  });

  it('a balenarc.yml is parsed when there is one, and the first client.api call loads ofetch', async () => {
    const { root, tokenLength } = await loggedIn();
    await writeFile(
      path.join(root, 'balenarc.yml'),
      `# settings of this project\ndataDirectory: ./data\napiUrl: ${emulator.url}\n`,
    );
    const report = await coldStart(root, ['-', '-', 'api']);
    expect(report).toEqual({ tokenLength, username: ada.username, yaml: true, ofetch: true });
  });
});

describe('an app bundled into one file, without yaml installed next to it', () => {
  const resolveIn = async (files: Record<string, string>) => {
    const root = await tempDirectory();
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(root, name), text);
    // No NODE_PATH either (pnpm's scripts set one that reaches the workspace's packages).
    const child = runNode([await bundleFixture('settings-child.ts')], {
      cwd: root,
      env: { HOME: root, NODE_PATH: '' },
    });
    return { root, report: await jsonResult<{ directory?: string; error?: string }>(child) };
  };

  it('resolves the data directory when there is no settings file', async () => {
    const { root, report } = await resolveIn({});
    expect(report).toEqual({ directory: path.join(root, '.balena') });
  });

  it('refuses a balenarc.yml with an error naming the file and the fix', async () => {
    const { root, report } = await resolveIn({ 'balenarc.yml': 'dataDirectory: ./data\n' });
    expect(report.error).toContain(
      `Reading the balena settings file ${path.join(root, 'balenarc.yml')} needs the yaml package`,
    );
    expect(report.error).toContain("Cannot find module 'yaml'");
    expect(report.error).toContain('Install yaml where the app runs, or pass dataDirectory and apiUrl.');
  });
});
