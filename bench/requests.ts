/**
 * Requests per workload, ours vs balena-sdk, counted by the emulator's request log.
 *
 * - W1: login; 10× each of isLoggedIn, whoami, getUserInfo, getActorId (one after the other);
 *   loginWithToken(getToken()) then 20 concurrent getUserInfo; logout.
 * - W2: a 25-hour-old session JWT, then 20 concurrent isLoggedIn: how many refresh requests.
 *   W2 mixed: the same with 10 isLoggedIn and 10 getUserInfo interleaved.
 *
 * Ours is the built package (packages/machine/dist).
 *
 * Run alone: `pnpm bench:requests`
 */
import { pathToFileURL } from 'node:url';
import { getSdk } from 'balena-sdk';
import { builtEntry } from './lib/built-packages.ts';
import type { EmulatorProcess } from './lib/emulator.ts';
import type { Section } from './lib/report.ts';
import { times } from './lib/stats.ts';

type Auth = ReturnType<typeof getSdk>['auth'];
type Client = { auth: Auth; stop(): void };
type Workload = (auth: Auth, user: { email: string; password: string }) => Promise<void>;

const HOUR_S = 3600;

const W1: Workload = async (auth, user) => {
  await auth.login(user);
  for (let i = 0; i < 10; i++) await auth.isLoggedIn();
  for (let i = 0; i < 10; i++) await auth.whoami();
  for (let i = 0; i < 10; i++) await auth.getUserInfo();
  for (let i = 0; i < 10; i++) await auth.getActorId();
  await auth.loginWithToken(await auth.getToken());
  await Promise.all(Array.from({ length: 20 }, () => auth.getUserInfo()));
  await auth.logout();
};

const W2: Workload = async (auth) => {
  await Promise.all(Array.from({ length: 20 }, () => auth.isLoggedIn()));
};

const W2_MIXED: Workload = async (auth) => {
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? auth.isLoggedIn() : auth.getUserInfo())),
  );
};

export async function measureRequests(emulator: EmulatorProcess): Promise<Section> {
  const { createAuth, memoryTokenStore }: typeof import('@balena-auth/machine') = await import(
    pathToFileURL(builtEntry('machine')).href
  );
  let users = 0;
  const clients = {
    ours: async (): Promise<Client> => {
      const client = createAuth({ apiUrl: emulator.url, store: memoryTokenStore() });
      await client.ready();
      return client as unknown as Client;
    },
    balenaSdk: async (): Promise<Client> => ({
      auth: getSdk({ apiUrl: emulator.url, dataDirectory: false }).auth,
      stop() {},
    }),
  };

  /** Runs a workload on a fresh client and user; `stale` first logs in with a 25-hour-old JWT (not counted). */
  async function count(kind: keyof typeof clients, workload: Workload, stale: boolean) {
    const user = { email: `bench-requests-${++users}@example.com`, password: 'bench-password-1' };
    await emulator.createUser(user);
    const now = Math.floor(Date.now() / 1000);
    const staleToken = await emulator.sessionToken(user.email, {
      iat: now - 25 * HOUR_S,
      exp: now + 100 * HOUR_S,
    });
    const client = await clients[kind]();
    if (stale) await client.auth.loginWithToken(staleToken);
    await emulator.clearRequests();
    await workload(client.auth, user);
    const log = await emulator.requests();
    client.stop();
    const byRoute: Record<string, number> = {};
    for (const r of log) byRoute[`${r.method} ${r.path}`] = (byRoute[`${r.method} ${r.path}`] ?? 0) + 1;
    return {
      total: log.length,
      refreshes: log.filter((r) => r.path === '/user/v1/refresh-token').length,
      byRoute,
    };
  }

  const results = {
    w1: { balenaSdk: await count('balenaSdk', W1, false), ours: await count('ours', W1, false) },
    w2: { balenaSdk: await count('balenaSdk', W2, true), ours: await count('ours', W2, true) },
    w2Mixed: {
      balenaSdk: await count('balenaSdk', W2_MIXED, true),
      ours: await count('ours', W2_MIXED, true),
    },
  };
  const ratio = (ours: number, sdk: number) => (sdk === 0 ? '—' : times(ours / sdk));
  const { w1, w2, w2Mixed } = results;
  return {
    name: 'requests',
    rows: [
      {
        figure: 'W1 requests',
        balenaSdk: String(w1.balenaSdk.total),
        ours: String(w1.ours.total),
        ratio: ratio(w1.ours.total, w1.balenaSdk.total),
        target: '≤ 12',
        met: w1.ours.total <= 12,
      },
      {
        figure: 'W2 refresh requests (20 concurrent isLoggedIn)',
        balenaSdk: String(w2.balenaSdk.refreshes),
        ours: String(w2.ours.refreshes),
        ratio: ratio(w2.ours.refreshes, w2.balenaSdk.refreshes),
        target: '1',
        met: w2.ours.refreshes === 1,
      },
      {
        figure: 'W2 mixed refresh requests (10 isLoggedIn + 10 getUserInfo)',
        balenaSdk: String(w2Mixed.balenaSdk.refreshes),
        ours: String(w2Mixed.ours.refreshes),
        ratio: ratio(w2Mixed.ours.refreshes, w2Mixed.balenaSdk.refreshes),
        target: '—',
      },
    ],
    details: results,
  };
}
