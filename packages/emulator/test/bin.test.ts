import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

interface RunningBin {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Run the bin with `node --import tsx` (tsx resolved from the repository root). */
function runBin(args: string[], env: Record<string, string>): RunningBin {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

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

  it('exits 1 with a message for an invalid port', async () => {
    const bin = runBin(['--port', 'eighty'], { BALENA_AUTH_EMULATOR_EXIT_AFTER_START: '1' });
    expect(await bin.exited).toBe(1);
    expect(bin.output()).toContain('Invalid port: eighty');
  }, 30_000);

  it('serves the demo accounts until SIGTERM, then closes and exits 0', async () => {
    const bin = runBin([], {});
    while (!/Press Ctrl\+C/.test(bin.output())) {
      if (bin.child.exitCode !== null) throw new Error(`the bin exited early:\n${bin.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(bin.output())?.[1];
    const response = await fetch(`${url}/login_`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ username: 'demo@example.com', password: 'demo-password-1' }),
    });
    expect(response.status).toBe(200);
    bin.child.kill('SIGTERM');
    expect(await bin.exited).toBe(0);
    expect(bin.output()).toContain('balena auth emulator stopped');
  }, 30_000);
});
