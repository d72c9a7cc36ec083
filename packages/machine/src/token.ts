/**
 * Local classification of a credential, as balena-auth does it: a JWT is anything whose second
 * dot-separated segment decodes (base64url) to a JSON object; everything else is an API key.
 * Nothing is verified here; the server is the only judge of validity.
 */
export interface SessionClaims {
  iat?: number;
  exp?: number;
  twoFactorRequired?: boolean;
}

/** A token refresh is due once a session JWT is this old (balena-request's hard-coded interval). */
export const TOKEN_REFRESH_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * The payload of a JWT, or undefined when `token` is not one. Only the claims we use are kept, and
 * only when they have the right type. Decode once per token and keep the result with it: the
 * machine does (`context.claims`).
 */
export function decodeClaims(token: string): SessionClaims | undefined {
  const first = token.indexOf('.');
  if (first < 0) return undefined;
  const second = token.indexOf('.', first + 1);
  const segment = token.slice(first + 1, second < 0 ? undefined : second).replace(/=+$/, '');
  if (segment.length % 4 === 1 || !/^[\w+/-]*$/.test(segment)) return undefined;
  let payload: unknown;
  try {
    const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII payloads need no UTF-8 decoding
    const text = /^[\x00-\x7f]*$/.test(binary) ? binary : utf8(binary);
    payload = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const { iat, exp, twoFactorRequired } = payload as Record<string, unknown>;
  const claims: SessionClaims = {};
  if (typeof iat === 'number' && Number.isFinite(iat)) claims.iat = iat;
  if (typeof exp === 'number' && Number.isFinite(exp)) claims.exp = exp;
  if (typeof twoFactorRequired === 'boolean') claims.twoFactorRequired = twoFactorRequired;
  return claims;
}

function utf8(binary: string): string {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

/** True when `token` is a session JWT (as opposed to an API key). */
export function isJwt(token: string): boolean {
  return decodeClaims(token) !== undefined;
}

/** True when `token` is a JWT past its `exp`. API keys never expire locally. */
export function isExpired(token: string, now: number): boolean {
  return isPastExpiry(decodeClaims(token), now);
}

/** True when `claims` carry an `exp` that `now` (ms) is past. */
export function isPastExpiry(claims: SessionClaims | undefined, now: number): boolean {
  return claims?.exp !== undefined && now > claims.exp * 1000;
}

/** `not_required` (claim absent or an API key), `pending` (true) or `passed` (false). */
export function twoFactorStatus(token: string): 'not_required' | 'pending' | 'passed' {
  return twoFactorStatusOf(decodeClaims(token));
}

/** `twoFactorStatus` from already decoded claims. */
export function twoFactorStatusOf(claims: SessionClaims | undefined): 'not_required' | 'pending' | 'passed' {
  const claim = claims?.twoFactorRequired;
  if (claim === undefined) return 'not_required';
  return claim ? 'pending' : 'passed';
}

/**
 * True when `token` is a session JWT at least 24 h old by the server's clock, so the next
 * authenticated request refreshes it first. `clockSkew` is how far the client's clock runs ahead of
 * the server's (ms), learnt from the `iat` of tokens the server has just issued; a skewed client
 * clock then neither refreshes too early nor loops.
 */
export function isRefreshDue(token: string, now: number, clockSkew = 0): boolean {
  return isRefreshDueOf(decodeClaims(token), now, clockSkew);
}

/** `isRefreshDue` from already decoded claims. */
export function isRefreshDueOf(claims: SessionClaims | undefined, now: number, clockSkew = 0): boolean {
  return claims?.iat !== undefined && now - clockSkew - claims.iat * 1000 >= TOKEN_REFRESH_INTERVAL_MS;
}

/** The client's clock minus the server's, from a token the server issued at `receivedAt` (client ms). */
export function clockSkewOf(claims: SessionClaims | undefined, receivedAt: number): number | undefined {
  return claims?.iat !== undefined ? receivedAt - claims.iat * 1000 : undefined;
}

/**
 * Reads a stored value the way balena-settings-storage does: trimmed, empty means none, and a value
 * that parses as JSON to something other than a string (a number, `true`, an object) is malformed.
 */
export function parseStoredToken(raw: string | undefined): { token?: string; malformed: boolean } {
  const value = raw?.trim();
  if (!value) return { malformed: false };
  // Only a value that can be JSON is parsed (a JWT or an API key never is, and a failed parse
  // costs a thrown exception on every read): a string, an object or array, a literal, a number.
  if (JSON_LITERAL.test(value)) return { malformed: true };
  let parsed: unknown = value;
  if (JSON_OPENING.test(value)) {
    try {
      parsed = JSON.parse(value);
    } catch {
      // not JSON: a raw token
    }
  }
  return typeof parsed === 'string' && parsed !== ''
    ? { token: parsed, malformed: false }
    : { malformed: true };
}

/** The JSON texts that are a number, `true`, `false` or `null`: malformed as a stored token. */
const JSON_LITERAL = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;
/** How a JSON string, object or array starts. */
const JSON_OPENING = /^["{[]/;

/** Anything in a text shaped like a JWT (three base64url segments, the first one `eyJ…`). */
export const JWT_PATTERN = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;

/** A secret as it may appear in logs and inspection: `eyJ…(redacted)` for a JWT, `(redacted)` for anything else. */
export function redactToken(secret: string): string {
  return secret.startsWith('eyJ') ? 'eyJ…(redacted)' : '(redacted)';
}
