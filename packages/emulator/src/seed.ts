import type { Emulator, SeededAccounts } from './types.ts';

/** The demo credentials; fixed so that docs and examples can name them. */
export const DEMO_USER = Object.freeze({
  email: 'demo@example.com',
  password: 'demo-password-1',
  username: 'demo',
} as const);
export const DEMO_TWO_FACTOR_USER = Object.freeze({
  email: 'twofa@example.com',
  password: 'demo-password-2',
  username: 'twofa',
} as const);

/**
 * Create the demo accounts: a plain user, a user with TOTP 2FA, and a user API key of the plain
 * user. `startEmulator({ seed: true })` and the `balena-auth-emulator` bin both use it.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator();
 * const { user, twoFactorUser, apiKey } = await seedDemoAccounts(emulator);
 * console.log(user.email, twoFactorUser.totpSecret, apiKey);
 * ```
 */
export async function seedDemoAccounts(emulator: Emulator): Promise<SeededAccounts> {
  const user = await emulator.createUser({ ...DEMO_USER });
  const twoFactorUser = await emulator.createUser({ ...DEMO_TWO_FACTOR_USER, twoFactor: true });
  if (twoFactorUser.totpSecret === undefined) throw new Error('The 2FA demo user got no TOTP secret');
  const apiKey = await emulator.createApiKey(DEMO_USER.email);
  return {
    user: { ...DEMO_USER, id: user.id, actorId: user.actorId },
    twoFactorUser: {
      ...DEMO_TWO_FACTOR_USER,
      id: twoFactorUser.id,
      actorId: twoFactorUser.actorId,
      totpSecret: twoFactorUser.totpSecret,
    },
    apiKey,
  };
}
