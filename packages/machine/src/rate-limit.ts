/** How often one call retries a 429 at most (so at most 4 requests). */
export const RATE_LIMIT_MAX_RETRIES = 3;
/** The shortest wait before a retry: a `Retry-After` of 0 still waits 1 s. */
export const RATE_LIMIT_MIN_WAIT_MS = 1000;
/** The longest wait before a retry: a 429 asking for more than 60 s is not retried. */
export const RATE_LIMIT_MAX_WAIT_MS = 60_000;

/** The `retryRateLimitedRequests` option: `true`, or a function deciding from the wait in ms. */
export type RetryPolicy = boolean | ((retryAfterMs: number) => boolean);

/**
 * The wait in ms before retrying a 429 answered with `headers`, or undefined to give up: after
 * `RATE_LIMIT_MAX_RETRIES` retries, without a numeric `Retry-After`, for a `Retry-After` over
 * `RATE_LIMIT_MAX_WAIT_MS`, or when the policy says no (or throws). A wait under
 * `RATE_LIMIT_MIN_WAIT_MS` is raised to it.
 *
 * @example
 * rateLimitRetryDelay(new Headers({ 'retry-after': '0' }), 0, true); // 1000
 */
export function rateLimitRetryDelay(
  headers: Headers,
  retriesSoFar: number,
  policy: RetryPolicy | undefined,
): number | undefined {
  if (!policy || retriesSoFar >= RATE_LIMIT_MAX_RETRIES) return undefined;
  const value = headers.get('retry-after')?.trim();
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const retryAfterMs = Number(value) * 1000;
  if (!(retryAfterMs <= RATE_LIMIT_MAX_WAIT_MS)) return undefined;
  if (typeof policy === 'function' && !agrees(policy, retryAfterMs)) return undefined;
  return Math.max(retryAfterMs, RATE_LIMIT_MIN_WAIT_MS);
}

/** What a caller's policy function answers; a throw or a promise counts as no. */
function agrees(policy: (retryAfterMs: number) => boolean, retryAfterMs: number): boolean {
  try {
    const answer: unknown = policy(retryAfterMs);
    if (answer !== null && typeof answer === 'object') {
      (answer as Promise<unknown>).then?.(undefined, () => {});
      return false;
    }
    return Boolean(answer);
  } catch {
    return false;
  }
}

/**
 * Resolves after `ms`, or rejects with the signal's reason when it aborts first. Its timer and its
 * abort listener are both removed either way.
 *
 * @example
 * await wait(1000, request.signal);
 */
export function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
