import { Secret, TOTP } from 'otpauth';

/** RFC 6238 defaults, as authenticator apps use: SHA-1, 6 digits, 30 s steps. */
function totpFor(base32Secret: string): TOTP {
  return new TOTP({ secret: Secret.fromBase32(base32Secret), algorithm: 'SHA1', digits: 6, period: 30 });
}

/**
 * A fresh random TOTP secret (20 bytes), base32-encoded.
 *
 * @example
 * ```ts
 * generateTotpSecret(); // 'JBSWY3DPEHPK3PXP…' (32 characters)
 * ```
 */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/**
 * The TOTP code of `base32Secret` at `timestamp` (ms epoch).
 *
 * @example
 * ```ts
 * totpCode(secret, Date.now()); // '492039'
 * ```
 */
export function totpCode(base32Secret: string, timestamp: number): string {
  return totpFor(base32Secret).generate({ timestamp });
}

/**
 * Whether `code` is the TOTP code of `base32Secret` at `timestamp`, one 30 s step either side.
 *
 * @example
 * ```ts
 * isValidTotpCode(secret, totpCode(secret, t - 30_000), t); // true
 * ```
 */
export function isValidTotpCode(base32Secret: string, code: string, timestamp: number): boolean {
  return totpFor(base32Secret).validate({ token: code, timestamp, window: 1 }) !== null;
}
