import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** One request a loopback server received. */
export interface Hit {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What a test server does with a request; `body` is the whole request body as text. */
export type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
) => void | Promise<void>;

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request received, in order. */
  hits: Hit[];
  /** Replaces what the server answers from now on. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/**
 * A `node:http` server on 127.0.0.1 and a free port that records every request and answers with
 * the current handler (404 until one is set). Close it in `afterAll`.
 */
export async function startLoopbackServer(handler?: Handler): Promise<LoopbackServer> {
  let current: Handler = handler ?? ((_request, response) => void response.writeHead(404).end());
  const hits: Hit[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    hits.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
    try {
      await current(request, response, body);
    } catch {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    handle(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * One loopback server for a test file: started before the first test, its request log cleared
 * after each test, closed after the last one.
 */
export function useLoopbackServer(handler?: Handler): Omit<LoopbackServer, 'close'> {
  let server: LoopbackServer | undefined;
  beforeAll(async () => {
    server = await startLoopbackServer(handler);
  });
  afterEach(() => {
    if (server) server.hits.length = 0;
  });
  afterAll(() => server?.close());
  const started = () => {
    if (!server) throw new Error('the loopback server is not started yet');
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get hits() {
      return started().hits;
    },
    handle: (next) => started().handle(next),
  };
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/** A handler that passes the request on to `target` (e.g. the emulator) and relays its answer. */
export function forwardTo(target: string): Handler {
  return async (request, response, body) => {
    const headers = Object.entries(request.headers).filter(([name]) => !HOP_BY_HOP.has(name)) as [
      string,
      string,
    ][];
    const answer = await fetch(new URL(request.url ?? '/', target), {
      method: request.method,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
      redirect: 'manual',
    });
    const text = await answer.text();
    const relayed = [...answer.headers].filter(
      ([name]) => !HOP_BY_HOP.has(name) && name !== 'content-encoding',
    );
    response.writeHead(answer.status, Object.fromEntries(relayed));
    response.end(text);
  };
}

/** Collects every unhandled rejection and uncaught exception until `stop()`. */
export function watchProcessFailures() {
  const failures: unknown[] = [];
  const record = (error: unknown) => failures.push(error);
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  return {
    failures,
    stop() {
      process.off('unhandledRejection', record);
      process.off('uncaughtException', record);
    },
  };
}
