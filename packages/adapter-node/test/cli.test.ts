import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onCleanup, REPO_ROOT, runTs, tempDirectory } from './support.ts';

const CLI = path.join(REPO_ROOT, 'examples/node-cli/main.ts');

/** Runs `pnpm cli`'s script with `args`, feeding `input` lines on stdin (a pipe, as a script would). */
async function cli(args: string[], input: string[] = []) {
  const child = runTs(CLI, args);
  for (const line of input) child.send(line);
  child.process.stdin?.end();
  const code = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

/**
 * Runs the CLI in a real terminal (util-linux `script` gives it a pseudo-terminal: stdin, stdout and
 * stderr are TTYs, so it shows its spinner and reads keys raw). `type` writes keys to the terminal.
 */
function cliInTerminal(args: string[]) {
  // `exec`: the CLI replaces the `$SHELL -c` that `script` starts, so no shell sits between the
  // terminal and the CLI (a dash there would die of a SIGINT and report 130 for itself).
  const command = `exec ${[process.execPath, '--import', 'tsx', CLI, ...args].map((arg) => `'${arg}'`).join(' ')}`;
  const child = spawn('script', ['--quiet', '--return', '--flush', '--command', command, '/dev/null'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGKILL');
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    type: (keys: string) => child.stdin?.write(keys),
    async until(text: string, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (child.exitCode !== null) throw new Error(`the CLI exited before printing ${text}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`the CLI did not print ${text}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}

/**
 * The lines a terminal shows after `output`: carriage returns, newlines, erase-in-line (`ESC[K`),
 * erase-below (`ESC[J`) and cursor-to-column (`ESC[nG`) applied; other escape sequences ignored.
 */
function screen(output: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let column = 0;
  for (let index = 0; index < output.length; index++) {
    const char = output[index];
    if (char === '\x1b') {
      const sequence = /^\[([?\d;]*)([A-Za-z])/.exec(output.slice(index + 1));
      if (!sequence) continue;
      index += sequence[0].length;
      const [, parameters, command] = sequence;
      if (command === 'K' && (parameters === '' || parameters === '0')) lines[row].length = column;
      if (command === 'J' && (parameters === '' || parameters === '0')) {
        lines[row].length = column;
        lines.length = row + 1;
      }
      if (command === 'G') column = Math.max(0, Number(parameters || '1') - 1);
    } else if (char === '\r') {
      column = 0;
    } else if (char === '\n') {
      row++;
      lines[row] ??= [];
      column = 0;
    } else {
      lines[row][column++] = char;
    }
  }
  return lines.map((line) =>
    Array.from(line, (char) => char ?? ' ')
      .join('')
      .trimEnd(),
  );
}

/** A 6-digit code the server refuses: the code of no time step from two before to two after now. */
function refusedCode(totpSecret: string): string {
  const totp = new TOTP({ secret: Secret.fromBase32(totpSecret) });
  const code = totp.generate();
  for (let offset = 1; ; offset++) {
    const candidate = String((Number(code) + offset * 111_111) % 1_000_000).padStart(6, '0');
    if (totp.validate({ token: candidate, window: 2 }) === null) return candidate;
  }
}

describe('the example CLI (examples/node-cli), end to end against the emulator', () => {
  let emulator: Emulator;
  const ada = { email: 'ada@example.com', password: 'ada-password-1', username: 'ada' };
  const linus = { email: 'linus@example.com', password: 'linus-password-1', username: 'linus' };
  let adaTotpSecret: string;
  beforeAll(async () => {
    emulator = await startEmulator({ loginRateLimit: false });
    adaTotpSecret = (await emulator.createUser({ ...ada, twoFactor: true })).totpSecret as string;
    await emulator.createUser(linus);
  });
  afterAll(() => emulator.close());

  it('login with a 2FA challenge, whoami, logout; the token file follows, and no secret is printed', async () => {
    const directory = await tempDirectory();
    const common = ['--api-url', emulator.url, '--data-directory', directory, '--trace'];
    const tokenFile = path.join(directory, 'token');

    const login = await cli(['login', ...common], [ada.email, ada.password, emulator.totp(ada.email)]);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toBe('Logged in as ada\n');
    expect(login.stderr).toContain('This account uses two-factor authentication.');
    expect(login.stderr).toContain('state → session.awaitingTwoFactor,activity.ready.idle');
    expect(login.stderr).toContain('state → session.authenticated,activity.ready.idle');
    const token = await readFile(tokenFile, 'utf8');
    expect(token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    for (const secret of [ada.password, token]) {
      expect(login.stdout + login.stderr).not.toContain(secret);
    }

    const whoami = await cli(['whoami', ...common]);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).toContain('username  ada');
    expect(whoami.stdout).toContain('email     ada@example.com');
    expect(whoami.stdout).toContain(`stored in ${directory}`);
    expect(whoami.stdout + whoami.stderr).not.toContain(token);

    const printed = await cli(['token', '--api-url', emulator.url, '--data-directory', directory]);
    expect(printed.stdout).toBe(`${token}\n`);

    const logout = await cli(['logout', ...common]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toBe('Logged out\n');
    await expect(stat(tokenFile)).rejects.toMatchObject({ code: 'ENOENT' });

    const after = await cli(['whoami', ...common]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('Error: Not logged in');
  }, 60_000);

  it('register, verify-email, 2fa setup, 2fa enable and 2fa disable, one command per run', async () => {
    const directory = await tempDirectory();
    const common = ['--api-url', emulator.url, '--data-directory', directory];
    const grace = { email: 'grace@example.com', password: 'grace-password-1' };

    const register = await cli(['register', '--email', grace.email, ...common], [grace.password]);
    expect(register.code, register.stderr).toBe(0);
    expect(register.stdout).toContain(`Registered ${grace.email}`);
    expect(register.stdout).toContain('Logged in as grace');

    const mail = emulator.outbox().findLast((message) => message.to === grace.email);
    const verify = await cli(['verify-email', ...common], [mail?.token as string]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`Verified ${grace.email}`);

    const setup = await cli(['2fa', 'setup', ...common]);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toMatch(/^secret {4}[A-Z2-7]+$/m);
    expect(setup.stdout).toContain(`otpauth://totp/balena:${encodeURIComponent(grace.email)}?secret=`);

    const enable = await cli(['2fa', 'enable', ...common], [emulator.totp(grace.email)]);
    expect(enable.code, enable.stderr).toBe(0);
    expect(enable.stdout).toBe('Two-factor authentication enabled\n');
    expect((await cli(['2fa', 'status', ...common])).stdout).toBe('two-factor authentication enabled\n');

    const disable = await cli(['2fa', 'disable', ...common], [grace.password]);
    expect(disable.code, disable.stderr).toBe(0);
    expect(disable.stdout).toBe('Two-factor authentication disabled\n');
    expect((await cli(['2fa', 'status', ...common])).stdout).toBe('two-factor authentication not enabled\n');
  }, 60_000);

  it('reports a wrong password with the balena error and exit code 1, storing nothing', async () => {
    const directory = await tempDirectory();
    const result = await cli(
      ['login', '--email', ada.email, '--api-url', emulator.url, '--data-directory', directory],
      ['not-the-password'],
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: Invalid login credentials (BalenaInvalidLoginCredentials)');
    expect(result.stderr).not.toContain('not-the-password');
    await expect(stat(path.join(directory, 'token'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 30_000);

  it('runs an interactive session against the embedded emulator (--emulator), reading commands from stdin', async () => {
    const result = await cli(
      ['--emulator'],
      [
        'login --email demo@example.com',
        'demo-password-1',
        'whoami',
        '2fa status',
        'logout',
        'whoami',
        'exit',
      ],
    );
    expect(result.stderr).toMatch(/Embedded emulator at http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toContain('Logged in as demo');
    expect(result.stdout).toContain('username  demo');
    expect(result.stdout).toContain('two-factor authentication not enabled');
    expect(result.stdout).toContain('Logged out');
    expect(result.stderr).toContain('Error: Not logged in');
    const temporary = /Token file in (\S+)/.exec(result.stderr)?.[1] as string;
    await expect(stat(temporary)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 30_000);

  it('--timeout <s> gives up on a server that does not answer after that many seconds, and says so', async () => {
    const directory = await tempDirectory();
    emulator.faults.next('/login_', { kind: 'hang' });
    const started = performance.now();
    const result = await cli(
      [
        'login',
        '--email',
        linus.email,
        '--timeout',
        '1',
        '--api-url',
        emulator.url,
        '--data-directory',
        directory,
      ],
      [linus.password],
    );
    const seconds = (performance.now() - started) / 1000;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: network timeout (BalenaNetworkError)');
    expect(result.stderr).toContain('The server did not answer within 1 s (--timeout <s> to wait longer).');
    expect(seconds).toBeLessThan(15); // a second for the request; the rest is starting node and tsx
    await expect(stat(path.join(directory, 'token'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 30_000);

  it('refuses a --timeout that is not a number of seconds above 0, with exit code 2', async () => {
    for (const value of ['0', 'soon', '-5', '3601']) {
      const result = await cli(['whoami', '--timeout', value]);
      expect(result.code, value).toBe(2);
      expect(result.stderr, value).toContain('--timeout takes seconds, a number above 0 and at most 3600');
    }
  }, 60_000);

  it('asks again after a wrong two-factor code, and logs in with a right one on the third try', async () => {
    const directory = await tempDirectory();
    const wrong = refusedCode(adaTotpSecret);
    const result = await cli(
      ['login', '--email', ada.email, '--api-url', emulator.url, '--data-directory', directory],
      [ada.password, wrong, wrong, emulator.totp(ada.email)],
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('That code was not accepted; try again (2 tries left).');
    expect(result.stderr).toContain('That code was not accepted; try again (1 try left).');
    expect(result.stdout).toBe('Logged in as ada\n');
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expect(await readFile(path.join(directory, 'token'), 'utf8')).toMatch(/^eyJ/);
  }, 30_000);

  it('gives up after three wrong two-factor codes: exit code 1, and the half-done login is not kept', async () => {
    const directory = await tempDirectory();
    const wrong = refusedCode(adaTotpSecret);
    const result = await cli(
      ['login', '--email', ada.email, '--api-url', emulator.url, '--data-directory', directory],
      [ada.password, wrong, wrong, wrong, emulator.totp(ada.email)],
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Error: Invalid two-factor code, 3 times; not logged in (run login to start again)',
    );
    expect(result.stdout).toBe('');
    await expect(stat(path.join(directory, 'token'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 30_000);

  it('says that the server rejected the stored login, that the token file stays, and how to log in again', async () => {
    const directory = await tempDirectory();
    const common = ['--api-url', emulator.url, '--data-directory', directory];
    const tokenFile = path.join(directory, 'token');
    expect((await cli(['login', '--email', linus.email, ...common], [linus.password])).code).toBe(0);
    const token = await readFile(tokenFile, 'utf8');
    emulator.revokeSessions(linus.email);

    const whoami = await cli(['whoami', ...common]);
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toContain('Not logged in: the server rejected the stored login (401).');
    expect(whoami.stderr).toContain(
      `The login stays stored in ${tokenFile}, as balena-sdk and the balena CLI leave it;`,
    );
    expect(whoami.stderr).toContain('run login to replace it, or logout to remove it.');
    expect(whoami.stderr).not.toContain(token);
    expect(await readFile(tokenFile, 'utf8')).toBe(token);

    const again = await cli(['login', '--email', linus.email, ...common], [linus.password]);
    expect(again.code, again.stderr).toBe(0);
    expect((await cli(['whoami', ...common])).stdout).toContain('username  linus');
  }, 60_000);

  it('exit ends the interactive session with status 0 after a failed command; exit <n> and the end of input give n and the last status', async () => {
    const directory = await tempDirectory();
    const common = ['--api-url', emulator.url, '--data-directory', directory];

    const exit = await cli(common, ['whoami', 'exit']);
    expect(exit.stderr).toContain('Error: Not logged in');
    expect(exit.code).toBe(0);

    expect((await cli(common, ['whoami', 'exit 3'])).code).toBe(3);
    expect((await cli(common, ['whoami'])).code).toBe(1);
  }, 30_000);

  it('Ctrl+C during a request clears the spinner line and exits 130', async () => {
    const directory = await tempDirectory();
    emulator.faults.next('/login_', { kind: 'hang' });
    const terminal = cliInTerminal([
      'login',
      '--email',
      linus.email,
      '--api-url',
      emulator.url,
      '--data-directory',
      directory,
    ]);
    await terminal.until('Password: ');
    terminal.type(`${linus.password}\r`);
    await terminal.until('Logging in');
    terminal.type('\x03');
    expect(await terminal.exited).toBe(130);
    const shown = screen(terminal.output());
    expect(
      shown.filter((line) => line.includes('Logging in')),
      shown.join('\n'),
    ).toEqual([]);
    expect(shown.join('\n')).not.toContain('Error'); // the request cut short by Ctrl+C is not reported as a failure
    expect(terminal.output()).not.toContain(linus.password);
    await expect(stat(path.join(directory, 'token'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 30_000);

  it('refuses an unknown option with the usage and exit code 2', async () => {
    const result = await cli(['whoami', '--nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown option --nope');
    expect(result.stderr).toContain('Usage: pnpm cli');
  }, 30_000);
});
