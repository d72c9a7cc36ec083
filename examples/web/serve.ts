/**
 * `pnpm start`: the web demo. Serves the page and the embedded emulator on 127.0.0.1 (the page on
 * `PORT`, default any free port), prints where, and stops cleanly on Ctrl+C or SIGTERM (exit 0).
 *
 * A `PORT` that is not a port number, or one that is taken, is one line on stderr and exit 2. The
 * package.json script `exec`s `node --import tsx` on this file, so that on Ctrl+C this is the only
 * process under pnpm: a `sh -c` would die of the SIGINT itself, and the `tsx` command's parent
 * process, when the child is slow to acknowledge the signal (a loaded machine), sends it again and
 * then kills the child with exit 130; pnpm reports either as a failed command. The handlers stay
 * registered, so a second signal while closing changes nothing.
 */
import { type DemoServer, startDemoServer } from './server.ts';

/** Exit status for a `PORT` that cannot be used. */
const EXIT_USAGE = 2;

function exitWith(message: string): never {
  process.stderr.write(`pnpm start: ${message}\n`);
  process.exit(EXIT_USAGE);
}

/** `PORT` as a port number: empty or unset is 0 (any free port). */
function requestedPort(text = ''): number {
  if (text === '') return 0;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port <= 65535)) exitWith(`PORT=${text} is not a port number (0 to 65535; 0 picks a free one)`);
  return port;
}

const port = requestedPort(process.env.PORT);
let demo: DemoServer;
try {
  demo = await startDemoServer({ port });
} catch (error) {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    exitWith(
      `port ${port} on 127.0.0.1 is already in use; stop what uses it or choose another (PORT=0: any free port)`,
    );
  }
  if (code === 'EACCES')
    exitWith(`not allowed to listen on port ${port}; choose another (PORT=0: any free port)`);
  throw error;
}
const { user, twoFactorUser } = demo.accounts;

console.log(`balena-auth web demo

  Demo page   ${demo.url}
  Emulator    ${demo.emulator.url}

Demo accounts (or register a new one on the page):
  user        ${user.email} / ${user.password}
  2FA user    ${twoFactorUser.email} / ${twoFactorUser.password}  (codes: the page's dev panel)

Open the page in Chromium; press Ctrl+C to stop.`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void demo.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
