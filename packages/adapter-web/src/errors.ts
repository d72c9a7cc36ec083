import { BalenaError } from '@balena-auth/machine';

/**
 * The browser refused to store the token: the site's storage quota is full. The caller's promise
 * rejects with it; the session stays held in memory for this page.
 *
 * @example
 * auth.login(credentials).catch((e) => e instanceof BalenaStorageQuotaExceeded && warn(e.message));
 */
export class BalenaStorageQuotaExceeded extends BalenaError {
  constructor(cause?: unknown) {
    super('Could not save the session: site storage is full. It is kept in memory for this page only.');
    Object.defineProperty(this, 'cause', { value: cause, enumerable: false });
  }
}
