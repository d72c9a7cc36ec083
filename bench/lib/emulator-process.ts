/**
 * The emulator in a process of its own, so that its CPU time and sockets are not the benchmarked
 * client's. Prints one JSON line `{ url }`, then serves until its stdin closes or it gets SIGTERM.
 */
import { startEmulator } from '@balena-auth/emulator';

const emulator = await startEmulator({ loginRateLimit: false });
process.stdout.write(`${JSON.stringify({ url: emulator.url })}\n`);
const close = () => void emulator.close();
process.stdin.on('end', close);
process.stdin.resume();
process.on('SIGTERM', close);
