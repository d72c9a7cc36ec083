import { randomBytes, randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A cryptographically random string of letters and digits, the shape of a balena API key.
 *
 * @example
 * ```ts
 * randomAlphanumeric(32); // 'q3ZB0mUe…' (32 characters)
 * ```
 */
export function randomAlphanumeric(length: number): string {
  let text = '';
  for (let index = 0; index < length; index++) {
    text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  }
  return text;
}

/**
 * A cryptographically random lowercase hex string of `length` characters.
 *
 * @example
 * ```ts
 * randomHex(32); // a device uuid such as '6f1c…'
 * ```
 */
export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}
