/**
 * `createInspectorServer` from `@statelyai/inspect/server`, bound to 127.0.0.1 only.
 *
 * The library's server listens on every interface (`listen(port)` without a host) and has no host
 * option, so while it builds its server we hand it one whose `listen` is pinned to 127.0.0.1. It
 * relays every message a client sends to every other client (and replays its last 200 to a new
 * one); here the app's inspector connects on the path `/source`, and anything else is a viewer: the
 * bridge page it serves at `/` (which embeds the Stately inspector UI) or any WebSocket client.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { createInspectorServer } from '@statelyai/inspect/server';

const HOST = '127.0.0.1';
/** A WebSocket close frame from the server side: opcode 8, code 1001 ("going away"). */
const GOING_AWAY = Buffer.from([0x88, 0x02, 0x03, 0xe9]);

/** A running loopback inspector server. */
export interface LoopbackInspectorServer {
  /** The TCP port, on 127.0.0.1. */
  port: number;
  /** Where viewers connect: `ws://127.0.0.1:<port>`. */
  url: string;
  /** Where the app's inspector connects (`createWebSocketInspector({ url: sourceUrl })`). */
  sourceUrl: string;
  /** The bridge page: open it in a browser to see the events in the Stately inspector UI. */
  pageUrl: string;
  /**
   * Waits until the app's inspector has closed its connection (stop it first: everything it sent
   * has then been relayed), closes every viewer with code 1001 and closes the server.
   */
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. The bridge page names the port, so it has to be known up front. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: HOST }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Runs `create` while `http.createServer` returns servers that can only listen on 127.0.0.1. */
function withLoopbackHttpServers<T>(create: () => T): { result: T; servers: http.Server[] } {
  const original = http.createServer;
  const servers: http.Server[] = [];
  const pinned = (...args: Parameters<typeof http.createServer>) => {
    const server = original(...args);
    const listen = server.listen.bind(server) as (options: net.ListenOptions, callback?: () => void) => void;
    server.listen = ((port: number, callback?: () => void) => {
      // The library adds no error listener of its own; its WebSocketServer re-emits server errors
      // with none either, which would crash the process. Errors are reported by the caller instead.
      server.removeAllListeners('error');
      listen({ port, host: HOST }, callback);
      return server;
    }) as typeof server.listen;
    servers.push(server);
    return server;
  };
  Reflect.set(http, 'createServer', pinned);
  try {
    return { result: create(), servers };
  } finally {
    Reflect.set(http, 'createServer', original);
  }
}

/**
 * Starts `createInspectorServer` on 127.0.0.1 without opening a browser. Port 0 (the default)
 * picks a free one. Rejects, and leaves nothing running, if the port is taken or the server did not
 * end up on the loopback address.
 *
 * @example
 * const server = await startLoopbackInspectorServer({ port: 0 });
 * const inspector = createWebSocketInspector({ url: server.sourceUrl });
 * const client = createAuth({ store: memoryTokenStore(), inspect: inspector.inspect.next });
 * // … use client; then:
 * client.stop();
 * inspector.stop();
 * await server.close();
 */
export async function startLoopbackInspectorServer(
  options: { port?: number } = {},
): Promise<LoopbackInspectorServer> {
  const port = options.port || (await freePort());
  const { result: inspectorServer, servers } = withLoopbackHttpServers(() =>
    createInspectorServer({ port, autoOpen: false }),
  );
  const [server] = servers;
  if (servers.length !== 1 || !server) {
    inspectorServer.stop();
    throw new Error(
      'createInspectorServer did not create its server through http.createServer: not starting it',
    );
  }
  const viewers = new Set<Duplex>();
  const sources = new Set<Duplex>();
  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex) => {
    const group = request.url?.startsWith('/source') ? sources : viewers;
    group.add(socket);
    socket.once('close', () => group.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      inspectorServer.stop();
      reject(new Error(`The inspector server could not listen on ${HOST}:${port}: ${error.message}`));
    };
    server.once('error', fail);
    server.once('listening', () => {
      server.off('error', fail);
      server.on('error', (error) => console.error(`inspector server: ${error.message}`));
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  if (address.address !== HOST) {
    inspectorServer.stop();
    throw new Error(`The inspector server listens on ${address.address}, not ${HOST}: stopped`);
  }

  const untilClosed = (sockets: Set<Duplex>, ms: number) =>
    Promise.race([
      Promise.all([...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)))),
      new Promise((resolve) => setTimeout(resolve, ms).unref()),
    ]);

  return {
    port,
    url: `ws://${HOST}:${port}`,
    sourceUrl: `ws://${HOST}:${port}/source`,
    pageUrl: `http://${HOST}:${port}/`,
    async close() {
      await untilClosed(sources, 2000);
      for (const socket of sources) socket.destroy();
      for (const viewer of viewers) viewer.end(GOING_AWAY);
      await untilClosed(viewers, 2000);
      for (const viewer of viewers) viewer.destroy();
      const closed = new Promise((resolve) => server.once('close', resolve));
      inspectorServer.stop();
      await closed;
    },
  };
}
