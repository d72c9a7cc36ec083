/**
 * How many `GET /user/v1/refresh-token` requests 20 concurrent authenticated calls make when the
 * stored session JWT is 25 hours old: @balena-auth/machine vs balena-sdk, against the emulator.
 *
 * Run: `pnpm bench:refresh`
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@balena-auth/emulator';
import { createAuth, memoryTokenStore } from '@balena-auth/machine';
import { getSdk } from 'balena-sdk';

const CONCURRENT_CALLS = 20;
const emulator = await startEmulator({ loginRateLimit: false });
const now = Math.floor(Date.now() / 1000);

async function staleSession(email: string) {
  await emulator.createUser({ email, password: 'bench-password-1' });
  return emulator.sessionToken(email, { iat: now - 25 * 3600, exp: now + 100 * 3600 });
}
const countRefreshes = () => emulator.requests().filter((r) => r.path === '/user/v1/refresh-token').length;

async function ours() {
  const client = createAuth({
    apiUrl: emulator.url,
    store: memoryTokenStore(await staleSession('ours@example.com')),
  });
  await client.ready();
  emulator.clearRequests();
  await Promise.all(Array.from({ length: CONCURRENT_CALLS }, () => client.auth.isLoggedIn()));
  client.stop();
  return countRefreshes();
}

async function balenaSdk() {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'bench-refresh-'));
  await writeFile(join(dataDirectory, 'token'), await staleSession('sdk@example.com'));
  const sdk = getSdk({ apiUrl: emulator.url, dataDirectory });
  await sdk.auth.getToken();
  emulator.clearRequests();
  await Promise.all(Array.from({ length: CONCURRENT_CALLS }, () => sdk.auth.isLoggedIn()));
  await rm(dataDirectory, { recursive: true, force: true });
  return countRefreshes();
}

const [oursCount, sdkCount] = [await ours(), await balenaSdk()];
await emulator.close();
console.log(`${CONCURRENT_CALLS} concurrent isLoggedIn() with a 25-hour-old session token:`);
console.log(`  @balena-auth/machine  ${oursCount} refresh request(s)`);
console.log(`  balena-sdk 22.4.9     ${sdkCount} refresh request(s)`);
console.log(`  ratio                 ${(oursCount / sdkCount).toFixed(3)}× balena-sdk`);
