import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `pnpm start` running in the background, and the URLs it printed. */
export interface StartedDemo {
  pageUrl: string;
  emulatorUrl: string;
  output(): string;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs `pnpm start` from the repository root, exactly as a user would, and waits for it to print
 * the page's URL. `stop()` sends SIGTERM to its process group and waits for the exit.
 */
export function startDemo(timeoutMs = 30_000): Promise<StartedDemo> {
  const child: ChildProcess = spawn('pnpm', ['start'], {
    cwd: root,
    env: { ...process.env, PORT: '0' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`pnpm start printed no URL in time:\n${output}`)));
    }, timeoutMs);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const page = /Demo page\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      const emulator = /Emulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (page && emulator) {
        clearTimeout(timer);
        resolve({ pageUrl: page, emulatorUrl: emulator, output: () => output, stop });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pnpm start exited (${code}) before printing its URL:\n${output}`));
    });
  });
}
