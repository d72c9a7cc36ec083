import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { occupiedPort } from '../../../packages/emulator/test/occupied-port.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const groups: ChildProcess[] = [];
afterEach(() => {
  for (const child of groups.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGKILL');
  }
});

interface Finished {
  code: number | null;
  output: string;
}

/** Runs `command` in its own process group (killed after the test), collecting stdout and stderr. */
function run(command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  groups.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const finished = new Promise<Finished>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
  return { child, output: () => output, finished };
}

/**
 * What `pnpm start` printed itself, without the two lines pnpm adds around any script: the echo of
 * the command (`$ exec node --import tsx …`) and, for a non-zero exit, `[ELIFECYCLE] Command failed with exit code N.`
 */
const ownLines = (output: string) =>
  output
    .replaceAll('\r', '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('$ ') && !line.startsWith('[ELIFECYCLE]'));

describe('pnpm start, as run from a shell', () => {
  it('with a PORT that is in use prints one line (no stack trace) and exits 2', async () => {
    const { port, server } = await occupiedPort();
    try {
      const { code, output } = await run('pnpm', ['start'], { PORT: String(port) }).finished;
      expect(code).toBe(2);
      expect(ownLines(output)).toEqual([
        `pnpm start: port ${port} on 127.0.0.1 is already in use; stop what uses it or choose another (PORT=0: any free port)`,
      ]);
      expect(output).not.toMatch(/^\s+at /m);
    } finally {
      server.close();
    }
  });

  it('with a PORT that is not a port number prints one line and exits 2', async () => {
    const { code, output } = await run('pnpm', ['start'], { PORT: 'eighty' }).finished;
    expect(code).toBe(2);
    expect(ownLines(output)).toEqual([
      'pnpm start: PORT=eighty is not a port number (0 to 65535; 0 picks a free one)',
    ]);
  });

  it('stops on Ctrl+C in a terminal with exit 0 and without pnpm reporting a failed command', async () => {
    // util-linux `script` gives pnpm a real terminal; the ^C written to it becomes SIGINT for the
    // terminal's whole foreground process group, as when a user presses Ctrl+C. `script` runs the
    // command through `$SHELL -c` (/bin/sh when SHELL is unset); `exec` makes pnpm that process, as
    // pnpm is the foreground job of a user's interactive shell. Without it, a shell that does not
    // exec a lone command itself (Debian's dash) is killed by the SIGINT, and its 130 is what
    // `script --return` reports, whatever pnpm did.
    const started = run(
      'script',
      ['--quiet', '--return', '--flush', '--command', 'exec pnpm start', '/dev/null'],
      {
        PORT: '0',
      },
    );
    const deadline = Date.now() + 30_000;
    while (!started.output().includes('press Ctrl+C to stop')) {
      if (started.child.exitCode !== null) throw new Error(`pnpm start exited early:\n${started.output()}`);
      if (Date.now() > deadline) throw new Error(`pnpm start did not start:\n${started.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const url = /Demo page\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(started.output())?.[1] as string;
    expect((await fetch(url, { headers: { connection: 'close' } })).status).toBe(200);

    started.child.stdin?.write('\x03');
    const { code, output } = await started.finished;
    expect(code).toBe(0);
    const afterCtrlC = output.slice(output.indexOf('press Ctrl+C to stop'));
    expect(afterCtrlC).not.toContain('ELIFECYCLE');
    expect(afterCtrlC).not.toMatch(/error|failed/i);
    await expect(fetch(url, { headers: { connection: 'close' } })).rejects.toThrow();
  });
});
