/**
 * `balena-auth-emulator`: run the emulator with the demo accounts until SIGINT/SIGTERM.
 *
 * Usage: `tsx packages/emulator/src/bin.ts [--port <n>]` (or env `PORT`; default 0, any free port).
 * With `BALENA_AUTH_EMULATOR_EXIT_AFTER_START=1` it prints what it would serve, closes and exits 0.
 */
import { startEmulator } from './emulator.ts';
import { seedDemoAccounts } from './seed.ts';
import type { Emulator, SeededAccounts } from './types.ts';

/**
 * The port asked for with `--port <n>`, `--port=<n>` or env `PORT`; 0 when neither is given.
 *
 * @example
 * ```ts
 * requestedPort(['--port', '48480'], {}); // 48480
 * ```
 */
function requestedPort(args: readonly string[], env: NodeJS.ProcessEnv): number {
  let text = env.PORT;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--port') text = args[++index];
    else if (arg.startsWith('--port=')) text = arg.slice('--port='.length);
  }
  if (text === undefined || text === '') return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${text}`);
  return port;
}

/**
 * What the bin prints once it listens: the url and the demo accounts.
 *
 * @example
 * ```ts
 * console.log(startupBanner(emulator.url, await seedDemoAccounts(emulator)));
 * ```
 */
function startupBanner(url: string, accounts: SeededAccounts): string {
  const { user, twoFactorUser, apiKey } = accounts;
  return [
    `balena auth emulator listening on ${url}`,
    '',
    'Demo accounts:',
    `  user      ${user.email} / ${user.password} (username ${user.username})`,
    `  2FA user  ${twoFactorUser.email} / ${twoFactorUser.password} (username ${twoFactorUser.username})`,
    `            TOTP secret ${twoFactorUser.totpSecret}`,
    `  API key   ${apiKey} (user ${user.email})`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const emulator: Emulator = await startEmulator({ port: requestedPort(process.argv.slice(2), process.env) });
  const accounts = await seedDemoAccounts(emulator);
  process.stdout.write(startupBanner(emulator.url, accounts));
  if (process.env.BALENA_AUTH_EMULATOR_EXIT_AFTER_START === '1') {
    await emulator.close();
    return;
  }
  process.stdout.write('Press Ctrl+C to stop.\n');
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    void emulator.close().then(() => process.stdout.write('balena auth emulator stopped\n'));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`balena-auth-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
