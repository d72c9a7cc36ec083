import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The names a Chromium executable goes by on the PATH, tried in this order. */
export const CHROMIUM_NAMES = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
] as const;

/** Headless, and quiet on a closed network: no background requests, updates, sync or first-run pages. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** No Chromium to run the browser tests with. The message says how to provide one. */
export class ChromiumNotFound extends Error {
  override name = 'ChromiumNotFound';
}

const isExecutableFile = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * The Chromium the browser tests run: `CHROMIUM_PATH` if set (it must be an executable file), else the
 * first of {@link CHROMIUM_NAMES} found on the `PATH`. Throws {@link ChromiumNotFound} otherwise, so a
 * machine without Chromium fails the browser tests with that message instead of skipping them.
 *
 * @example
 * ```ts
 * findChromium(); // '/usr/bin/chromium'
 * findChromium({ CHROMIUM_PATH: '/opt/chrome/chrome' }); // '/opt/chrome/chrome'
 * ```
 */
export function findChromium(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const explicit = env.CHROMIUM_PATH;
  if (explicit !== undefined && explicit !== '') {
    if (isExecutableFile(explicit)) return explicit;
    throw new ChromiumNotFound(`CHROMIUM_PATH is ${explicit}, which is not an executable file.`);
  }
  const directories = (env.PATH ?? '').split(delimiter).filter((directory) => directory !== '');
  for (const name of CHROMIUM_NAMES) {
    for (const directory of directories) {
      const candidate = join(directory, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  throw new ChromiumNotFound(
    `No Chromium for the browser tests: none of ${CHROMIUM_NAMES.join(', ')} is on the PATH and CHROMIUM_PATH is not set. ` +
      'Install one (Debian/Ubuntu: apt-get install chromium, which .ci/run does) or set CHROMIUM_PATH to its executable.',
  );
}

/**
 * Playwright launch options for {@link findChromium}'s browser with {@link CHROMIUM_FLAGS}; throws
 * {@link ChromiumNotFound} at once when there is none.
 *
 * @example
 * ```ts
 * const browser = await chromium.launch(chromiumLaunchOptions());
 * ```
 */
export function chromiumLaunchOptions(): { executablePath: string; args: string[] } {
  return { executablePath: findChromium(), args: [...CHROMIUM_FLAGS] };
}

/**
 * {@link chromiumLaunchOptions}, or undefined when there is no Chromium. For vitest configs: vitest
 * loads every project's config, also for a run of other projects, so a missing Chromium must not
 * make loading one throw (the project's setup file then fails its tests with the message instead).
 *
 * @example
 * ```ts
 * const launchOptions = chromiumLaunchOptionsIfAny();
 * ```
 */
export function chromiumLaunchOptionsIfAny(): ReturnType<typeof chromiumLaunchOptions> | undefined {
  try {
    return chromiumLaunchOptions();
  } catch (error) {
    if (error instanceof ChromiumNotFound) return undefined;
    throw error;
  }
}
