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

/** The payload of a JWT, or undefined when `token` is not one. */
export function decodeClaims(token: string): SessionClaims | undefined {
  const segment = token.trim().split('.')[1];
  if (segment === undefined || segment.length % 4 === 1) return undefined;
  try {
    const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
    const text = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const claims: unknown = JSON.parse(text);
    return claims !== null && typeof claims === 'object' ? (claims as SessionClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** True when `token` is a session JWT (as opposed to an API key). */
export function isJwt(token: string): boolean {
  return decodeClaims(token) !== undefined;
}

/** True when `token` is a JWT past its `exp`. API keys never expire locally. */
export function isExpired(token: string, now: number): boolean {
  const exp = decodeClaims(token)?.exp;
  return typeof exp === 'number' && now > exp * 1000;
}

/** `not_required` (claim absent or an API key), `pending` (true) or `passed` (false). */
export function twoFactorStatus(token: string): 'not_required' | 'pending' | 'passed' {
  const claim = decodeClaims(token)?.twoFactorRequired;
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
  const iat = decodeClaims(token)?.iat;
  return typeof iat === 'number' && now - clockSkew - iat * 1000 >= TOKEN_REFRESH_INTERVAL_MS;
}

/** The client's clock minus the server's, from a token the server issued at `receivedAt` (client ms). */
export function clockSkewOf(token: string, receivedAt: number): number | undefined {
  const iat = decodeClaims(token)?.iat;
  return typeof iat === 'number' ? receivedAt - iat * 1000 : undefined;
}

/**
 * Reads a stored value the way balena-settings-storage does: trimmed, empty means none, and a value
 * that parses as JSON to something other than a string (a number, `true`, an object) is malformed.
 */
export function parseStoredToken(raw: string | undefined): { token?: string; malformed: boolean } {
  const value = raw?.trim();
  if (!value) return { malformed: false };
  let parsed: unknown = value;
  try {
    parsed = JSON.parse(value);
  } catch {
    // not JSON: a raw token, as expected
  }
  return typeof parsed === 'string' && parsed !== ''
    ? { token: parsed, malformed: false }
    : { malformed: true };
}

/** A secret as it may appear in logs and inspection: `eyJ…(redacted)` for a JWT, `(redacted)` for anything else. */
export function redactToken(secret: string): string {
  return secret.startsWith('eyJ') ? 'eyJ…(redacted)' : '(redacted)';
}
