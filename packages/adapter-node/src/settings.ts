import { readFileSync } from 'node:fs';
// A default import: a bundled app whose banner declares `createRequire` (esbuild's usual recipe for
// ESM on Node) would clash with a named one at the bundle's top level.
import nodeModule from 'node:module';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Where the balena settings are read from; `resolveDataDirectory` passes the real process's. The
 * platform decides the names (`_balena`, `_balenarc.yml` and `%UserProfile%` on Windows); paths are
 * joined the running system's way.
 */
export interface SettingsSources {
  env: NodeJS.ProcessEnv;
  cwd: string;
  platform: NodeJS.Platform;
}

/** The settings the Node adapter needs, merged like balena-settings-client (later sources win). */
export interface BalenaSettings {
  /** A directory path (relative ones resolved against `cwd`), or false for in-memory storage. */
  dataDirectory: string | false;
  /** `apiUrl` if set, else `https://api.<balenaUrl>`, `balenaUrl` defaulting to `balena-cloud.com`. */
  apiUrl: string;
}

const DEFAULT_BALENA_URL = 'balena-cloud.com';
const SETTING_VARIABLE = /^(?:BALENARC|RESINRC)_(.+)$/i;

/**
 * Reads the balena settings the way the balena CLI does (balena-settings-client): defaults, then
 * `~/.resinrc.yml` (keys with `resin` rewritten to `balena`), `~/.balenarc.yml`, `./resinrc.yml`
 * (rewritten too), `./balenarc.yml`, then the non-empty `RESINRC_*` and `BALENARC_*` variables,
 * camel-cased (`BALENARC_DATA_DIRECTORY` → `dataDirectory`). Home files are `_resinrc.yml` and
 * `_balenarc.yml` on Windows, and the default data directory `~/.balena` (`_balena` on Windows).
 *
 * @example
 * balenaSettings({ env: { HOME: '/home/ada' }, cwd: '/srv', platform: 'linux' }).dataDirectory;
 * // '/home/ada/.balena' (unless /home/ada/.balenarc.yml or /srv/balenarc.yml says otherwise)
 */
export function balenaSettings({ env, cwd, platform }: SettingsSources): BalenaSettings {
  const hidden = (name: string) => (platform === 'win32' ? `_${name}` : `.${name}`);
  const home = (platform === 'win32' ? env.USERPROFILE : env.HOME) || homedir() || tmpdir();
  const settings: Record<string, unknown> = Object.assign(
    {},
    renameResinKeys(readSettingsFile(path.join(home, hidden('resinrc.yml')))),
    readSettingsFile(path.join(home, hidden('balenarc.yml'))),
    renameResinKeys(readSettingsFile(path.join(cwd, 'resinrc.yml'))),
    readSettingsFile(path.join(cwd, 'balenarc.yml')),
    settingsFromEnvironment(env),
  );

  const { dataDirectory, balenaUrl, apiUrl } = settings;
  return {
    dataDirectory:
      dataDirectory === false
        ? false
        : nonEmptyString(dataDirectory, 'dataDirectory', 'a path or false') !== undefined
          ? path.resolve(cwd, dataDirectory as string)
          : path.join(home, hidden('balena')),
    apiUrl:
      nonEmptyString(apiUrl, 'apiUrl', 'a URL') ??
      `https://api.${nonEmptyString(balenaUrl, 'balenaUrl', 'a host name') ?? DEFAULT_BALENA_URL}`,
  };
}

/**
 * `yaml`'s `parse`, loaded on the first settings file that exists: most programs have none (or pass
 * `dataDirectory` and `apiUrl`), and loading the parser is a large part of a cold start.
 * Synchronous, like the settings it serves, so it is `require`d (yaml ships CommonJS for Node).
 */
function loadYamlParser(file: string): (text: string) => unknown {
  try {
    return (nodeModule.createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse;
  } catch (error) {
    throw new Error(
      `Reading the balena settings file ${file} needs the yaml package, which could not be loaded ` +
        `(${(error as Error).message.split('\n')[0]}). Install yaml where the app runs, or pass ` +
        'dataDirectory and apiUrl.',
      { cause: error },
    );
  }
}

/** The YAML mapping in `file`, `{}` when the file does not exist or holds no document. */
function readSettingsFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parseYaml = loadYamlParser(file);
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new Error(`Error parsing config file ${file}: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`Error parsing config file ${file}: expected a mapping of settings`);
  return parsed as Record<string, unknown>;
}

/** The legacy resinrc files' keys, with the first `resin` in each key rewritten to `balena`. */
function renameResinKeys(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [key.replace('resin', 'balena'), value]),
  );
}

/** `RESINRC_*` then `BALENARC_*` (which win), empty values ignored. */
function settingsFromEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const entries = Object.entries(env).filter(
    (entry): entry is [string, string] => SETTING_VARIABLE.test(entry[0]) && !!entry[1],
  );
  const byPrefix = (prefix: string) => entries.filter(([key]) => key.toUpperCase().startsWith(prefix));
  return Object.fromEntries(
    [...byPrefix('RESINRC_'), ...byPrefix('BALENARC_')].map(([key, value]) => [
      settingName((SETTING_VARIABLE.exec(key) as RegExpExecArray)[1]),
      value,
    ]),
  );
}

/** `DATA_DIRECTORY` → `dataDirectory`, `RESIN_URL` → `balenaUrl`, as balena-settings-client names them. */
function settingName(variable: string): string {
  const words = variable
    .replace(/(^|_)RESIN(_|$)/, '$1BALENA$2')
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z\d]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
  return words.map((word, index) => (index === 0 ? word : word[0].toUpperCase() + word.slice(1))).join('');
}

function nonEmptyString(value: unknown, name: string, expected: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new Error(`The balena setting ${name} must be ${expected}, not ${JSON.stringify(value)}`);
  return value;
}
