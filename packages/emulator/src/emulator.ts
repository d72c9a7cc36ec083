import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminRoutes } from './admin-routes.ts';
import { apiKeyRoutes } from './api-key-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { checkedAdminOrigins } from './cors.ts';
import { createFaultQueue } from './faults.ts';
import { randomAlphanumeric } from './random.ts';
import { createLoginRateLimiter, DEFAULT_LOGIN_RATE_LIMIT } from './rate-limit.ts';
import { createRequestHandler } from './request-handler.ts';
import type { ApiServices } from './router.ts';
import { seedDemoAccounts } from './seed.ts';
import { EmulatorStore } from './store.ts';
import { createSessionTokens } from './tokens.ts';
import { generateTotpSecret, totpCode } from './totp.ts';
import { totpRoutes } from './totp-routes.ts';
import type { Emulator, EmulatorOptions, LoginRateLimit, RequestRecord } from './types.ts';
import { userRoutes } from './user-routes.ts';

/** Seven days, as balena staff described balenaCloud sessions. */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

/**
 * Start a local emulator of the balena auth API: a real HTTP server on a loopback address, with
 * its own users, keys, clock, rate limits, fault injection and request log.
 *
 * Rejects before binding when an option is invalid, e.g. a `host` that is not loopback. The admin
 * routes (`/__emulator/…`) answer server-side code and only the web pages of `adminOrigins`.
 *
 * @example
 * ```ts
 * import { startEmulator } from '@balena-auth/emulator';
 *
 * const emulator = await startEmulator();
 * const { totpSecret } = await emulator.createUser({ email: 'ada@example.com', password: 'pw-12345678', twoFactor: true });
 * emulator.faults.next('/user/v1/refresh-token', { kind: 'status', status: 503 });
 * // … point a client at emulator.url …
 * await emulator.close();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const loopback = loopbackHost(options.host);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Emulator port must be an integer from 0 to 65535, got ${String(options.port)}`);
  }
  const lifetimeSeconds = options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0) {
    throw new Error(`tokenLifetimeSeconds must be a positive integer, got ${String(lifetimeSeconds)}`);
  }
  const rateLimit = checkedRateLimit(options.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT);
  const adminOrigins = checkedAdminOrigins(options.adminOrigins);
  const now = options.now ?? Date.now;

  const store = new EmulatorStore(now);
  const tokens = createSessionTokens({
    secret: options.jwtSecret ?? randomAlphanumeric(48),
    now,
    lifetimeSeconds,
  });
  const services: ApiServices = {
    store,
    tokens,
    loginRateLimiter: createLoginRateLimiter(rateLimit, now),
    now,
  };
  const faults = createFaultQueue();
  const log: RequestRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer();
  const boundPort = await listen(server, port, loopback.bind);
  let closing: Promise<void> | undefined;

  const emulator: Emulator = {
    url: `http://${loopback.urlHost}:${boundPort}`,

    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },

    async createUser(input) {
      if (typeof input.email !== 'string' || input.email === '') throw new Error('createUser needs an email');
      if (typeof input.password !== 'string') throw new Error('createUser needs a password');
      const user = store.addUser({
        email: input.email,
        password: input.password,
        username: input.username,
        verified: input.verified ?? true,
      });
      if (!input.twoFactor) return { id: user.id, actorId: user.actorId };
      user.totpSecret = generateTotpSecret();
      return { id: user.id, actorId: user.actorId, totpSecret: user.totpSecret };
    },

    totp(email) {
      const user = store.requireUserByEmail(email);
      const secret = user.totpSecret ?? user.pendingTotpSecret;
      if (secret === undefined) throw new Error(`${email} has neither 2FA enabled nor a TOTP setup pending`);
      return totpCode(secret, now());
    },

    async createApiKey(email) {
      const user = store.requireUserByEmail(email);
      return store.addApiKey({ kind: 'user', userId: user.id }).key;
    },

    async sessionToken(email, claims = {}) {
      const user = store.requireUserByEmail(email);
      return tokens.sign({
        id: user.id,
        jwt_secret: user.jwtSecret,
        authTime: claims.iat === undefined ? now() : claims.iat * 1000,
        iat: claims.iat,
        exp: claims.exp,
        twoFactorRequired: claims.twoFactorRequired,
      });
    },

    async createDeviceKey() {
      const device = store.addDevice();
      return { key: store.addApiKey({ kind: 'device', deviceId: device.id }).key, uuid: device.uuid };
    },

    async createProvisioningKey() {
      const application = store.addApplication();
      const apiKey = store.addApiKey({ kind: 'application', applicationId: application.id });
      return { key: apiKey.key, slug: application.slug };
    },

    outbox: () => store.outbox(),

    faults: {
      next: (path, fault, times) => faults.next(path, fault, times),
      clear: () => faults.clear(),
    },

    requests: () => log.map((record) => ({ ...record })),

    clearRequests() {
      log.length = 0;
    },

    revokeSessions(email) {
      store.rotateJwtSecret(store.requireUserByEmail(email));
    },
  };

  const handleRequest = createRequestHandler({
    apiRoutes: [
      ...authRoutes(services),
      ...totpRoutes(services),
      ...userRoutes(services),
      ...apiKeyRoutes(services),
    ],
    adminRoutes: adminRoutes(emulator),
    adminAccess: { port: boundPort, origins: adminOrigins },
    services,
    faults,
    logRequest: (record) => log.push(record),
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
  });
  server.on('request', (req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      console.error('balena auth emulator: could not answer a request', error);
      res.destroy();
    });
  });

  if (options.seed) {
    try {
      await seedDemoAccounts(emulator);
    } catch (error) {
      await emulator.close();
      throw error;
    }
  }
  return emulator;
}

/** What to bind for an allowed loopback host, and how the url names it; throws for any other host. */
function loopbackHost(host = '127.0.0.1'): { bind: string; urlHost: string } {
  switch (host) {
    case '127.0.0.1':
      return { bind: '127.0.0.1', urlHost: '127.0.0.1' };
    case 'localhost':
      return { bind: '127.0.0.1', urlHost: 'localhost' };
    case '::1':
      return { bind: '::1', urlHost: '[::1]' };
    default:
      throw new Error(
        `The emulator only binds a loopback address ('127.0.0.1', 'localhost' or '::1'); got host ${JSON.stringify(host)}`,
      );
  }
}

function checkedRateLimit(limit: LoginRateLimit | false): LoginRateLimit | false {
  if (limit === false) return false;
  for (const field of ['attempts', 'windowMs', 'blockMs'] as const) {
    if (!Number.isInteger(limit[field]) || limit[field] <= 0) {
      throw new Error(`loginRateLimit.${field} must be a positive integer, got ${String(limit[field])}`);
    }
  }
  return limit;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
