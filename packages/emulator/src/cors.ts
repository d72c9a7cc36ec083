import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_METHODS = 'GET, POST, PATCH, PUT, DELETE, OPTIONS';

/**
 * Set the CORS headers the balena API puts on every response: the request's `Origin` echoed
 * (only when there is one), credentials allowed, `Vary: Origin`, and `Retry-After` exposed.
 *
 * @example
 * ```ts
 * setCorsHeaders(req, res);
 * ```
 */
export function setCorsHeaders(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin) res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  res.setHeader('Vary', 'Origin');
}

/**
 * Answer a CORS preflight: 204 with the allowed methods and the requested headers echoed.
 * Expects {@link setCorsHeaders} to have run.
 *
 * @example
 * ```ts
 * if (req.method === 'OPTIONS') return answerPreflight(req, res);
 * ```
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 204;
  res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
  const requestedHeaders = req.headers['access-control-request-headers'];
  if (requestedHeaders) res.setHeader('Access-Control-Allow-Headers', requestedHeaders);
  res.setHeader('Access-Control-Max-Age', '86400');
  res.end();
}

/** Who may use the admin API from a web page: the emulator's own origin and an allow-list. */
export interface AdminAccess {
  /** The port the emulator listens on: `http://127.0.0.1:<port>` (or localhost, [::1]) is its own origin. */
  port: number;
  /** Origins allowed besides its own, as browsers send them (`http://127.0.0.1:48480`). */
  origins: ReadonlySet<string>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** More origins than anyone needs; a longer list is a mistake. */
const MAX_ADMIN_ORIGINS = 100;

/**
 * Why the admin API refuses `req`, or undefined if it may answer. It answers requests without an
 * `Origin` (server-side code, curl, a URL typed into the address bar) and those from its own origin
 * or one in `access.origins`. It refuses any other `Origin` (including `null`), a cross-site request
 * without one (`Sec-Fetch-Site` of an `<img>` or `<script>`), and a request addressed to a host
 * name that is not loopback (a DNS-rebinding page on the emulator's port).
 *
 * @example
 * ```ts
 * const refusal = adminRefusal(req, { port: 48481, origins: new Set(['http://127.0.0.1:48480']) });
 * if (refusal) return adminError(refusal, 403);
 * ```
 */
export function adminRefusal(req: IncomingMessage, access: AdminAccess): string | undefined {
  const host = req.headers.host;
  if (host !== undefined && !LOOPBACK_HOSTS.has(hostName(host)))
    return 'The emulator admin API answers only requests addressed to 127.0.0.1, localhost or [::1]';
  const origin = req.headers.origin;
  if (origin === undefined) {
    const site = req.headers['sec-fetch-site'];
    return site === 'cross-site' || site === 'same-site'
      ? 'The emulator admin API refuses cross-site requests that carry no Origin'
      : undefined;
  }
  if (access.origins.has(origin) || isOwnOrigin(origin, access.port)) return undefined;
  const shown = origin.length > 200 ? `${origin.slice(0, 200)}…` : origin;
  return `The emulator admin API refuses requests from the origin ${shown}: allow it with the adminOrigins option`;
}

/**
 * `adminOrigins` checked and normalised (`http://Example.test:80/` → `http://example.test`):
 * an array of at most 100 http(s) origins, with no path, query or credentials. Throws otherwise.
 *
 * @example
 * ```ts
 * checkedAdminOrigins(['http://127.0.0.1:48480']); // Set { 'http://127.0.0.1:48480' }
 * ```
 */
export function checkedAdminOrigins(origins: unknown = []): Set<string> {
  if (!Array.isArray(origins) || origins.length > MAX_ADMIN_ORIGINS)
    throw new Error(`adminOrigins must be an array of at most ${MAX_ADMIN_ORIGINS} origins`);
  return new Set(
    origins.map((origin: unknown) => {
      const url = typeof origin === 'string' && URL.canParse(origin) ? new URL(origin) : undefined;
      const bare = url !== undefined && url.pathname === '/' && !url.search && !url.hash && !url.username;
      if (!url || !bare || (url.protocol !== 'http:' && url.protocol !== 'https:'))
        throw new Error(
          `adminOrigins must be web origins such as 'http://127.0.0.1:48480', got ${JSON.stringify(origin)}`,
        );
      return url.origin;
    }),
  );
}

function isOwnOrigin(origin: string, port: number): boolean {
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  return (
    url.origin === origin &&
    url.protocol === 'http:' &&
    url.port === String(port) &&
    LOOPBACK_HOSTS.has(url.hostname)
  );
}

/** `127.0.0.1:48480` → `127.0.0.1`, `[::1]:80` → `[::1]`, lower-cased. */
function hostName(host: string): string {
  return URL.canParse(`http://${host}`) ? new URL(`http://${host}`).hostname : '';
}
