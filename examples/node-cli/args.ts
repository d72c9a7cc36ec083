/** The command line of the example CLI: command words, then options anywhere. */
export interface ParsedArgs {
  command: string[];
  apiUrl?: string;
  dataDirectory?: string;
  emulator: boolean;
  trace: boolean;
  help: boolean;
  email?: string;
  token: boolean;
  resend: boolean;
  /** `--timeout <s>`: how long each request may take, in seconds. */
  timeoutSeconds?: number;
}

/** The longest `--timeout` accepted, in seconds. */
export const MAX_TIMEOUT_SECONDS = 3600;
/** balena-request's per-request timeout, the default without `--timeout`. */
export const DEFAULT_TIMEOUT_SECONDS = 59;

const VALUE_OPTIONS = {
  '--api-url': 'apiUrl',
  '--data-directory': 'dataDirectory',
  '--email': 'email',
  '--timeout': 'timeout',
} as const;
const FLAGS = {
  '--emulator': 'emulator',
  '--trace': 'trace',
  '--help': 'help',
  '-h': 'help',
  '--token': 'token',
  '--resend': 'resend',
} as const;

export class UsageError extends Error {}

/**
 * Parses `args` (without `node` and the script).
 *
 * @example
 * parseArgs(['login', '--email', 'ada@example.com', '--trace']);
 * // { command: ['login'], email: 'ada@example.com', trace: true, ... }
 */
export function parseArgs(args: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = {
    command: [],
    emulator: false,
    trace: false,
    help: false,
    token: false,
    resend: false,
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (name in VALUE_OPTIONS) {
      const value = inline ?? args[++index];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      const field = VALUE_OPTIONS[name as keyof typeof VALUE_OPTIONS];
      if (field === 'timeout') parsed.timeoutSeconds = timeoutSeconds(value);
      else parsed[field] = value;
    } else if (name in FLAGS && inline === undefined) {
      parsed[FLAGS[name as keyof typeof FLAGS]] = true;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`Unknown option ${arg}`);
    } else {
      parsed.command.push(arg);
    }
  }
  return parsed;
}

/** `--timeout`'s value: seconds, a number above 0 and at most {@link MAX_TIMEOUT_SECONDS}. */
function timeoutSeconds(text: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(
      `--timeout takes seconds, a number above 0 and at most ${MAX_TIMEOUT_SECONDS} (got ${JSON.stringify(text)})`,
    );
  }
  return seconds;
}

/** Splits a line of the interactive session into words (no quoting: values have no spaces). */
export function splitLine(line: string): string[] {
  return line.trim().split(/\s+/).filter(Boolean);
}

export const USAGE = `Usage: pnpm cli [options] <command>

Commands:
  login [--email <e>]        log in with e-mail and password; asks for the 2FA code when the account needs one
  login --token              log in with a session token or API key (read from the prompt, hidden)
  logout                     forget the stored login (the server keeps no session to end)
  whoami                     who the stored login belongs to
  token                      print the stored token (to stdout, for scripts)
  register [--email <e>]     create an account, then log in with it
  verify-email [--email <e>] verify the e-mail address with the token from the verification e-mail
  verify-email --resend      send the verification e-mail again
  2fa status                 whether two-factor authentication is enabled and passed
  2fa setup                  get a TOTP secret for your authenticator app
  2fa enable                 turn 2FA on with a code from that app
  2fa disable                turn 2FA off (asks for the password)
  (none)                     an interactive session: one command per line, until "exit" or end of input;
                             "exit" ends it with status 0 ("exit <n>" with n), the end of input with the
                             last command's status

Options:
  --api-url <url>            the balena API (default: the balena CLI's, https://api.balena-cloud.com)
  --data-directory <dir>     where the token file lives (default: the balena CLI's, ~/.balena)
  --emulator                 start the embedded emulator with its demo accounts and use it; the token
                             then lives in a temporary directory unless --data-directory is given
  --timeout <s>              give up on a request after <s> seconds (default ${DEFAULT_TIMEOUT_SECONDS}, as balena-sdk)
  --trace                    print each state of the auth statechart as it changes (to stderr, no secrets)
  -h, --help                 this text

Passwords, tokens and codes are read hidden from the terminal, or one per line from a pipe. A wrong
two-factor code is asked for again, up to 3 tries. Ctrl+C stops at any point (exit status 130).`;
