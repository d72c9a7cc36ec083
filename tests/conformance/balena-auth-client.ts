import { createAuth, memoryTokenStore, type TokenStore } from '@balena-auth/machine';
import type { ClientFactory } from './client.ts';

/**
 * Our client as a conformance client. A data directory maps to one in-memory store shared by every
 * client created with it (the file store is the Node adapter's job), so the storage-isolation cases
 * exercise the same sharing rules as balena-sdk's per-directory storage.
 */
export function balenaAuthFactory(): ClientFactory {
  const storesByDirectory = new Map<string, TokenStore>();
  return {
    name: '@balena-auth/machine',
    async create({ apiUrl, dataDirectory }) {
      let store = memoryTokenStore();
      if (typeof dataDirectory === 'string') {
        store = storesByDirectory.get(dataDirectory) ?? store;
        storesByDirectory.set(dataDirectory, store);
      }
      const client = createAuth({ apiUrl, store, retryRateLimitedRequests: (ms) => ms < 60_000 });
      await client.ready();
      return {
        auth: client.auth,
        async dispose() {
          client.stop();
        },
      };
    },
  };
}
