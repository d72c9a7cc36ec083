import { BalenaInvalidParameterError } from './errors.ts';

/**
 * The `otpauth://` URI of a TOTP secret (the Key Uri Format that authenticator apps read from a QR
 * code): render it as a QR code next to `twoFactor.getSetupKey()`'s secret. A setup key that is
 * already an `otpauth://` URI is returned as it is.
 *
 * @example
 * const secret = await auth.twoFactor.getSetupKey();
 * const uri = totpUri({ secret, account: 'ada@example.com', issuer: 'balena' });
 * // otpauth://totp/balena:ada%40example.com?secret=…&issuer=balena
 */
export function totpUri({
  secret,
  account,
  issuer,
}: {
  secret: string;
  account: string;
  issuer: string;
}): string {
  if (typeof secret === 'string' && secret.trim().toLowerCase().startsWith('otpauth://'))
    return secret.trim();
  const base32 = typeof secret === 'string' ? secret.replace(/[\s=]/g, '').toUpperCase() : '';
  if (!/^[A-Z2-7]+$/.test(base32)) throw new BalenaInvalidParameterError('secret', undefined);
  for (const [name, value] of Object.entries({ account, issuer }))
    if (typeof value !== 'string' || value === '') throw new BalenaInvalidParameterError(name, value);
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?secret=${base32}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}
