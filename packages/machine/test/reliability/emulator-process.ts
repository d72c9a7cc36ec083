/**
 * The emulator in a process of its own, so that a test can count the sockets and timers of the
 * client's process alone. Prints one JSON line `{ url, email, password }` (a user created for the
 * run), then serves until its stdin closes or it gets SIGTERM.
 *
 * Run: `node --import tsx packages/machine/test/reliability/emulator-process.ts`
 */
import { startEmulator } from '@balena-auth/emulator';

const emulator = await startEmulator({ loginRateLimit: false });
const user = { email: 'soak@example.com', password: 'soak-password-1' };
await emulator.createUser(user);
process.stdout.write(`${JSON.stringify({ url: emulator.url, ...user })}\n`);

const close = () => void emulator.close();
process.stdin.on('end', close);
process.stdin.resume();
process.on('SIGTERM', close);
