import { createHash } from 'node:crypto';

/**
 * How the tests read a credential, written from the protocol (docs/protocol.md, credentials) rather than
 * taken from the machine's own code: a JWT is a token whose second dot-separated segment decodes
 * (base64url) to a JSON object; anything else is an API key.
 */
export function claimsOf(token: string): Record<string, unknown> | undefined {
  const payload = token.trim().split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `pending` for a JWT with `twoFactorRequired: true`, `passed` for `false`, else `not_required`. */
export function twoFactorStatusOf(token: string): 'pending' | 'passed' | 'not_required' {
  const claim = claimsOf(token)?.twoFactorRequired;
  if (claim === undefined) return 'not_required';
  return claim ? 'pending' : 'passed';
}

/**
 * The token a client must hold for a stored value (docs/storage.md, docs/differences.md): none for
 * nothing, blank or a value that parses as JSON to something other than a string; otherwise the
 * trimmed value (a JSON-quoted string is unquoted).
 */
export function expectedHeldToken(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' && parsed !== '' ? parsed : undefined;
  } catch {
    return value;
  }
}

/** A token as it may be printed: its kind and a fingerprint, never the token itself. */
export function describeToken(token: string | undefined): string {
  if (token === undefined) return 'nothing';
  const fingerprint = createHash('sha256').update(token).digest('hex').slice(0, 8);
  const kind = claimsOf(token) ? `JWT(2FA ${twoFactorStatusOf(token)})` : 'API key';
  return `${kind}#${fingerprint}`;
}
