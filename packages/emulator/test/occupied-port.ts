import { createServer, type Server } from 'node:net';

/**
 * A TCP server holding a free port on 127.0.0.1, so that a program told to listen there finds it
 * taken. Close `server` when done.
 *
 * @example
 * ```ts
 * const { port, server } = await occupiedPort();
 * // … run the program with --port <port> …
 * server.close();
 * ```
 */
export async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}
