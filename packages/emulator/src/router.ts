import type { Credential } from './credentials.ts';
import { type Reply, TEXT_HTML } from './http.ts';
import type { LoginRateLimiter } from './rate-limit.ts';
import type { EmulatorStore } from './store.ts';
import type { SessionTokens } from './tokens.ts';

/** A request as route handlers see it: already read, parsed and authenticated. */
export interface RouteRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  /** The capture groups of the route's pattern, e.g. the id in `/v7/user(<id>)`. */
  params: string[];
  /** Parsed JSON-object or urlencoded body fields (empty for other bodies). */
  body: Record<string, unknown>;
  credential: Credential;
  remoteAddress: string;
}

/** What the API routes of one emulator share. */
export interface ApiServices {
  store: EmulatorStore;
  tokens: SessionTokens;
  loginRateLimiter: LoginRateLimiter;
  now: () => number;
}

/** One route: a method, a pathname pattern (anchored) and its handler. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string | RegExp;
  handle(request: RouteRequest): Reply | Promise<Reply>;
}

/**
 * The route for `method` and `pathname` and its captured params. HEAD is served by GET routes.
 *
 * @example
 * ```ts
 * const found = findRoute(routes, 'PATCH', '/v7/user(5)'); // { route, params: ['5'] }
 * ```
 */
export function findRoute(
  routes: readonly Route[],
  method: string,
  pathname: string,
): { route: Route; params: string[] } | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method;
  for (const route of routes) {
    if (route.method !== wanted) continue;
    if (typeof route.path === 'string') {
      if (route.path === pathname) return { route, params: [] };
      continue;
    }
    const match = route.path.exec(pathname);
    if (match && match[0] === pathname) return { route, params: match.slice(1) };
  }
  return undefined;
}

/**
 * Express's 404 page for an unmatched route: `text/html` with `<pre>Cannot GET /x</pre>`.
 *
 * @example
 * ```ts
 * notFoundReply('GET', '/whoami');
 * ```
 */
export function notFoundReply(method: string, url: string): Reply {
  const body = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Error</title>
</head>
<body>
<pre>Cannot ${escapeHtml(method)} ${escapeHtml(url)}</pre>
</body>
</html>
`;
  return {
    status: 404,
    body,
    contentType: TEXT_HTML,
    headers: { 'Content-Security-Policy': "default-src 'none'", 'X-Content-Type-Options': 'nosniff' },
  };
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
