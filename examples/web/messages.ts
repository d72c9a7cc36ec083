import { BalenaStorageQuotaExceeded } from '@balena-auth/adapter-web';
import {
  BalenaInvalidLoginCredentials,
  BalenaInvalidParameterError,
  BalenaNetworkError,
  BalenaRequestError,
  BalenaTooManyRequests,
} from '@balena-auth/machine';

/** What the user was doing when an error happened: it decides how a 401 reads. */
export type Action =
  | 'login'
  | 'register'
  | 'verify'
  | 'code'
  | 'setup'
  | 'disable'
  | 'resend'
  | 'whoami'
  | 'api';

/**
 * A message for the person in front of the page. Built from the error's class and status only,
 * so it never repeats a password, a token or a code.
 *
 * @example
 * alert.textContent = describeError(error, 'login'); // "Wrong e-mail or password."
 */
export function describeError(error: unknown, action: Action): string {
  if (error instanceof BalenaInvalidLoginCredentials) return 'Wrong e-mail or password.';
  if (error instanceof BalenaTooManyRequests)
    return 'Too many login attempts: the server asks to wait before the next one. Try again later.';
  if (error instanceof BalenaStorageQuotaExceeded) return error.message;
  if (error instanceof BalenaNetworkError) return 'Cannot reach the API. Is `pnpm start` still running?';
  if (error instanceof BalenaInvalidParameterError) return error.message;
  if (error instanceof BalenaRequestError) {
    if (error.statusCode === 401 && action === 'code')
      return 'That code is not valid. Codes change every 30 seconds: enter the current one.';
    if (error.statusCode === 401 && action === 'verify')
      return 'That verification token is not valid (it may have been used already).';
    if (error.statusCode === 401 && action === 'disable')
      return 'That password is not right: two-factor authentication stays on.';
    if (error.statusCode === 429) return 'Too many requests. Try again later.';
    return `The server refused: ${error.body}`;
  }
  const status = (error as { status?: unknown }).status; // client.api's FetchError
  if (action === 'api' && typeof status === 'number')
    return status === 401
      ? 'The API refused the request (401): the session is no longer valid.'
      : `The API answered ${status}.`;
  return error instanceof Error ? error.message : 'Something went wrong.';
}
