import { balenaSettings } from './settings.ts';

/**
 * The balena CLI's data directory, where it keeps `token`: `BALENARC_DATA_DIRECTORY`, else
 * `dataDirectory:` in `./balenarc.yml`, `~/.balenarc.yml` or the legacy resinrc files, else
 * `~/.balena` (`%UserProfile%\_balena` on Windows). A relative setting is resolved against `cwd`.
 * Throws when the settings say `dataDirectory: false` (in-memory: there is no directory;
 * `createNodeAuth()` then keeps the token in memory) or a setting file is not valid YAML.
 *
 * `env` is any map of variable names to values (`process.env` by default); the type is spelled out
 * so that the published declarations need no `@types/node`.
 *
 * @example
 * resolveDataDirectory(); // '/home/ada/.balena'
 * resolveDataDirectory({ BALENARC_DATA_DIRECTORY: '/srv/balena' }); // '/srv/balena'
 */
export function resolveDataDirectory(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): string {
  const { dataDirectory } = balenaSettings({ env, cwd, platform: process.platform });
  if (dataDirectory === false)
    throw new Error(
      'The balena settings say dataDirectory: false (keep the login in memory), so there is no data directory',
    );
  return dataDirectory;
}
