import type { GenericSchema } from 'valibot';
import { excerpt, redactSecrets, truncate } from './error-text.ts';
import {
  BalenaError,
  BalenaInvalidParameterError,
  BalenaMalformedToken,
  BalenaNetworkError,
  BalenaRedirectError,
  BalenaRequestError,
  BalenaResponseTooLarge,
} from './errors.ts';
import { validateApiUrl, validateRequestTimeout, validateRetryPolicy } from './options.ts';
import { type RetryPolicy, rateLimitRetryDelay, wait } from './rate-limit.ts';
import { MAX_RESPONSE_BYTES, type ResponseLike, readBodyText, untilAborted } from './response-body.ts';
import { isHeaderSafeCredential, parseResponse } from './schemas.ts';

/** How the API client reaches the server. Built once per client by `createAuth`. */
export interface ApiClientOptions {
  /** An `http:` or `https:` URL; every request goes to its origin and nowhere else. */
  apiUrl: string;
  fetch?: typeof globalThis.fetch;
  /** Per-request timeout in ms (redirects and the body included): finite, above 0, at most 2^31 - 1. */
  requestTimeoutMs: number;
  /**
   * Retry a 429 after its `Retry-After`: `true`, or a function deciding from the wait in ms. At most
   * 3 retries per call, each after at least 1 s; a 429 asking for more than 60 s is not retried.
   */
  retryRateLimitedRequests?: RetryPolicy;
}

/** One request to the balena API. `path` is absolute (`/login_`), so it always resolves against `apiUrl`'s origin. */
export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PATCH';
  path: string;
  /** Sent as `Authorization: Bearer <token>`, only ever to `apiUrl`'s origin. Must be header-safe. */
  token?: string;
  body?: Record<string, unknown>;
  signal?: AbortSignal;
  /**
   * The shape a successful (2xx) body must have: the client then resolves with the parsed output,
   * and a mismatch rejects with `BalenaRequestError` carrying the response's real status.
   */
  schema?: GenericSchema;
}

/** A function that sends one request and resolves with the parsed body (text, or JSON by content type). */
export type ApiClient = (request: ApiRequest) => Promise<unknown>;

/** Same-origin redirects followed per request at most; a redirect to another origin is never followed. */
export const MAX_REDIRECTS = 5;

/** The `X-Balena-Client` header of every request this library sends. */
export const CLIENT_HEADER = 'balena-auth/0.1.0';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Body fields whose values never appear in an error, even when the server echoes them. */
const SECRET_BODY_FIELDS = ['password', 'code', 'verificationToken', 'g-recaptcha-response'];

/** A response as read: the status and headers of the last hop, and its body text. */
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  method: string;
  url: string;
}

/**
 * Creates the HTTP client shared by every machine service of one auth client. Every request goes
 * to `apiUrl`'s origin only: redirects are followed by the client itself, at most `MAX_REDIRECTS`
 * and only within that origin (a redirect elsewhere rejects with `BalenaRedirectError` and nothing
 * is sent there). Bodies are read up to `MAX_RESPONSE_BYTES` (`BalenaResponseTooLarge` past it).
 * Any status >= 400 rejects with `BalenaRequestError` (message derived from the body as
 * balena-request does, with every secret the request carried replaced by `(redacted)`); a network
 * failure or a timeout rejects with `BalenaNetworkError`. Invalid options throw
 * `BalenaInvalidParameterError`.
 *
 * @example
 * const api = createApiClient({ apiUrl: 'https://api.balena-cloud.com', requestTimeoutMs: 30_000 });
 * const actor = await api({ path: '/actor/v1/whoami', token });
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const origin = new URL(validateApiUrl(options?.apiUrl)).origin;
  const timeoutMs = validateRequestTimeout(options.requestTimeoutMs);
  const retry = validateRetryPolicy(options.retryRateLimitedRequests);
  if (options.fetch !== undefined && typeof options.fetch !== 'function')
    throw new BalenaInvalidParameterError('fetch', options.fetch);
  const transport: Transport = { origin, timeoutMs, retry, fetch: options.fetch };
  return (request) => send(transport, request);
}

/** What one client's requests share: where they go, how long they may take, and how they are sent. */
interface Transport {
  origin: string;
  timeoutMs: number;
  retry: RetryPolicy | undefined;
  /** The `fetch` option; the global fetch, looked up at each call, when undefined. */
  fetch: typeof globalThis.fetch | undefined;
}

