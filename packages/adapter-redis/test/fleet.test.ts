import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Child, type RedisServer, redisClient, runTs, startRedisServer } from './support.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const PROCESSES = 8;
const CALLS = 20;
const HOUR = 60 * 60;
const hash = (token: string | null) =>
  token === null ? null : createHash('sha256').update(token).digest('hex').slice(0, 16);
const payload = (line: string) => line.slice(line.indexOf(' ') + 1);

describe(`a fleet of ${PROCESSES} processes on one Redis key`, () => {
  let emulator: Emulator;
  let redisServer: RedisServer;
  const email = 'fleet@example.com';
  beforeAll(async () => {
    [emulator, redisServer] = await Promise.all([startEmulator(), startRedisServer()]);
    await emulator.createUser({ email, password: 'fleet-password' });
  });
  afterAll(async () => {
    await Promise.all([emulator?.close(), redisServer?.stop()]);
  });

  it(`holding a 25 h-old session, ${CALLS} concurrent calls each: ONE refresh request, one new token everywhere; a logout in one reaches the other ${PROCESSES - 1} within 1 s`, async () => {
    const key = 'balena-auth:fleet';
    const stale = await emulator.sessionToken(email, { iat: Math.floor(Date.now() / 1000) - 25 * HOUR });
    const redis = await redisClient(redisServer.url);
    await redis.set(key, stale);

    const members: Child[] = Array.from({ length: PROCESSES }, () =>
      runTs(path.join(FIXTURES, 'fleet-member.ts'), [emulator.url, redisServer.url, key, String(CALLS)]),
    );
    const readyLines = await Promise.all(members.map((member) => member.line(/^ready /, 60_000)));
    expect(readyLines.map(payload)).toEqual(members.map(() => hash(stale)));
    emulator.clearRequests();

    for (const member of members) member.send('go');
    const done = (await Promise.all(members.map((member) => member.line(/^done /, 30_000)))).map(
      (line) => JSON.parse(payload(line)) as { failures: string[]; token: string | null },
    );
    const requests = emulator.requests();
    const refreshes = requests.filter((request) => request.path === '/user/v1/refresh-token');
    const stored = await redis.get(key);
    console.log(
      `[fleet] ${PROCESSES} processes x ${CALLS} calls with a 25 h-old token: ${refreshes.length} refresh request(s), ` +
        `${requests.length - refreshes.length} other requests; tokens held at the end: ${new Set(done.map((d) => d.token)).size} distinct`,
    );
    expect(done.flatMap((member) => member.failures)).toEqual([]);
    expect(refreshes.map((request) => request.status)).toEqual([200]);
    expect(stored).not.toBe(stale);
    expect(done.map((member) => member.token)).toEqual(members.map(() => hash(stored)));

    for (const member of members) member.send('watch');
    const [leaver, ...others] = members;
    leaver.send('logout');
    const started = Number(payload(await leaver.line(/^logout-start /)));
    await leaver.line(/^ok$/);
    const reached = await Promise.all(
      others.map(async (member) => Number(payload(await member.line(/^anonymous /, 5_000))) - started),
    );
    const slowest = Math.max(...reached);
    console.log(
      `[fleet] logout in one process reached the other ${others.length} in ${reached
        .map((ms) => ms.toFixed(1))
        .join(', ')} ms (slowest ${slowest.toFixed(1)} ms)`,
    );
    expect(slowest).toBeLessThan(1000);
    expect(await redis.get(key)).toBeNull();

    for (const member of members) member.send('exit');
    expect(await Promise.all(members.map((member) => member.exited))).toEqual(members.map(() => 0));
  }, 120_000);
});
