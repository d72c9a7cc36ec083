import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDirectory } from '../src/index.ts';
import { balenaSettings } from '../src/settings.ts';
import { tempDirectory } from './support.ts';

/** A home and a project directory, with the given settings files written in them. */
async function setup(files: Record<string, string> = {}) {
  const root = await tempDirectory();
  const home = path.join(root, 'home');
  const project = path.join(root, 'project');
  await mkdir(home);
  await mkdir(project);
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(root, name), text);
  }
  return { home, project };
}

describe('resolveDataDirectory (the balena CLI rules)', () => {
  it('defaults to ~/.balena', async () => {
    const { home, project } = await setup();
    expect(resolveDataDirectory({ HOME: home }, project)).toBe(path.join(home, '.balena'));
  });

  it('honours BALENARC_DATA_DIRECTORY', async () => {
    const { home, project } = await setup();
    expect(resolveDataDirectory({ HOME: home, BALENARC_DATA_DIRECTORY: '/srv/balena' }, project)).toBe(
      '/srv/balena',
    );
  });

  it('ignores an empty BALENARC_DATA_DIRECTORY, as balena-settings-client does', async () => {
    const { home, project } = await setup();
    expect(resolveDataDirectory({ HOME: home, BALENARC_DATA_DIRECTORY: '' }, project)).toBe(
      path.join(home, '.balena'),
    );
  });

  it('accepts the legacy RESINRC_DATA_DIRECTORY, with BALENARC_ winning over it', async () => {
    const { home, project } = await setup();
    expect(resolveDataDirectory({ HOME: home, RESINRC_DATA_DIRECTORY: '/legacy' }, project)).toBe('/legacy');
    expect(
      resolveDataDirectory(
        { HOME: home, BALENARC_DATA_DIRECTORY: '/new', RESINRC_DATA_DIRECTORY: '/legacy' },
        project,
      ),
    ).toBe('/new');
  });

  it('reads dataDirectory from ~/.balenarc.yml', async () => {
    const { home, project } = await setup({ 'home/.balenarc.yml': 'dataDirectory: /from/home\n' });
    expect(resolveDataDirectory({ HOME: home }, project)).toBe('/from/home');
  });

  it('reads dataDirectory from ./balenarc.yml in cwd, which wins over the home file', async () => {
    const { home, project } = await setup({
      'home/.balenarc.yml': 'dataDirectory: /from/home\n',
      'project/balenarc.yml': 'dataDirectory: /from/project\n',
    });
    expect(resolveDataDirectory({ HOME: home }, project)).toBe('/from/project');
  });

  it('lets the environment win over every file', async () => {
    const { home, project } = await setup({
      'home/.balenarc.yml': 'dataDirectory: /from/home\n',
      'project/balenarc.yml': 'dataDirectory: /from/project\n',
    });
    expect(resolveDataDirectory({ HOME: home, BALENARC_DATA_DIRECTORY: '/from/env' }, project)).toBe(
      '/from/env',
    );
  });

  it('reads the legacy ~/.resinrc.yml and ./resinrc.yml, each below its balenarc counterpart', async () => {
    const legacyHome = await setup({ 'home/.resinrc.yml': 'dataDirectory: /legacy/home\n' });
    expect(resolveDataDirectory({ HOME: legacyHome.home }, legacyHome.project)).toBe('/legacy/home');

    const both = await setup({
      'home/.resinrc.yml': 'dataDirectory: /legacy/home\n',
      'home/.balenarc.yml': 'dataDirectory: /from/home\n',
    });
    expect(resolveDataDirectory({ HOME: both.home }, both.project)).toBe('/from/home');

    const legacyProject = await setup({
      'home/.balenarc.yml': 'dataDirectory: /from/home\n',
      'project/resinrc.yml': 'dataDirectory: /legacy/project\n',
    });
    expect(resolveDataDirectory({ HOME: legacyProject.home }, legacyProject.project)).toBe('/legacy/project');

    const projectBoth = await setup({
      'project/resinrc.yml': 'dataDirectory: /legacy/project\n',
      'project/balenarc.yml': 'dataDirectory: /from/project\n',
    });
    expect(resolveDataDirectory({ HOME: projectBoth.home }, projectBoth.project)).toBe('/from/project');
  });

  it('resolves a relative dataDirectory against cwd', async () => {
    const { home, project } = await setup({ 'project/balenarc.yml': 'dataDirectory: ./state\n' });
    expect(resolveDataDirectory({ HOME: home }, project)).toBe(path.join(project, 'state'));
  });

  it('treats an empty settings file as no settings', async () => {
    const { home, project } = await setup({ 'home/.balenarc.yml': '# nothing here\n' });
    expect(resolveDataDirectory({ HOME: home }, project)).toBe(path.join(home, '.balena'));
  });

  it('names the file when a settings file is not valid YAML', async () => {
    const { home, project } = await setup({ 'project/balenarc.yml': 'dataDirectory: [unclosed\n' });
    expect(() => resolveDataDirectory({ HOME: home }, project)).toThrow(
      `Error parsing config file ${path.join(project, 'balenarc.yml')}`,
    );
  });

  it('refuses a dataDirectory that is neither a path nor false', async () => {
    const { home, project } = await setup({ 'project/balenarc.yml': 'dataDirectory: 42\n' });
    expect(() => resolveDataDirectory({ HOME: home }, project)).toThrow(
      'The balena setting dataDirectory must be a path or false, not 42',
    );
  });

  it('throws for dataDirectory: false, which means in-memory storage (createNodeAuth keeps the token in memory)', async () => {
    const { home, project } = await setup({ 'home/.balenarc.yml': 'dataDirectory: false\n' });
    expect(balenaSettings({ env: { HOME: home }, cwd: project, platform: 'linux' }).dataDirectory).toBe(
      false,
    );
    expect(() => resolveDataDirectory({ HOME: home }, project)).toThrow('dataDirectory: false');
  });
});

