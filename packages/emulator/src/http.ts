import type { IncomingMessage, ServerResponse } from 'node:http';

/** A response as data: route handlers return it, the server writes it. */
export interface Reply {
  status: number;
  /** Absent: an empty body and no content type. */
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export const TEXT_PLAIN = 'text/plain; charset=utf-8';
export const APPLICATION_JSON = 'application/json; charset=utf-8';
export const TEXT_HTML = 'text/html; charset=utf-8';

/** Request bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A `text/plain` reply.
 *
 * @example
 * ```ts
 * textReply(409, 'This email is already taken');
 * ```
 */
export function textReply(status: number, body: string): Reply {
  return { status, body, contentType: TEXT_PLAIN };
}

/**
 * An `application/json` reply of `JSON.stringify(value)`.
 *
 * @example
 * ```ts
 * jsonReply(200, { id: 1000, actorType: 'user' });
 * ```
 */
export function jsonReply(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value), contentType: APPLICATION_JSON };
}

/**
 * A reply with an empty body and no content type, as open-balena-api's 401s.
 *
 * @example
 * ```ts
 * emptyReply(401);
 * ```
 */
export function emptyReply(status: number): Reply {
  return { status };
}

/**
 * 429 as pinejs's `TooManyRequestsError`: `Retry-After` in seconds and the body `Too Many Requests`.
 *
 * @example
 * ```ts
 * tooManyRequestsReply(3600);
 * ```
 */
export function tooManyRequestsReply(retryAfterSeconds: number): Reply {
  return { ...textReply(429, 'Too Many Requests'), headers: { 'Retry-After': String(retryAfterSeconds) } };
}

/**
 * Write `reply` to `res` (headers already set on `res`, e.g. CORS, are kept).
 *
 * @example
 * ```ts
 * writeReply(res, textReply(200, 'OK'));
 * ```
 */
export function writeReply(res: ServerResponse, reply: Reply): void {
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.contentType !== undefined) res.setHeader('Content-Type', reply.contentType);
  if (reply.status === 204 || reply.status === 304) {
    res.end();
    return;
  }
  const body = reply.body ?? '';
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** A request body after reading and parsing it. */
export type RequestBody =
  | { kind: 'fields'; fields: Record<string, unknown> }
  | { kind: 'tooLarge' }
  | { kind: 'invalidJson' }
  | { kind: 'clientGone' };

/**
 * Read the whole request body and parse it as Express's body parsers do: a JSON object
 * (`application/json` or `*+json`) or `application/x-www-form-urlencoded` fields. Other content
 * types and empty bodies give no fields; JSON that is not an object is `invalidJson`. A body over
 * `maxBytes` is still read (so a reply can be sent) but dropped as `tooLarge`.
 *
 * @example
 * ```ts
 * const body = await readRequestBody(req, MAX_BODY_BYTES);
 * if (body.kind === 'fields') console.log(body.fields.username);
 * ```
 */
export async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<RequestBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += buffer.length;
      if (size <= maxBytes) chunks.push(buffer);
    }
  } catch {
    return { kind: 'clientGone' };
  }
  if (size > maxBytes) return { kind: 'tooLarge' };
  return parseBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
}

function parseBody(raw: string, contentType: string | undefined): RequestBody {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { kind: 'fields', fields: Object.fromEntries(new URLSearchParams(raw)) };
  }
  const isJson = mediaType === 'application/json' || mediaType.endsWith('+json');
  if (!isJson || raw.trim() === '') return { kind: 'fields', fields: {} };
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'invalidJson' };
    return { kind: 'fields', fields: value as Record<string, unknown> };
  } catch {
    return { kind: 'invalidJson' };
  }
}
