/**
 * Type test, checked by `pnpm typecheck`: our `auth` can stand wherever balena-sdk's `sdk.auth` is
 * expected, and the reverse holds for what callers read from it.
 */
import type { BalenaSDK } from 'balena-sdk';
import type { AuthClient, BalenaAuth } from '../src/index.ts';

export const ourAuthIsBalenaAuth = (client: AuthClient): BalenaSDK['auth'] => client.auth;
export const balenaAuthIsOurs = (auth: BalenaSDK['auth']): BalenaAuth => auth;
