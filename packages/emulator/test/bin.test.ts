import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { occupiedPort } from './occupied-port.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    // pnpm runs the bin in child processes: a detached child leads its own process group, kill all of it.
    if (child.spawnargs[0] === 'pnpm') process.kill(-(child.pid as number), 'SIGKILL');
    else child.kill('SIGKILL');
  }
});

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'emulator-bin-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

interface RunningBin {
  child: ChildProcess;
  /** stdout and stderr, interleaved as they arrived. */
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Run the bin with `node --import tsx` (tsx resolved from the repository root). */
function runBin(args: string[], env: Record<string, string> = {}): RunningBin {
  return watch(
    spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

function watch(child: ChildProcess): RunningBin {
  children.push(child);
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Waits until a serving bin has printed "Press Ctrl+C"; resolves with its URL. */
async function listening(bin: RunningBin): Promise<string> {
  while (!/Press Ctrl\+C/.test(bin.output())) {
    if (bin.child.exitCode !== null) throw new Error(`the bin exited early:\n${bin.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return /(http:\/\/127\.0\.0\.1:\d+)/.exec(bin.output())?.[1] as string;
}

/** `POST /login_` on a running bin; the status, and the token's claims on a 200. */
async function login(url: string, username: string, password: string) {
  const response = await fetch(`${url}/login_`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ username, password }),
  });
  const body = await response.text();
  const claims =
    response.status === 200 ? JSON.parse(Buffer.from(body.split('.')[1], 'base64url').toString()) : undefined;
  return { status: response.status, claims };
}

/** The lines of `text` that are not empty. */
const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('the balena-auth-emulator bin', () => {
  it('prints the loopback URL and the demo accounts, then exits 0 with BALENA_AUTH_EMULATOR_EXIT_AFTER_START=1', async () => {
    const bin = runBin(['--port', '0'], { BALENA_AUTH_EMULATOR_EXIT_AFTER_START: '1' });
    expect(await bin.exited).toBe(0);
    const output = bin.output();
    expect(output).toMatch(/http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toContain('demo@example.com / demo-password-1');
    expect(output).toContain('twofa@example.com / demo-password-2');
    expect(output).toMatch(/TOTP secret [A-Z2-7]{32}/);
    expect(output).toMatch(/API key\s+[A-Za-z0-9]{32}/);
  }, 30_000);

  it('takes the port from the PORT environment variable', async () => {
    const probe = runBin([], { BALENA_AUTH_EMULATOR_EXIT_AFTER_START: '1' });
    await probe.exited;
    const port = /127\.0\.0\.1:(\d+)/.exec(probe.output())?.[1];
    const bin = runBin([], { BALENA_AUTH_EMULATOR_EXIT_AFTER_START: '1', PORT: String(port) });
    expect(await bin.exited).toBe(0);
    expect(bin.output()).toContain(`http://127.0.0.1:${port}`);
  }, 30_000);

  it('exits 2 with one line for an invalid port, from --port or PORT', async () => {
    const flag = runBin(['--port', 'eighty'], { BALENA_AUTH_EMULATOR_EXIT_AFTER_START: '1' });
    expect(await flag.exited).toBe(2);
    expect(lines(flag.stderr())).toEqual([expect.stringContaining('Invalid port "eighty" (--port)')]);
    expect(flag.stdout()).toBe('');

    const env = runBin([], { BALENA_AUTH_EMULATOR_EXIT_AFTER_START: '1', PORT: '70000' });
    expect(await env.exited).toBe(2);
    expect(lines(env.stderr())).toEqual([expect.stringContaining('Invalid port "70000" (PORT)')]);
  }, 30_000);

  it('serves the demo accounts until SIGTERM, then closes and exits 0', async () => {
    const bin = runBin([]);
    const url = await listening(bin);
    expect((await login(url, 'demo@example.com', 'demo-password-1')).status).toBe(200);
    bin.child.kill('SIGTERM');
    expect(await bin.exited).toBe(0);
    expect(bin.output()).toContain('balena auth emulator stopped');
  }, 30_000);

  it('--help prints the usage and exits 0 without starting a server', async () => {
    const bin = runBin(['--help']);
    expect(await bin.exited).toBe(0);
    expect(bin.stdout()).toMatch(/^Usage: balena-auth-emulator \[options\]/);
    for (const option of ['--port <n>', '--no-seed', '--users <file>', '-h, --help']) {
      expect(bin.stdout()).toContain(option);
    }
    expect(bin.output()).not.toContain('listening on');
    expect(bin.stderr()).toBe('');
  }, 30_000);

  it('pnpm emulator --help, as the README says, prints the usage and exits 0', async () => {
    const bin = watch(
      spawn('pnpm', ['emulator', '--help'], {
        cwd: REPO_ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    expect(await bin.exited, bin.output()).toBe(0);
    expect(bin.stdout()).toContain('Usage: balena-auth-emulator [options]');
    expect(bin.output()).not.toContain('listening on');
  }, 30_000);

  it('a --port in use is one line on stderr and exit 2, nothing on stdout', async () => {
    const { port, server } = await occupiedPort();
    try {
      const bin = runBin(['--port', String(port)]);
      expect(await bin.exited).toBe(2);
      expect(lines(bin.stderr())).toEqual([
        `balena-auth-emulator: port ${port} on 127.0.0.1 is already in use; choose another with --port (0: any free port)`,
      ]);
      expect(bin.stdout()).toBe('');
    } finally {
      server.close();
    }
  }, 30_000);

  it('an unknown option or a stray argument is one line on stderr and exit 2', async () => {
    for (const args of [['--seed-please'], ['serve'], ['--users'], ['--no-seed=yes']]) {
      const bin = runBin(args, { BALENA_AUTH_EMULATOR_EXIT_AFTER_START: '1' });
      expect(await bin.exited, args.join(' ')).toBe(2);
      expect(lines(bin.stderr()), args.join(' ')).toHaveLength(1);
      expect(bin.stderr()).toContain('balena-auth-emulator --help lists the options');
      expect(bin.stdout()).toBe('');
    }
  }, 60_000);

  it('--no-seed serves no demo accounts', async () => {
    const bin = runBin(['--no-seed']);
    const url = await listening(bin);
    expect(bin.stdout()).toContain('No demo accounts (--no-seed).');
    expect(bin.stdout()).not.toContain('demo@example.com');
    expect((await login(url, 'demo@example.com', 'demo-password-1')).status).toBe(401);
    bin.child.kill('SIGTERM');
    expect(await bin.exited).toBe(0);
  }, 30_000);

  it('--users <file> creates those users at start, next to the demo accounts, and prints no password', async () => {
    const file = path.join(scratch, 'users.json');
    const users = [
      { email: 'ada@example.com', password: 'ada-password-1' },
      { email: 'grace@example.com', password: 'grace-password-2', username: 'grace', twoFactor: true },
    ];
    await writeFile(file, JSON.stringify(users));
    const bin = runBin(['--users', file]);
    const url = await listening(bin);
    expect(bin.stdout()).toContain('Users from the users file (2):');
    expect(bin.stdout()).toContain('  ada@example.com\n');
    expect(bin.stdout()).toContain('  grace@example.com (2FA)');
    for (const user of users) expect(bin.output()).not.toContain(user.password);

    expect((await login(url, 'ada@example.com', 'ada-password-1')).status).toBe(200);
    const grace = await login(url, 'grace', 'grace-password-2');
    expect(grace.status).toBe(200);
    expect(grace.claims.twoFactorRequired).toBe(true);
    expect((await login(url, 'demo@example.com', 'demo-password-1')).status).toBe(200);
    const code = await fetch(`${url}/__emulator/totp?email=grace@example.com`, {
      headers: { connection: 'close' },
    });
    expect((await code.json()).code).toMatch(/^\d{6}$/);
    bin.child.kill('SIGTERM');
    expect(await bin.exited).toBe(0);
  }, 30_000);

  it('an unusable --users file is one line naming the file and the problem, exit 2, and never echoes a password', async () => {
    const cases: [contents: string | undefined, problem: string][] = [
      [undefined, 'there is no such file'],
      ['{"email": "ada@example.com"', 'is not valid JSON'],
      ['{"email": "ada@example.com", "password": "pw"}', 'must hold a JSON array of users'],
      ['[{"email": "ada@example.com", "password": 12345678}]', 'user 1: password must be a string'],
      ['[{"email": "ada@example.com", "passwd": "secret-typo-1"}]', 'user 1: password must be a string'],
      [
        '[{"email": "ada@example.com", "password": "pw-1", "twofactor": true}]',
        'user 1: unknown field "twofactor"',
      ],
      [
        '[{"email": "demo@example.com", "password": "secret-demo-2"}]',
        'user 1: A user with the email demo@example.com already exists',
      ],
      [
        '[{"email": "a@example.com", "password": "secret-a-3"}, {"email": "A@example.com", "password": "secret-a-4"}]',
        'user 2: A user with the email A@example.com already exists',
      ],
      [
        `[${'{"email": "x@example.com", "password": "p"},'.repeat(1001).slice(0, -1)}]`,
        'at most 1000 are allowed',
      ],
      [' '.repeat(1024 * 1024 + 1), 'is larger than 1048576 bytes'],
    ];
    for (const [index, [contents, problem]] of cases.entries()) {
      const file = path.join(scratch, `bad-${index}.json`);
      if (contents !== undefined) await writeFile(file, contents);
      const bin = runBin(['--users', file], { BALENA_AUTH_EMULATOR_EXIT_AFTER_START: '1' });
      expect(await bin.exited, problem).toBe(2);
      expect(lines(bin.stderr()), problem).toEqual([expect.stringContaining(file)]);
      expect(bin.stderr(), problem).toContain(problem);
      expect(bin.stderr()).not.toMatch(/secret-|12345678/);
      expect(bin.stdout(), problem).toBe('');
    }
  }, 120_000);
});
