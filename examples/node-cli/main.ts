/**
 * `pnpm cli <command>`: a small balena login CLI on @balena-auth/adapter-node. It shares the balena
 * CLI's login (same data directory and token file) unless told otherwise. See `pnpm cli --help`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createNodeAuth, resolveDataDirectory } from '@balena-auth/adapter-node';
import { type Emulator, seedDemoAccounts, startEmulator } from '@balena-auth/emulator';
import { type AuthClient, type AuthOptions, BalenaError, BalenaNetworkError } from '@balena-auth/machine';
import { DEFAULT_TIMEOUT_SECONDS, type ParsedArgs, parseArgs, splitLine, USAGE, UsageError } from './args.ts';
import { COMMANDS, type CommandContext } from './commands.ts';
import { createTerminal, type Terminal } from './terminal.ts';

let args: ParsedArgs;
try {
  args = parseArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (args.emulator && args.apiUrl) {
  process.stderr.write('--emulator and --api-url exclude each other\n');
  process.exit(2);
}

const cleanups: (() => Promise<void> | void)[] = [];
const cleanUp = async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
};
const terminal: Terminal = createTerminal({
  spinner: !args.trace,
  onInterrupt: () => void cleanUp().then(() => process.exit(130)),
});
cleanups.push(() => terminal.close());

let emulator: Emulator | undefined;
let hints: CommandContext['hints'];
if (args.emulator) {
  emulator = await startEmulator();
  cleanups.push(() => emulator?.close());
  const { user, twoFactorUser, apiKey } = await seedDemoAccounts(emulator);
  terminal.note(
    [
      `Embedded emulator at ${emulator.url} (it stops when this command ends)`,
      `  user      ${user.email} / ${user.password}`,
      `  2FA user  ${twoFactorUser.email} / ${twoFactorUser.password} (TOTP secret ${twoFactorUser.totpSecret})`,
      `  API key   ${apiKey}`,
    ].join('\n'),
  );
  const running = emulator;
  hints = {
    totp: (email) => {
      try {
        return running.totp(email);
      } catch {
        return undefined;
      }
    },
    verificationToken: (email) => running.outbox().findLast((message) => message.to === email)?.token,
  };
}

const dataDirectory = await chooseDataDirectory();
const timeoutSeconds = args.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
const client: AuthClient = createNodeAuth({
  apiUrl: args.apiUrl ?? emulator?.url,
  dataDirectory,
  requestTimeoutMs: timeoutSeconds * 1000,
  inspect: args.trace ? traceTransitions(terminal) : undefined,
});
cleanups.push(() => client.stop());

const context: CommandContext = {
  client,
  terminal,
  dataDirectory,
  hints,
  print: (text) => process.stdout.write(`${text}\n`),
};

try {
  await client.ready();
  if (args.command.length > 0) {
    process.exitCode = await run(args);
  } else {
    await session();
  }
} finally {
  await cleanUp();
}

/** The data directory: `--data-directory`, a temporary one for the emulator, else the balena CLI's. */
async function chooseDataDirectory(): Promise<string | false> {
  if (args.dataDirectory) return path.resolve(args.dataDirectory);
  if (emulator) {
    const temporary = await mkdtemp(path.join(tmpdir(), 'balena-auth-cli-'));
    cleanups.push(() => rm(temporary, { recursive: true, force: true }));
    terminal.note(`Token file in ${temporary} (removed at exit; --data-directory keeps it)`);
    return temporary;
  }
  try {
    return resolveDataDirectory();
  } catch {
    return false; // the balena settings say dataDirectory: false
  }
}

/** Runs one command; resolves with the exit code. Errors are printed without secrets. */
async function run(parsed: ParsedArgs): Promise<number> {
  const command = COMMANDS[parsed.command[0]];
  if (!command) {
    terminal.note(`Unknown command "${parsed.command[0]}"\n\n${USAGE}`);
    return 2;
  }
  try {
    await command(context, parsed);
    return 0;
  } catch (error) {
    const code = error instanceof BalenaError ? ` (${error.code})` : '';
    const timedOut = error instanceof BalenaNetworkError && error.message === 'network timeout';
    const hint = timedOut
      ? `\nThe server did not answer within ${timeoutSeconds} s (--timeout <s> to wait longer).`
      : '';
    terminal.note(`Error: ${(error as Error).message}${code}${hint}`);
    return 1;
  }
}

/**
 * An interactive session: one command per line. `exit` (or `quit`) ends it with status 0, `exit <n>`
 * with n; the end of input with the last command's status, as a shell does.
 */
async function session(): Promise<void> {
  terminal.note('Commands: login, logout, whoami, token, register, verify-email, 2fa …, help, exit');
  for (;;) {
    const line = await terminal.nextLine('balena-auth> ');
    if (line === undefined) return;
    const words = splitLine(line);
    if (words.length === 0) continue;
    if (words[0] === 'exit' || words[0] === 'quit') {
      const status = words[1] === undefined ? 0 : /^\d{1,3}$/.test(words[1]) ? Number(words[1]) : Number.NaN;
      if (words.length <= 2 && status <= 255) {
        process.exitCode = status;
        return;
      }
      terminal.note(`${words[0]} takes an optional status from 0 to 255`);
      continue;
    }
    if (words[0] === 'help') {
      terminal.note(USAGE);
      continue;
    }
    try {
      process.exitCode = await run(parseArgs(words));
    } catch (error) {
      terminal.note((error as Error).message);
    }
  }
}

/** `--trace`: one line per state change of the statechart, with the event that caused it. */
function traceTransitions(output: Terminal): AuthOptions['inspect'] {
  let last = '';
  return (event) => {
    if (event.type !== '@xstate.snapshot' || event.actorRef.sessionId !== event.rootId) return;
    const value = (event.snapshot as { value?: unknown }).value;
    const state = stateName(value);
    if (state === last) return;
    last = state;
    output.note(`state → ${state}  (on ${event.event.type})`);
  };
}

function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return Object.entries(value)
    .map(([key, child]) => `${key}.${stateName(child)}`)
    .join(',');
}
