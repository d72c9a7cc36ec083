/**
 * `balena-auth-emulator`: run the emulator, with the demo accounts unless `--no-seed` and the users
 * of `--users <file>`, until SIGINT/SIGTERM. `--help` prints the usage ({@link BIN_USAGE}).
 *
 * Usage: `tsx packages/emulator/src/bin.ts [--port <n>] [--no-seed] [--users <file.json>]`.
 * With `BALENA_AUTH_EMULATOR_EXIT_AFTER_START=1` it prints what it would serve, closes and exits 0.
 * Every error is one line on stderr: exit 2 for a bad option, an unusable users file or a port that
 * is taken or not allowed, 1 for anything else.
 */
import { BIN_USAGE, type BinArgs, parseBinArgs, UsageError } from './bin-args.ts';
import { startEmulator } from './emulator.ts';
import { seedDemoAccounts } from './seed.ts';
import type { Emulator, NewUser, SeededAccounts } from './types.ts';
import { readUsersFile, UsersFileError } from './users-file.ts';

/** Exit status of a command line or setup the bin cannot run (the usage errors). */
const EXIT_USAGE = 2;

/** A problem the user can fix (a flag, the users file, the port); printed as one line, exit 2. */
class SetupError extends Error {}

/**
 * What the bin prints once it listens: the url, the demo accounts (if seeded) and the users
 * created from the file (their e-mail only: the file holds their passwords).
 *
 * @example
 * ```ts
 * console.log(startupBanner(emulator.url, await seedDemoAccounts(emulator), []));
 * ```
 */
function startupBanner(url: string, accounts: SeededAccounts | undefined, users: readonly NewUser[]): string {
  const lines = [`balena auth emulator listening on ${url}`, ''];
  if (accounts) {
    const { user, twoFactorUser, apiKey } = accounts;
    lines.push(
      'Demo accounts:',
      `  user      ${user.email} / ${user.password} (username ${user.username})`,
      `  2FA user  ${twoFactorUser.email} / ${twoFactorUser.password} (username ${twoFactorUser.username})`,
      `            TOTP secret ${twoFactorUser.totpSecret}`,
      `  API key   ${apiKey} (user ${user.email})`,
      '',
    );
  } else {
    lines.push('No demo accounts (--no-seed).', '');
  }
  if (users.length > 0) {
    lines.push(`Users from the users file (${users.length}):`);
    for (const user of users) lines.push(`  ${user.email}${user.twoFactor ? ' (2FA)' : ''}`);
    if (users.some((user) => user.twoFactor)) {
      lines.push(`  current 2FA code of a user: GET ${url}/__emulator/totp?email=<email>`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** `startEmulator` with a listen error turned into a sentence about the port. */
async function listenOn(port: number): Promise<Emulator> {
  try {
    return await startEmulator({ port });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE') {
      throw new SetupError(
        `port ${port} on 127.0.0.1 is already in use; choose another with --port (0: any free port)`,
      );
    }
    if (code === 'EACCES') {
      throw new SetupError(
        `not allowed to listen on port ${port} (ports below 1024 need privileges); choose another with --port`,
      );
    }
    throw error;
  }
}

/** Creates the users of the file, in order; one that cannot be created (e.g. a taken e-mail) is a {@link SetupError}. */
async function createUsers(emulator: Emulator, users: readonly NewUser[], file: string): Promise<void> {
  for (const [index, user] of users.entries()) {
    try {
      await emulator.createUser(user);
    } catch (error) {
      throw new SetupError(`${file}, user ${index + 1}: ${(error as Error).message}`);
    }
  }
}

async function serve(args: BinArgs): Promise<void> {
  const users = args.usersFile === undefined ? [] : await readUsersFile(args.usersFile);
  const emulator = await listenOn(args.port);
  let accounts: SeededAccounts | undefined;
  try {
    if (args.seed) accounts = await seedDemoAccounts(emulator);
    if (args.usersFile !== undefined) await createUsers(emulator, users, args.usersFile);
  } catch (error) {
    await emulator.close();
    throw error;
  }
  process.stdout.write(startupBanner(emulator.url, accounts, users));
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

async function main(): Promise<void> {
  const args = parseBinArgs(process.argv.slice(2), process.env);
  if (args.help) {
    process.stdout.write(`${BIN_USAGE}\n`);
    return;
  }
  await serve(args);
}

main().catch((error: unknown) => {
  const usage = error instanceof UsageError;
  const setup = usage || error instanceof UsersFileError || error instanceof SetupError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `balena-auth-emulator: ${message}${usage ? ' (balena-auth-emulator --help lists the options)' : ''}\n`,
  );
  process.exitCode = setup ? EXIT_USAGE : 1;
});
