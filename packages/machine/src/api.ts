import { BalenaNetworkError, BalenaRequestError } from './errors.ts';

/** How the API client reaches the server. Built once per client by `createAuth`. */
export interface ApiClientOptions {
  apiUrl: string;
  fetch?: typeof globalThis.fetch;
  requestTimeoutMs: number;
  retryRateLimitedRequests?: boolean | ((retryAfterMs: number) => boolean);
}

/** One request to the balena API. `path` is absolute (`/login_`), so it always resolves against `apiUrl`'s origin. */
export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PATCH';
  path: string;
  /** Sent as `Authorization: Bearer <token>`, only ever to `apiUrl`'s origin. */
  token?: string;
  body?: Record<string, unknown>;
  signal?: AbortSignal;
}

/** A function that sends one request and resolves with the parsed body (text, or JSON by content type). */
export type ApiClient = (request: ApiRequest) => Promise<unknown>;

const CLIENT_HEADER = 'balena-auth/0.1.0';

/**
 * Creates the HTTP client shared by every machine service of one auth client.
 * Any status >= 400 rejects with `BalenaRequestError` (message derived from the body as balena-request
 * does); a network failure or a timeout rejects with `BalenaNetworkError`.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetch =
    options.fetch ?? ((...args: Parameters<typeof globalThis.fetch>) => globalThis.fetch(...args));
  const origin = new URL(options.apiUrl).origin;

  async function send(request: ApiRequest): Promise<unknown> {
    const method = request.method ?? 'GET';
    if (!request.path.startsWith('/') || request.path.startsWith('//')) {
      throw new TypeError('API paths must be absolute');
    }
    const url = new URL(request.path, origin).href;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.requestTimeoutMs);
    const cancel = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', cancel, { once: true });
    const headers: Record<string, string> = { 'X-Balena-Client': CLIENT_HEADER };
    if (request.token !== undefined) headers.Authorization = `Bearer ${request.token}`;
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        signal: controller.signal,
        body: request.body && JSON.stringify(request.body),
      });
      text = await response.text();
    } catch (error) {
      if (timedOut) throw new BalenaNetworkError('network timeout');
      if (request.signal?.aborted) throw request.signal.reason;
      const cause = (error as Error).cause;
      throw new BalenaNetworkError(
        `network error: ${cause instanceof Error ? cause.message : 'fetch failed'}`,
      );
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', cancel);
    }
    const body = parseBody(text, response.headers.get('content-type'));
    if (body === INVALID_JSON) {
      throw new BalenaRequestError(`Unexpected response from ${request.path}`, response.status, {
        method,
        url,
      });
    }
    if (response.status < 400) return body;
    if (response.status === 429) {
      const retryAfterMs = retryAfter(response.headers);
      const retry = options.retryRateLimitedRequests;
      if (
        retryAfterMs !== undefined &&
        (retry === true || (typeof retry === 'function' && retry(retryAfterMs)))
      ) {
        await wait(retryAfterMs, request.signal);
        return send(request);
      }
    }
    const responseHeaders = Object.fromEntries(response.headers);
    throw new BalenaRequestError(errorText(body), response.status, { method, url }, responseHeaders);
  }

  return send;
}

const INVALID_JSON = Symbol('invalid JSON');

/** The body as balena-request reads it: JSON for a JSON content type, else text. */
function parseBody(text: string, contentType: string | null): unknown {
  if (text === '' || !contentType?.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}

function retryAfter(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) * 1000 : undefined;
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** The message balena-request derives from an error body. */
function errorText(body: unknown): string {
  if (body === undefined || body === null || body === '') return 'The request was unsuccessful';
  if (typeof body === 'object') {
    const { error, message } = body as { error?: { text?: unknown } | string; message?: unknown };
    if (typeof error === 'object' && error !== null && typeof error.text === 'string') return error.text;
    if (typeof message === 'string') return message;
    if (typeof error === 'string') return error;
    return JSON.stringify(body);
  }
  return String(body);
}
