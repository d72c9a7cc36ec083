import {
  type AuthClient,
  BalenaNotLoggedIn,
  BalenaRequestError,
  type WhoamiResult,
} from '@balena-auth/machine';
import type { ParsedArgs } from './args.ts';
import type { Terminal } from './terminal.ts';

/** What every command works with. `hints` is only set when the embedded emulator runs. */
export interface CommandContext {
  client: AuthClient;
  terminal: Terminal;
  /** Writes a result line to stdout. */
  print(text: string): void;
  dataDirectory: string | false;
  hints?: {
    /** The current TOTP code of `email` (enabled or pending secret), as an authenticator app would show. */
    totp(email: string): string | undefined;
    /** The last verification token sent to `email`. */
    verificationToken(email: string): string | undefined;
  };
}

export class CommandError extends Error {}

type Command = (context: CommandContext, args: ParsedArgs) => Promise<void>;

const describeActor = (actor: WhoamiResult): string[] => {
  switch (actor.actorType) {
    case 'user':
      return [
        `username  ${actor.username}`,
        `email     ${actor.email ?? '(none)'}`,
        `actor     user, actor id ${actor.id}, user id ${actor.actorTypeId}`,
      ];
    case 'device':
      return [
        `device    ${actor.uuid}`,
        `actor     device, actor id ${actor.id}, device id ${actor.actorTypeId}`,
      ];
    case 'application':
      return [
        `fleet     ${actor.slug}`,
        `actor     application, actor id ${actor.id}, application id ${actor.actorTypeId}`,
      ];
  }
};

const currentEmail = async ({ client }: CommandContext) => {
  const actor = await client.auth.whoami().catch(() => undefined);
  return actor?.actorType === 'user' ? (actor.email ?? undefined) : undefined;
};

const askCode = async (context: CommandContext, email: string | undefined) => {
  const hint = email ? context.hints?.totp(email) : undefined;
  if (hint) context.terminal.note(`(emulator: the current code of ${email} is ${hint})`);
  return context.terminal.ask('Two-factor code: ', { hidden: true });
};

/** How many two-factor codes a login may try before it gives up. */
export const TWO_FACTOR_TRIES = 3;

/**
 * Asks for the two-factor code and passes the challenge, asking again after a code the server
 * refused (401), up to {@link TWO_FACTOR_TRIES} times. After the last refusal it logs out (the
 * half-finished session is of no use) and fails, as the balena CLI does.
 */
const passChallenge = async (context: CommandContext, email: string | undefined) => {
  const { client, terminal } = context;
  for (let attempt = 1; ; attempt++) {
    const code = await askCode(context, email);
    try {
      await terminal.spin('Checking the code', client.auth.twoFactor.challenge(code));
      return;
    } catch (error) {
      if (!(error instanceof BalenaRequestError && error.statusCode === 401)) throw error;
      const left = TWO_FACTOR_TRIES - attempt;
      if (left === 0) {
        await client.auth.logout();
        throw new CommandError(
          `Invalid two-factor code, ${TWO_FACTOR_TRIES} times; not logged in (run login to start again)`,
        );
      }
      terminal.note(`That code was not accepted; try again (${left} ${left === 1 ? 'try' : 'tries'} left).`);
    }
  }
};

/**
 * Why `whoami()` gave no user although a login may be stored: none is stored, its two-factor
 * challenge is pending, or the server refused it (401: expired, revoked, or its password changed).
 */
const notLoggedInReason = async ({ client, dataDirectory }: CommandContext): Promise<string> => {
  const stored = await client.auth.getToken().then(
    () => true,
    (error: unknown) => {
      if (error instanceof BalenaNotLoggedIn) return false;
      throw error;
    },
  );
  if (!stored) return 'Not logged in (run login)';
  if (!(await client.auth.twoFactor.isPassed())) {
    return 'Not logged in: the two-factor challenge is pending (run login again)';
  }
  const where = dataDirectory === false ? 'in memory' : `in ${dataDirectory}/token`;
  return [
    'Not logged in: the server rejected the stored login (401). It has expired or been revoked, e.g. by a',
    `password change. The login stays stored ${where}, as balena-sdk and the balena CLI leave it;`,
    'run login to replace it, or logout to remove it.',
  ].join('\n');
};

const greet = async (context: CommandContext) => {
  const actor = await context.terminal.spin('Checking the login', context.client.auth.whoami());
  if (actor === undefined) throw new CommandError(await notLoggedInReason(context));
  context.print(
    `Logged in as ${actor.actorType === 'user' ? actor.username : actor.actorType === 'device' ? actor.uuid : actor.slug}`,
  );
};

