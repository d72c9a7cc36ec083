/**
 * `bytes` random bytes as lowercase hex, for names nobody can guess (temp files, lock ids). From Web
 * Crypto (`globalThis.crypto`), which Node loads on first use: importing `node:crypto` instead would
 * load all of it when the package is imported, for a name needed only when the token is written.
 *
 * @example
 * randomHex(8); // 'f3a09c51d27be481'
 */
export function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}
