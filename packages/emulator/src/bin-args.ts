/** What the `balena-auth-emulator` command line asks for. */
export interface BinArgs {
  /** `--help` / `-h`: print {@link BIN_USAGE} and exit 0. */
  help: boolean;
  /** `--port <n>`, else env `PORT`, else 0 (any free port). */
  port: number;
  /** False with `--no-seed`: no demo accounts. */
  seed: boolean;
  /** `--users <file.json>`: users to create at start. */
  usersFile?: string;
}

/** A command line the bin cannot run; it prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const BIN_USAGE = `Usage: balena-auth-emulator [options]

A local emulator of the balena auth API on 127.0.0.1, for tests and examples. It prints its URL and
the demo accounts, then serves until Ctrl+C (SIGINT) or SIGTERM.

Options:
  --port <n>          the TCP port, 0 to 65535 (default: $PORT, else 0 = any free port)
  --no-seed           do not create the demo accounts
  --users <file>      create the users in this JSON file at start: an array of
                      {"email", "password", "username"?, "twoFactor"?, "verified"?}
  -h, --help          print this text and exit

Environment:
  PORT                the port, when --port is not given
  BALENA_AUTH_EMULATOR_EXIT_AFTER_START=1
                      print what it would serve, then close and exit 0

Exit status: 0 after Ctrl+C or SIGTERM (or --help), 2 for a bad option, an unusable users file or a
port that is taken or not allowed, 1 for anything else.`;

/**
 * Parses the bin's arguments (without `node` and the script) and environment. Throws a
 * {@link UsageError} for an unknown option, a missing value or a port that is not an integer from 0
 * to 65535.
 *
 * @example
 * ```ts
 * parseBinArgs(['--port', '48480', '--no-seed'], {}); // { help: false, port: 48480, seed: false }
 * parseBinArgs([], { PORT: '8080' }).port; // 8080
 * ```
 */
export function parseBinArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): BinArgs {
  const parsed: BinArgs = { help: false, port: 0, seed: true };
  let port: { text: string; from: string } | undefined =
    env.PORT === undefined || env.PORT === '' ? undefined : { text: env.PORT, from: 'PORT' };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals === -1 ? arg : arg.slice(0, equals);
    const inline = equals === -1 ? undefined : arg.slice(equals + 1);
    const value = (): string => {
      const given = inline ?? args[++index];
      if (given === undefined || given === '' || (inline === undefined && given.startsWith('-'))) {
        throw new UsageError(`${name} needs a value`);
      }
      return given;
    };
    const flag = () => {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
    };
    switch (name) {
      case '--help':
      case '-h':
        flag();
        parsed.help = true;
        break;
      case '--port':
        port = { text: value(), from: '--port' };
        break;
      case '--no-seed':
        flag();
        parsed.seed = false;
        break;
      case '--users':
        parsed.usersFile = value();
        break;
      default:
        throw new UsageError(
          arg.startsWith('-') ? `Unknown option ${name}` : `Unexpected argument ${JSON.stringify(arg)}`,
        );
    }
  }
  if (port !== undefined) parsed.port = portNumber(port.text, port.from);
  return parsed;
}

function portNumber(text: string, from: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new UsageError(`Invalid port ${JSON.stringify(text)} (${from}): an integer from 0 to 65535`);
  }
  return port;
}