const login: Command = async (context, args) => {
  const { client, terminal } = context;
  if (args.token) {
    const token = await terminal.ask('Session token or API key: ', { hidden: true });
    await client.auth.loginWithToken(token);
    const actor = await terminal.spin('Checking the token', client.auth.whoami());
    if (actor === undefined) {
      await client.auth.logout();
      throw new CommandError('The server did not accept this token; nothing was stored');
    }
    return greet(context);
  }
  const email = args.email ?? (await terminal.ask('Email: '));
  const password = await terminal.ask('Password: ', { hidden: true });
  await terminal.spin('Logging in', client.auth.login({ email, password }));
  if (!(await client.auth.twoFactor.isPassed())) {
    terminal.note('This account uses two-factor authentication.');
    await passChallenge(context, email);
  }
  return greet(context);
};

const logout: Command = async ({ client, print }) => {
  await client.auth.logout();
  print('Logged out');
};

const whoami: Command = async (context) => {
  const { client, terminal, print, dataDirectory } = context;
  const actor = await terminal.spin('Asking the server', client.auth.whoami());
  if (actor === undefined) throw new CommandError(await notLoggedInReason(context));
  for (const line of describeActor(actor)) print(line);
  print(`stored in ${dataDirectory === false ? 'memory only' : dataDirectory}`);
};

const token: Command = async ({ client, print }) => {
  print(await client.auth.getToken());
};

const register: Command = async (context, args) => {
  const { client, terminal, print } = context;
  const email = args.email ?? (await terminal.ask('Email: '));
  const password = await terminal.ask('Password: ', { hidden: true });
  const sessionToken = await terminal.spin('Creating the account', client.auth.register({ email, password }));
  await client.auth.loginWithToken(sessionToken);
  print(`Registered ${email}; a verification e-mail is on its way (then: verify-email)`);
  await greet(context);
};

const verifyEmail: Command = async (context, args) => {
  const { client, terminal, print } = context;
  if (args.resend) {
    await terminal.spin('Sending', client.auth.requestVerificationEmail());
    print('Verification e-mail sent again');
    return;
  }
  const email = args.email ?? (await currentEmail(context)) ?? (await terminal.ask('Email: '));
  const hint = context.hints?.verificationToken(email);
  if (hint) terminal.note(`(emulator: the token in the e-mail to ${email} is ${hint})`);
  const verificationToken = await terminal.ask('Verification token from the e-mail: ', { hidden: true });
  const sessionToken = await terminal.spin(
    'Verifying',
    client.auth.verifyEmail({ email, token: verificationToken }),
  );
  await client.auth.loginWithToken(sessionToken);
  print(`Verified ${email}`);
  if (!(await client.auth.twoFactor.isPassed())) await passChallenge(context, email);
  await greet(context);
};

const twoFactor: Command = async (context, args) => {
  const { client, terminal, print } = context;
  const action = args.command[1] ?? 'status';
  if (action === 'status') {
    const [enabled, passed] = await Promise.all([
      client.auth.twoFactor.isEnabled(),
      client.auth.twoFactor.isPassed(),
    ]).catch(() => {
      throw new CommandError('Not logged in');
    });
    print(
      `two-factor authentication ${enabled ? 'enabled' : 'not enabled'}${enabled && !passed ? ', challenge pending' : ''}`,
    );
  } else if (action === 'setup') {
    const secret = await terminal.spin('Getting a setup key', client.auth.twoFactor.getSetupKey());
    const email = (await currentEmail(context)) ?? 'account';
    print(`secret    ${secret}`);
    print(`uri       otpauth://totp/balena:${encodeURIComponent(email)}?secret=${secret}&issuer=balena`);
    print('Add it to your authenticator app, then run: 2fa enable');
  } else if (action === 'enable') {
    const code = await askCode(context, await currentEmail(context));
    await terminal.spin('Enabling', client.auth.twoFactor.enable(code));
    print('Two-factor authentication enabled');
  } else if (action === 'disable') {
    const password = await terminal.ask('Password: ', { hidden: true });
    await terminal.spin('Disabling', client.auth.twoFactor.disable(password));
    print('Two-factor authentication disabled');
  } else {
    throw new CommandError(`Unknown 2fa action "${action}": status, setup, enable or disable`);
  }
};

export const COMMANDS: Record<string, Command> = {
  login,
  logout,
  whoami,
  token,
  register,
  'verify-email': verifyEmail,
  '2fa': twoFactor,
};
