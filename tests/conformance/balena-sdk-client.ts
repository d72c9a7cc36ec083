import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSdk } from 'balena-sdk';
import type { AuthUnderTest, ClientFactory } from './client.ts';

/**
 * The real balena-sdk (22.x on Node 20) as a conformance client.
 *
 * Each client gets its own temporary data directory unless the case passes one, so no two
 * clients share a login by accident (balena-settings-storage caches one store per directory).
 */
export const balenaSdkFactory: ClientFactory = {
  name: 'balena-sdk',
  async create({ apiUrl, dataDirectory }) {
    const ownDirectory =
      dataDirectory === undefined ? await mkdtemp(join(tmpdir(), 'balena-auth-conformance-sdk-')) : undefined;
    const sdk = getSdk({
      apiUrl,
      dataDirectory: ownDirectory ?? dataDirectory,
      retryRateLimitedRequests: (retryAfterMs) => retryAfterMs < 60_000,
    });
    const auth: AuthUnderTest = sdk.auth;
    return {
      auth,
      async dispose() {
        if (ownDirectory !== undefined) {
          await rm(ownDirectory, { recursive: true, force: true });
        }
      },
    };
  },
};
