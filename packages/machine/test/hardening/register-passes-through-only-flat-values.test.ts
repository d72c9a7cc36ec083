import { describe, expect, it } from 'vitest';
import { useEmulator } from '../emulated.ts';

const env = useEmulator();

describe('register passes extra fields through only as flat JSON values', () => {
  it.each([
    ['a nested object', { profile: { company: 'acme' } }],
    ['a BigInt, which JSON cannot carry', { seats: 10n }],
    ['a non-finite number', { seats: Number.NaN }],
    ['a function', { onDone: () => {} }],
  ])('%s: BalenaInvalidParameterError naming credentials, nothing sent', async (_name, extra) => {
    const { auth } = await env.client();
    env.emulator.clearRequests();
    const error = await auth
      .register({ email: 'new@example.com', password: 'register-password-1', ...extra } as never)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'BalenaInvalidParameterError', parameterName: 'credentials' });
    expect(env.emulator.requests()).toEqual([]);
  });

  it('strings, finite numbers, booleans and null are sent as given', async () => {
    const { auth } = await env.client();
    const token = await auth.register({
      email: 'flat@example.com',
      password: 'register-password-1',
      username: 'flat',
      seats: 3,
      newsletter: false,
      company: null,
    } as never);
    expect(token).toMatch(/^eyJ/);
  });
});
