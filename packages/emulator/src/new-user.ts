import type { NewUser } from './types.ts';

/**
 * Checks that `value` is a {@link NewUser} (as the admin route and the bin's `--users` file receive
 * it): an object with a non-empty string `email`, a string `password`, and optionally a string
 * `username` and booleans `twoFactor` and `verified`. Other fields are ignored. Returns the user, or
 * the problem as a sentence that names the field but never echoes a value.
 *
 * @example
 * ```ts
 * checkedNewUser({ email: 'ada@example.com', password: 'correct horse' }); // { user: { email, password, … } }
 * checkedNewUser({ email: 'ada@example.com' }); // { problem: 'password must be a string' }
 * ```
 */
export function checkedNewUser(value: unknown): { user: NewUser } | { problem: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problem: 'a user must be a JSON object' };
  }
  const { email, password, username, twoFactor, verified } = value as Record<string, unknown>;
  if (typeof email !== 'string' || email === '') return { problem: 'email must be a non-empty string' };
  if (typeof password !== 'string') return { problem: 'password must be a string' };
  if (username !== undefined && typeof username !== 'string') return { problem: 'username must be a string' };
  if (twoFactor !== undefined && typeof twoFactor !== 'boolean') {
    return { problem: 'twoFactor must be a boolean' };
  }
  if (verified !== undefined && typeof verified !== 'boolean')
    return { problem: 'verified must be a boolean' };
  return { user: { email, password, username, twoFactor, verified } };
}
