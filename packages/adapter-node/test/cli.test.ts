import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runTs, tempDirectory } from './support.ts';

const CLI = path.join(REPO_ROOT, 'examples/node-cli/main.ts');

/** Runs `pnpm cli`'s script with `args`, feeding `input` lines on stdin (a pipe, as a script would). */
async function cli(args: string[], input: string[] = []) {
  const child = runTs(CLI, args);
  for (const line of input) child.send(line);
  child.process.stdin?.end();
  const code = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

describe('the example CLI (examples/node-cli), end to end against the emulator', () => {
  let emulator: Emulator;
  const ada = { email: 'ada@example.com', password: 'ada-password-1', username: 'ada' };
  beforeAll(async () => {
    emulator = await startEmulator({ loginRateLimit: false });
    await emulator.createUser({ ...ada, twoFactor: true });
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

  it('refuses an unknown option with the usage and exit code 2', async () => {
    const result = await cli(['whoami', '--nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown option --nope');
    expect(result.stderr).toContain('Usage: pnpm cli');
  }, 30_000);
});
