import type { AuthSession } from '@balena-auth/machine';

/**
 * The e-mail address of the signed-in user once the server confirmed who it is; '' otherwise.
 *
 * @example
 * const email = signedInEmail(useSession());
 */
export const signedInEmail = (session: AuthSession): string =>
  session.status === 'signedIn' && session.user?.actorType === 'user' ? (session.user.email ?? '') : '';
