import type { LoginRateLimit } from './types.ts';

/** Counts failed logins per key and blocks a key that goes over the limit. */
export interface LoginRateLimiter {
  /**
   * Seconds (rounded up, at least 1) until the key may try again, or undefined if it may try now.
   * Asking is itself an attempt: a key that already has the maximum number of failures in its
   * window is blocked from this moment on.
   */
  retryAfterSeconds(key: string): number | undefined;
  recordFailure(key: string): void;
  /** A successful login forgets the key's failures. */
  recordSuccess(key: string): void;
}

interface KeyState {
  failures: number;
  windowStart: number;
  blockedUntil?: number;
}

/** open-balena-api's login limiter: 10 points per 2 h, then blocked for 1 h. */
export const DEFAULT_LOGIN_RATE_LIMIT: Readonly<LoginRateLimit> = Object.freeze({
  attempts: 10,
  windowMs: 2 * 60 * 60 * 1000,
  blockMs: 60 * 60 * 1000,
});

/**
 * A fixed-window login limiter on the emulator's clock. With `false`, nothing is ever limited.
 *
 * @example
 * ```ts
 * const limiter = createLoginRateLimiter({ attempts: 10, windowMs: 7_200_000, blockMs: 3_600_000 }, Date.now);
 * const key = `${ip}|${username.toLowerCase()}`;
 * if (limiter.retryAfterSeconds(key) === undefined) {
 *   passwordMatches ? limiter.recordSuccess(key) : limiter.recordFailure(key);
 * }
 * ```
 */
export function createLoginRateLimiter(limit: LoginRateLimit | false, now: () => number): LoginRateLimiter {
  const states = new Map<string, KeyState>();

  const currentState = (key: string): KeyState | undefined => {
    const state = states.get(key);
    if (!state || limit === false) return undefined;
    const time = now();
    if (state.blockedUntil !== undefined) {
      if (time < state.blockedUntil) return state;
      states.delete(key);
      return undefined;
    }
    if (time - state.windowStart >= limit.windowMs) {
      states.delete(key);
      return undefined;
    }
    return state;
  };

  return {
    retryAfterSeconds(key) {
      if (limit === false) return undefined;
      const state = currentState(key);
      if (!state) return undefined;
      if (state.blockedUntil === undefined) {
        if (state.failures < limit.attempts) return undefined;
        state.blockedUntil = now() + limit.blockMs;
      }
      return Math.max(1, Math.ceil((state.blockedUntil - now()) / 1000));
    },

    recordFailure(key) {
      if (limit === false) return;
      const state = currentState(key);
      if (state) {
        state.failures++;
      } else {
        states.set(key, { failures: 1, windowStart: now() });
      }
    },

    recordSuccess(key) {
      states.delete(key);
    },
  };
}
