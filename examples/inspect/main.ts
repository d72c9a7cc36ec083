/**
 * `pnpm inspect`: watch a whole auth flow in the Stately inspector, from Node.
 *
 * Starts the embedded emulator with its demo accounts and an inspector server on 127.0.0.1
 * (`createInspectorServer`, no browser opened), connects `createWebSocketInspector` to it, and runs
 * a session with `inspect` set: register and verify an e-mail, log in as the 2FA user, pass the TOTP
 * challenge, whoami, getUserInfo, a refresh a day later, an API key, logout. Every event reaches the
 * inspector through the library's redaction. It prints progress only, never a secret.
 *
 *   pnpm inspect                  run the flow and exit
 *   pnpm inspect --wait           print the URLs, wait for Enter (attach a viewer first), then run it
 *   pnpm inspect --serve          keep the inspector server up after the flow, until Ctrl+C
 *   INSPECTOR_PORT=8080 pnpm inspect   a fixed port (default: a free one)
 *
 * Test-only: with BALENA_AUTH_INSPECT_TEST_SECRETS_FILE=<path> it also writes every secret the flow
 * handled (passwords, TOTP secret and codes, tokens, API key, verification token) to that file as
 * a JSON array, so a test can check that none of them reached the inspector. Do not use it otherwise.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { seedDemoAccounts, startEmulator } from '@balena-auth/emulator';
import { createAuth, memoryTokenStore, type TokenStore } from '@balena-auth/machine';
import { createWebSocketInspector } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import { startLoopbackInspectorServer } from './loopback-inspector-server.ts';

const wait = process.argv.includes('--wait');
const serve = process.argv.includes('--serve');
const secretsFile = process.env.BALENA_AUTH_INSPECT_TEST_SECRETS_FILE;
const DAY_AND_AN_HOUR = 25 * 60 * 60 * 1000;

/** Every secret the flow handles; written out only in the test-only mode. */
const secrets = new Set<string>();
const keep = <T extends string | undefined>(secret: T): T => {
  if (secret) secrets.add(secret);
  return secret;
};

const clock = { offset: 0 };
const now = () => Date.now() + clock.offset;

const server = await startLoopbackInspectorServer({ port: Number(process.env.INSPECTOR_PORT ?? 0) });
console.log(`Inspector server on 127.0.0.1 (loopback only):
  viewers connect to   ${server.url}
  bridge page          ${server.pageUrl}  (embeds the Stately inspector UI, which needs internet)`);

const inspector = createWebSocketInspector({ url: server.sourceUrl, maxDeferredEvents: 10_000 });
const emulator = await startEmulator({ now });
const { twoFactorUser, apiKey } = await seedDemoAccounts(emulator);
keep(twoFactorUser.password);
keep(twoFactorUser.totpSecret);
keep(apiKey);
console.log(`Emulator on ${emulator.url} with the demo accounts.`);

if (wait) {
  console.log('Attach a viewer now, then press Enter to run the flow.');
  const lines = createInterface({ input: process.stdin });
  await new Promise((resolve) => {
    lines.once('line', resolve);
    lines.once('close', resolve);
  });
  lines.close();
}

const memory = memoryTokenStore();
const store: TokenStore = { ...memory, set: (token) => memory.set(keep(token)) };
/** Inspection events of the types the inspector sends on (it drops actions and microsteps), by type. */
const sent: Record<string, number> = { '@xstate.actor': 0, '@xstate.event': 0, '@xstate.snapshot': 0 };
const inspect = (event: InspectionEvent) => {
  if (Object.hasOwn(sent, event.type)) sent[event.type] += 1;
  inspector.inspect.next?.(event);
};
const client = createAuth({ apiUrl: emulator.url, store, now, inspect });
const { auth } = client;

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
const hidden = () => '(a token, not shown)';

console.log('Running the flow:');
await step('ready', () => client.ready());
await step('isLoggedIn', () => auth.isLoggedIn());

const newUser = { email: 'inspected@example.com', password: keep('inspected-password-1') };
keep(await step(`register ${newUser.email}`, () => auth.register(newUser), hidden));
const verification = emulator.outbox().find((message) => message.to === newUser.email);
if (!verification) throw new Error('The emulator sent no verification e-mail');
keep(verification.token);
keep(
  await step(
    'verifyEmail with the token from the e-mail',
    () => auth.verifyEmail({ email: newUser.email, token: verification.token }),
    hidden,
  ),
);

await step(`login as ${twoFactorUser.email}`, () => auth.login(twoFactorUser));
await step('twoFactor.isPassed', () => auth.twoFactor.isPassed());
const code = keep(emulator.totp(twoFactorUser.email));
await step('twoFactor.challenge with the current TOTP code', () => auth.twoFactor.challenge(code));
await step('twoFactor.isPassed', () => auth.twoFactor.isPassed());
await step(
  'whoami',
  () => auth.whoami(),
  (actor) => `${actor?.actorType} ${actor && 'username' in actor ? actor.username : ''}`,
);
await step(
  'getUserInfo',
  () => auth.getUserInfo(),
  (info) => `${info.username} <${info.email}>`,
);
clock.offset += DAY_AND_AN_HOUR;
await step('25 h later, isLoggedIn (refreshes the session token first)', () => auth.isLoggedIn());
const refreshes = emulator.requests().filter((r) => r.path === '/user/v1/refresh-token' && r.status === 200);
console.log(`    token refreshes answered by the server: ${refreshes.length}`);
await step('logout', () => auth.logout());
await step('loginWithToken with an API key', () => auth.loginWithToken(apiKey));
await step('isLoggedIn', () => auth.isLoggedIn());
await step('logout', () => auth.logout());
await step('isLoggedIn', () => auth.isLoggedIn());

client.stop();
// The inspector hands each event on in a 0 ms timer: let the last ones go out before closing.
await new Promise((resolve) => setTimeout(resolve, 20));
const total = Object.values(sent).reduce((sum, count) => sum + count, 0);
console.log(`Inspection messages sent: ${total} ${JSON.stringify(sent)}`);
if (secretsFile) writeFileSync(secretsFile, JSON.stringify([...secrets]));
await emulator.close();

if (serve) {
  console.log(`Flow done. The inspector server stays up at ${server.url}; press Ctrl+C to stop.`);
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
inspector.stop();
await server.close();
console.log('Flow done; emulator and inspector server closed.');