async function send(transport: Transport, request: ApiRequest): Promise<unknown> {
  const { origin } = transport;
  const url = typeof request.path === 'string' ? new URL(request.path, origin) : undefined;
  if (!url || !request.path.startsWith('/') || url.origin !== origin) {
    throw new TypeError('API paths must be absolute');
  }
  if (request.token !== undefined && !isHeaderSafeCredential(request.token)) {
    throw new BalenaMalformedToken();
  }
  const secrets = secretsOf(request);
  for (let retries = 0; ; retries++) {
    const answer = await exchange(transport, request, url, secrets);
    const delay =
      answer.status === 429 ? rateLimitRetryDelay(answer.headers, retries, transport.retry) : undefined;
    if (delay === undefined) return interpret(answer, request, secrets);
    await wait(delay, request.signal);
  }
}

/** One attempt: the request, the same-origin redirects it leads to, and the last body, in one timeout. */
async function exchange(
  transport: Transport,
  request: ApiRequest,
  start: URL,
  secrets: string[],
): Promise<Answer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, transport.timeoutMs);
  const cancel = () => controller.abort(request.signal?.reason);
  if (request.signal?.aborted) cancel();
  request.signal?.addEventListener('abort', cancel, { once: true });
  try {
    const { response, requestOptions } = await followWithinOrigin(
      (url, method, body) =>
        untilAborted(call(transport, url, method, body, request.token, controller.signal), controller.signal),
      { url: start, method: request.method ?? 'GET', body: serialize(request.body) },
      transport.origin,
      ` from ${request.path}`,
    );
    const tooLarge = () =>
      new BalenaResponseTooLarge(
        `The response from ${request.path} is larger than ${MAX_RESPONSE_BYTES} bytes`,
        response.status,
        requestOptions,
      );
    const text = await readBodyText(response, MAX_RESPONSE_BYTES, controller.signal, tooLarge);
    return { status: response.status, headers: response.headers, text, ...requestOptions };
  } catch (error) {
    throw transportError(error, timedOut, request.signal, secrets);
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', cancel);
  }
}

function call(
  transport: Transport,
  url: URL,
  method: string,
  body: string | undefined,
  token: string | undefined,
  signal: AbortSignal,
): Promise<ResponseLike> {
  const headers: Record<string, string> = { 'X-Balena-Client': CLIENT_HEADER };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const init: RequestInit = { method, headers, body, signal, redirect: 'manual' };
  // Called as a plain function: a browser's global fetch throws when called as a method of another object.
  const fetch = transport.fetch ?? globalThis.fetch;
  return Promise.resolve()
    .then(() => fetch(url.href, init))
    .then((response: unknown) => {
      if (!isResponseLike(response)) {
        throw new BalenaNetworkError(
          'network error: the fetch option answered something that is not a response',
        );
      }
      return response;
    });
}

/**
 * Sends `first` with `send` and follows the redirects it leads to, at most `MAX_REDIRECTS` and only
 * within `origin` (see `redirectTarget`), turning a redirected POST into a GET as fetch does.
 * Resolves with the last response and the method and URL it answered. `from` ends the error
 * message of too many redirects (` from /login_`). Shared by the auth calls and `client.api`.
 *
 * @example
 * const { response } = await followWithinOrigin(send, { url, method: 'GET', body: undefined }, origin);
 */
export async function followWithinOrigin<R extends ResponseLike, B>(
  send: (url: URL, method: string, body: B | undefined) => Promise<R>,
  first: { url: URL; method: string; body: B | undefined },
  origin: string,
  from = '',
): Promise<{ response: R; requestOptions: { method: string; url: string } }> {
  let { url, method, body } = first;
  for (let hop = 0; ; hop++) {
    const requestOptions = { method, url: url.href };
    const response = await send(url, method, body);
    const target = redirectTarget(response, url, origin, requestOptions);
    if (target === undefined) return { response, requestOptions };
    await response.body?.cancel().catch(() => {});
    if (hop >= MAX_REDIRECTS) {
      throw new BalenaRedirectError(
        `More than ${MAX_REDIRECTS} redirects${from}`,
        response.status,
        requestOptions,
      );
    }
    if (redirectsToGet(response.status, method)) {
      method = 'GET';
      body = undefined;
    }
    url = target;
  }
}

