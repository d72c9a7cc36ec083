import type { $Fetch, FetchContext } from 'ofetch';
import { CLIENT_HEADER, followWithinOrigin } from './api.ts';
import type { AuthApi } from './auth.types.ts';
import { BalenaError, BalenaExpiredToken, BalenaForeignOriginError, BalenaNotLoggedIn } from './errors.ts';

/** What `client.api` needs of the client: the API's origin, a transport, and the machine's credential. */
export interface AppApiOptions {
  apiUrl: string;
  fetch?: typeof globalThis.fetch;
  requestTimeoutMs: number;
  /** The credential to send, from the machine (refreshed first when due); rejects when there is none. */
  credential(): Promise<string>;
  /** Tells the machine the server answered 401 to a request sent with `token`. */
  rejected(token: string): void;
}

const TOKEN_SENT = Symbol('token sent');

/**
 * A transport that never leaves `origin`: it refuses a URL on another origin before sending
 * anything, and follows redirects itself, within the origin only, as the auth calls do.
 */
function withinOrigin(origin: string, fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== origin) throw new BalenaForeignOriginError(url.origin, origin);
    const { response } = await followWithinOrigin(
      (hop, method, body) => fetch(hop.href, { ...init, method, body, redirect: 'manual' }),
      { url, method: (init.method ?? 'GET').toUpperCase(), body: init.body },
      origin,
    );
    return response;
  };
}

/**
 * `client.api`: an ofetch instance for the rest of the balena API (`/v7/device`, …) on `apiUrl`'s
 * origin, sending the held credential as a bearer. A session token due for refresh is refreshed
 * first, through the machine's single refresh; an expired one rejects `BalenaExpiredToken` before
 * anything is sent; without a credential no `Authorization` header is sent; a 401 to a session
 * token tells the machine the server rejected it.
 *
 * ofetch is loaded on first use, not when the client is created: a program that only reads its
 * login never loads it. See {@link lazyFetch}.
 *
 * @example
 * const devices = await client.api('/v7/device', { query: { $select: 'uuid' } });
 */
export function createAppApi(options: AppApiOptions): AuthApi {
  return lazyFetch(() =>
    import('./ofetch-loader.ts').then(({ ofetch }) => createInstance(ofetch, options)),
  ) as AuthApi;
}

/**
 * A `$Fetch` (the call, `raw`, `native`, `create`) that makes the real one with `load()` on its first
 * use and hands every use to it: `load()` runs once, concurrent first uses share it, and a failed
 * load is tried again on the next use. `create()` answers at once with another lazy `$Fetch`.
 *
 * @example
 * const api = lazyFetch(() => import('ofetch').then(({ ofetch }) => ofetch.create({ baseURL })));
 * await api('/ping'); // ofetch is imported now
 */
function lazyFetch(load: () => Promise<$Fetch>): $Fetch {
  let loading: Promise<$Fetch> | undefined;
  const loaded = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  const fetch = ((request, options) => loaded().then((real) => real(request, options))) as $Fetch;
  fetch.raw = (request, options) => loaded().then((real) => real.raw(request, options));
  fetch.native = (input, init) => loaded().then((real) => real.native(input, init));
  fetch.create = (defaults, globalOptions) =>
    lazyFetch(() => loaded().then((real) => real.create(defaults, globalOptions)));
  return fetch;
}

/** The ofetch instance behind `client.api`, made from the loaded `ofetch` once per client. */
function createInstance(ofetch: $Fetch, options: AppApiOptions): $Fetch {
  const origin = new URL(options.apiUrl).origin;
  const fetch =
    options.fetch ?? ((...args: Parameters<typeof globalThis.fetch>) => globalThis.fetch(...args));
  return ofetch.create(
    {
      baseURL: origin,
      timeout: options.requestTimeoutMs,
      retry: 0,
      async onRequest(context: FetchContext & { [TOKEN_SENT]?: string }) {
        const { request } = context;
        const target = typeof request === 'string' ? request : request.url;
        if (/^([a-z][a-z\d+.-]*:|\/\/)/i.test(target)) {
          const targetOrigin = new URL(target, origin).origin;
          if (targetOrigin !== origin) throw new BalenaForeignOriginError(targetOrigin, origin);
        }
        const headers = new Headers(context.options.headers);
        headers.set('X-Balena-Client', CLIENT_HEADER);
        if (!headers.has('authorization')) {
          const token = await options.credential().catch((error: unknown) => {
            if (error instanceof BalenaNotLoggedIn) return undefined;
            throw error instanceof BalenaExpiredToken ? new BalenaExpiredToken() : error;
          });
          if (token !== undefined) {
            headers.set('Authorization', `Bearer ${token}`);
            context[TOKEN_SENT] = token;
          }
        }
        context.options.headers = headers;
      },
      onRequestError({ error }) {
        if (error instanceof BalenaError) throw error;
      },
      onResponseError(context: FetchContext & { [TOKEN_SENT]?: string }) {
        const token = context[TOKEN_SENT];
        if (context.response?.status === 401 && token !== undefined) options.rejected(token);
      },
    },
    { fetch: withinOrigin(origin, fetch) },
  );
}
