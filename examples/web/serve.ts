/**
 * `pnpm start`: the web demo. Serves the page and the embedded emulator on 127.0.0.1 (the page on
 * `PORT`, default any free port), prints where, and stops cleanly on Ctrl+C or SIGTERM.
 */
import { startDemoServer } from './server.ts';

const demo = await startDemoServer({ port: Number(process.env.PORT ?? 0) });
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
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
