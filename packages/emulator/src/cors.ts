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