describe('balenaSettings on Windows (platform injected)', () => {
  it('defaults to _balena in %UserProfile% (not $HOME)', async () => {
    const { home, project } = await setup();
    expect(
      balenaSettings({ env: { USERPROFILE: home, HOME: '/elsewhere' }, cwd: project, platform: 'win32' })
        .dataDirectory,
    ).toBe(path.join(home, '_balena'));
  });

  it('reads _balenarc.yml and _resinrc.yml in the home directory, not the dot names', async () => {
    const { home, project } = await setup({
      'home/_balenarc.yml': 'dataDirectory: /from/underscore\n',
      'home/.balenarc.yml': 'dataDirectory: /from/dot\n',
    });
    expect(
      balenaSettings({ env: { USERPROFILE: home }, cwd: project, platform: 'win32' }).dataDirectory,
    ).toBe('/from/underscore');
    const legacy = await setup({ 'home/_resinrc.yml': 'dataDirectory: /from/legacy\n' });
    expect(
      balenaSettings({ env: { USERPROFILE: legacy.home }, cwd: legacy.project, platform: 'win32' })
        .dataDirectory,
    ).toBe('/from/legacy');
  });

  it('still reads balenarc.yml (no underscore) in cwd', async () => {
    const { home, project } = await setup({ 'project/balenarc.yml': 'dataDirectory: /from/project\n' });
    expect(
      balenaSettings({ env: { USERPROFILE: home }, cwd: project, platform: 'win32' }).dataDirectory,
    ).toBe('/from/project');
  });
});

describe('balenaSettings: the API URL, as the balena CLI derives it', () => {
  const apiUrl = async (env: NodeJS.ProcessEnv, files: Record<string, string> = {}) => {
    const { home, project } = await setup(files);
    return balenaSettings({ env: { HOME: home, ...env }, cwd: project, platform: 'linux' }).apiUrl;
  };

  it('defaults to https://api.balena-cloud.com', async () => {
    expect(await apiUrl({})).toBe('https://api.balena-cloud.com');
  });

  it('is https://api.<balenaUrl> for BALENARC_BALENA_URL', async () => {
    expect(await apiUrl({ BALENARC_BALENA_URL: 'balena-staging.com' })).toBe(
      'https://api.balena-staging.com',
    );
  });

  it('takes balenaUrl from balenarc.yml, and resinUrl from the legacy resinrc.yml (resin → balena)', async () => {
    expect(await apiUrl({}, { 'home/.balenarc.yml': 'balenaUrl: my-open-balena.local\n' })).toBe(
      'https://api.my-open-balena.local',
    );
    expect(await apiUrl({}, { 'home/.resinrc.yml': 'resinUrl: resin.io\n' })).toBe('https://api.resin.io');
  });

  it('takes RESINRC_RESIN_URL as balenaUrl', async () => {
    expect(await apiUrl({ RESINRC_RESIN_URL: 'legacy.example' })).toBe('https://api.legacy.example');
  });

  it('uses an explicit apiUrl setting as is', async () => {
    expect(await apiUrl({ BALENARC_API_URL: 'http://127.0.0.1:48480' })).toBe('http://127.0.0.1:48480');
  });
});