/**
 * Where a response redirects to, when it is a redirect the client follows; undefined for any
 * other response. Throws `BalenaRedirectError` for a redirect that leaves `origin`, an
 * opaque one, or a response that a custom `fetch` fetched from another origin.
 */
export function redirectTarget(
  response: ResponseLike,
  from: URL,
  origin: string,
  requestOptions: { method: string; url: string },
): URL | undefined {
  const refuse = (text: string) => new BalenaRedirectError(text, response.status, requestOptions);
  if (response.type === 'opaqueredirect') {
    throw refuse(
      `Refused a redirect whose target the browser hides (redirect: 'manual'); requests only go to ${origin}`,
    );
  }
  const landedOn = originOf(response.url);
  if (landedOn !== undefined && landedOn !== origin) {
    throw refuse(`Refused a response from ${landedOn}: requests only go to ${origin}`);
  }
  if (response.status === 0) throw new BalenaNetworkError('network error: no response');
  if (!REDIRECT_STATUSES.has(response.status)) return undefined;
  const location = response.headers.get('location');
  if (location === null) return undefined;
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw refuse('Refused a redirect with an invalid Location');
  }
  if (target.origin !== origin) {
    throw refuse(`Refused a redirect to ${target.origin}: requests only go to ${origin}`);
  }
  return target;
}

/** True when following a redirect with `status` turns `method` into a GET without a body (as fetch does). */
export function redirectsToGet(status: number, method: string): boolean {
  return status === 303 ? method !== 'GET' : status <= 302 && method === 'POST';
}

/** What the client makes of the last response of an attempt: the body, or the error it means. */
function interpret(answer: Answer, request: ApiRequest, secrets: string[]): unknown {
  const { status, headers, text, method, url } = answer;
  const body = parseBody(text, headers.get('content-type'));
  if (body === INVALID_JSON || (status < 400 && (status < 200 || status >= 300))) {
    throw new BalenaRequestError(`Unexpected response from ${request.path}`, status, { method, url });
  }
  if (status < 400) return request.schema ? parseResponse(request.schema, body, request.path, status) : body;
  throw new BalenaRequestError(
    truncate(redactSecrets(errorText(body), secrets)),
    status,
    { method, url },
    redactedHeaders(headers, secrets),
  );
}

function transportError(
  error: unknown,
  timedOut: boolean,
  signal: AbortSignal | undefined,
  secrets: string[],
) {
  if (error instanceof BalenaError) return error;
  if (timedOut) return new BalenaNetworkError('network timeout');
  if (signal?.aborted) return signal.reason;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const detail = cause instanceof Error ? cause.message : 'fetch failed';
  return new BalenaNetworkError(`network error: ${excerpt(redactSecrets(String(detail), secrets))}`);
}

/** The secrets a request carries: its token and the secret fields of its body. */
function secretsOf(request: ApiRequest): string[] {
  const values = [request.token, ...SECRET_BODY_FIELDS.map((field) => request.body?.[field])];
  return values.filter((value): value is string => typeof value === 'string' && value !== '');
}

function serialize(body: Record<string, unknown> | undefined): string | undefined {
  if (body === undefined) return undefined;
  try {
    return JSON.stringify(body);
  } catch {
    throw new BalenaInvalidParameterError('body', body);
  }
}

function isResponseLike(value: unknown): value is ResponseLike {
  const response = value as ResponseLike | null;
  return (
    response !== null &&
    typeof response === 'object' &&
    typeof response.status === 'number' &&
    typeof response.headers?.get === 'function'
  );
}

function originOf(url: unknown): string | undefined {
  if (typeof url !== 'string' || url === '') return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return 'an unparsable URL';
  }
}

function redactedHeaders(headers: Headers, secrets: string[]): Record<string, string> {
  try {
    return Object.fromEntries(
      [...headers].map(([name, value]) => [name, truncate(redactSecrets(value, secrets))]),
    );
  } catch {
    return {};
  }
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
