/**
 * `pnpm walk`: the embedded emulator with its demo accounts, and @balena-auth/machine walking a
 * whole session against it, printing each state of the statechart as it goes (no secret printed).
 * The emulator then stays up for your own app until Ctrl+C; `--once` exits after the walk.
 */
import { seedDemoAccounts, startEmulator } from '@balena-auth/emulator';
import { createAuth, memoryTokenStore } from '@balena-auth/machine';
import { TOTP } from 'otpauth';

const once = process.argv.includes('--once') || process.env.BALENA_AUTH_EMULATOR_EXIT_AFTER_START === '1';
const emulator = await startEmulator({ port: Number(process.env.PORT ?? 0) });
const { user, twoFactorUser, apiKey } = await seedDemoAccounts(emulator);

console.log(`balena auth emulator listening on ${emulator.url}

Demo accounts:
  user      ${user.email} / ${user.password}
  2FA user  ${twoFactorUser.email} / ${twoFactorUser.password}
            TOTP secret ${twoFactorUser.totpSecret}
  API key   ${apiKey}
`);

const client = createAuth({ apiUrl: emulator.url, store: memoryTokenStore() });
let lastState = '';
client.actor.subscribe((snapshot) => {
  const state = JSON.stringify(snapshot.value).replace(/[{}"]/g, '').replace(/:/g, '.');
  if (state !== lastState) console.log(`    state → ${state}`);
  lastState = state;
});
const step = async <T>(label: string, run: () => Promise<T>, show: (value: T) => string = String) => {
  const value = await run();
  console.log(`  ✓ ${label}${value === undefined ? '' : `: ${show(value)}`}`);
  return value;
};

console.log('Walking a session with @balena-auth/machine:');
await step('ready', () => client.ready());
await step('isLoggedIn', () => client.auth.isLoggedIn());
await step(`login as ${twoFactorUser.email}`, () => client.auth.login(twoFactorUser));
await step('twoFactor.isPassed', () => client.auth.twoFactor.isPassed());
const totp = new TOTP({ secret: twoFactorUser.totpSecret });
await step('twoFactor.challenge with the current TOTP code', () =>
  client.auth.twoFactor.challenge(totp.generate()),
);
await step(
  'whoami',
  () => client.auth.whoami(),
  (actor) => `${actor?.actorType} ${JSON.stringify(actor)}`,
);
await step(
  'getUserInfo',
  () => client.auth.getUserInfo(),
  (info) => JSON.stringify(info),
);
await step('logout', () => client.auth.logout());
await step('loginWithToken with the API key', () => client.auth.loginWithToken(apiKey));
await step('isLoggedIn', () => client.auth.isLoggedIn());
await step('logout', () => client.auth.logout());
client.stop();

if (once) {
  await emulator.close();
} else {
  console.log(`\nThe emulator keeps running at ${emulator.url} for your own app. Press Ctrl+C to stop.`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
