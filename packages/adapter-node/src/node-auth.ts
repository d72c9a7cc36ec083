import { type AuthClient, type AuthOptions, createAuth, memoryTokenStore } from '@balena-auth/machine';
import { fileTokenStore } from './file-store.ts';
import { type BalenaSettings, balenaSettings } from './settings.ts';

/** Options of `createNodeAuth`: every `AuthOptions` field is optional here. */
export type NodeAuthOptions = {
  /** The balena API. Default: the balena CLI's, `https://api.<balenaUrl>` (`https://api.balena-cloud.com`). */
  apiUrl?: string;
  /** Where `token` lives. Default: the balena CLI's (`resolveDataDirectory()`); `false` keeps it in memory. */
  dataDirectory?: string | false;
} & Partial<AuthOptions>;

/**
 * An auth client for Node that shares the balena CLI's login: the token file in the CLI's data
 * directory (atomic writes, mode 0600, changes by other processes followed), and the CLI's API
 * unless `apiUrl` is given. A `store` option replaces the file store altogether.
 *
 * @example
 * import { createNodeAuth } from '@balena-auth/adapter-node';
 * const { auth, ready, stop } = createNodeAuth();
 * await ready();
 * if (await auth.isLoggedIn()) console.log((await auth.getUserInfo()).username);
 * stop();
 */
export function createNodeAuth(options: NodeAuthOptions = {}): AuthClient {
  const { dataDirectory, apiUrl, store, ...rest } = options;
  let settings: BalenaSettings | undefined;
  const fromSettings = () => {
    settings ??= balenaSettings({ env: process.env, cwd: process.cwd(), platform: process.platform });
    return settings;
  };
  const directory = store ? undefined : (dataDirectory ?? fromSettings().dataDirectory);
  return createAuth({
    ...rest,
    apiUrl: apiUrl ?? fromSettings().apiUrl,
    store: store ?? (directory === false ? memoryTokenStore() : fileTokenStore(directory as string)),
  });
}
