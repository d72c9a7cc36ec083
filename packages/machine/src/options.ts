import type { InspectionEvent } from 'xstate';
import type { AuthOptions, TokenStore } from './auth.types.ts';
import { BalenaInvalidParameterError } from './errors.ts';
import type { RetryPolicy } from './rate-limit.ts';

/** The balena API that `createAuth` talks to without an `apiUrl`. */
export const DEFAULT_API_URL = 'https://api.balena-cloud.com';
/** The per-request timeout without a `requestTimeoutMs`, as balena-request. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 59_000;
/** The longest `requestTimeoutMs` a timer can hold (2^31 - 1 ms, about 24.8 days). */
export const MAX_REQUEST_TIMEOUT_MS = 2 ** 31 - 1;

type Inspect = (event: InspectionEvent) => void;

/** `AuthOptions` after validation, with the defaults filled in. */
export interface ValidatedAuthOptions {
  apiUrl: string;
  store: TokenStore;
  fetch?: typeof globalThis.fetch;
  /** The caller's clock, or `Date.now`; never throws and always answers a finite number. */
  now: () => number;
  inspect?: Inspect | { next?: Inspect };
  retryRateLimitedRequests?: RetryPolicy;
  requestTimeoutMs: number;
}

/**
 * Checks every option of `createAuth` before anything starts, and fills in the defaults. A bad
 * option throws `BalenaInvalidParameterError` naming it (`apiUrl`, `requestTimeoutMs`, `store`, …).
 *
 * @example
 * validateAuthOptions({ store, requestTimeoutMs: Number.NaN }); // throws: … parameter 'requestTimeoutMs'
 */
export function validateAuthOptions(options: AuthOptions): ValidatedAuthOptions {
  if (options === null || typeof options !== 'object')
    throw new BalenaInvalidParameterError('options', options);
  const read = (name: keyof AuthOptions): unknown => readOption(options, name);
  const store = validateStore(read('store'));
  const fetch = optionalFunction(read('fetch'), 'fetch') as typeof globalThis.fetch | undefined;
  const clock = optionalFunction(read('now'), 'now') as (() => number) | undefined;
  return {
    apiUrl: validateApiUrl(read('apiUrl') ?? DEFAULT_API_URL),
    store,
    fetch,
    now: clock ? guardedClock(clock) : Date.now,
    inspect: validateInspect(read('inspect')),
    retryRateLimitedRequests: validateRetryPolicy(read('retryRateLimitedRequests')),
    requestTimeoutMs: validateRequestTimeout(read('requestTimeoutMs') ?? DEFAULT_REQUEST_TIMEOUT_MS),
  };
}

/**
 * An `http:` or `https:` URL without user name or password; only its origin is used. Returns it
 * as a string.
 *
 * @example
 * validateApiUrl('https://api.balena-cloud.com'); // 'https://api.balena-cloud.com/'
 */
export function validateApiUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    const shown = typeof value === 'string' ? value.replace(/\/\/[^/]*@/, '//(redacted)@') : value;
    throw new BalenaInvalidParameterError('apiUrl', shown);
  }
  return url.href;
}

/**
 * A timeout in ms: a finite number above 0 and at most `MAX_REQUEST_TIMEOUT_MS`.
 *
 * @example
 * validateRequestTimeout(30_000); // 30000
 */
export function validateRequestTimeout(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_REQUEST_TIMEOUT_MS)
    throw new BalenaInvalidParameterError('requestTimeoutMs', value);
  return value;
}

/**
 * `retryRateLimitedRequests`: undefined, a boolean or a function.
 *
 * @example
 * validateRetryPolicy((ms) => ms < 10_000);
 */
export function validateRetryPolicy(value: unknown): RetryPolicy | undefined {
  if (value === undefined || typeof value === 'boolean' || typeof value === 'function')
    return value as RetryPolicy | undefined;
  throw new BalenaInvalidParameterError('retryRateLimitedRequests', value);
}

function validateStore(value: unknown): TokenStore {
  if (value === null || typeof value !== 'object') throw new BalenaInvalidParameterError('store', value);
  for (const method of ['get', 'set', 'remove'] as const) {
    if (typeof readOption(value, method, 'store') !== 'function')
      throw new BalenaInvalidParameterError(`store.${method}`, readOption(value, method, 'store'));
  }
  for (const method of ['subscribe', 'exclusive'] as const)
    optionalFunction(readOption(value, method, 'store'), `store.${method}`);
  return value as TokenStore;
}

function validateInspect(value: unknown): ValidatedAuthOptions['inspect'] {
  if (value === undefined || typeof value === 'function') return value as Inspect | undefined;
  if (value !== null && typeof value === 'object') {
    optionalFunction(readOption(value, 'next', 'inspect'), 'inspect.next');
    return value as { next?: Inspect };
  }
  throw new BalenaInvalidParameterError('inspect', value);
}

function optionalFunction(value: unknown, name: string): unknown {
  if (value === undefined || typeof value === 'function') return value;
  throw new BalenaInvalidParameterError(name, value);
}

/** An option's value; a getter that throws makes the option invalid. */
function readOption(object: object, name: string, parent?: string): unknown {
  try {
    return (object as Record<string, unknown>)[name];
  } catch {
    throw new BalenaInvalidParameterError(parent ? `${parent}.${name}` : name, undefined);
  }
}

/** The caller's clock, falling back to `Date.now()` when it throws or answers anything but a finite number. */
function guardedClock(clock: () => number): () => number {
  return () => {
    try {
      const time: unknown = clock();
      return typeof time === 'number' && Number.isFinite(time) ? time : Date.now();
    } catch {
      return Date.now();
    }
  };
}
