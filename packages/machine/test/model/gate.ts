import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenStore } from '../../src/index.ts';

/** One request held at the gate until the walk says how the server answers it. */
interface HeldRequest {
  path: string;
  body: string;
  answer(status: number, body?: string, contentType?: string): void;
}

/**
 * A loopback HTTP server that holds every request until the walk answers it, so each invoked
 * service finishes exactly when the chart's path says, with the answer the path says.
 */
export async function startGate() {
  const held: HeldRequest[] = [];
  const arrivals: (() => void)[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      held.push({
        path: new URL(request.url ?? '/', 'http://127.0.0.1').pathname,
        body,
        answer(status, text = '', contentType = 'text/plain') {
          response.writeHead(status, { 'content-type': contentType }).end(text);
        },
      });
      for (const wake of arrivals.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  /** Waits for a held request to `path` (and matching `body`, if given) and takes it. */
  async function take(path: string, body?: RegExp): Promise<HeldRequest> {
    const deadline = Date.now() + 2_000;
    for (;;) {
      const index = held.findIndex((r) => r.path === path && (!body || body.test(r.body)));
      if (index >= 0) return held.splice(index, 1)[0] as HeldRequest;
      if (Date.now() > deadline) throw new Error(`no request to ${path} arrived at the gate`);
      await new Promise<void>((resolve) => {
        arrivals.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  return {
    url: `http://127.0.0.1:${port}`,
    take,
    /** Answers every request still held (503), e.g. at the end of a path. */
    release() {
      for (const request of held.splice(0)) request.answer(503, 'closed');
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const request of held.splice(0)) request.answer(503, 'closed');
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type StoreOp = 'get' | 'set' | 'remove';
interface HeldOp {
  op: StoreOp;
  resolve(value?: string): void;
  reject(error: unknown): void;
}

/**
 * A token store whose reads and writes wait until the walk answers them, and whose changes
 * "made elsewhere" are announced by the walk (`announce`).
 */
export function gatedStore() {
  const held: HeldOp[] = [];
  const arrivals: (() => void)[] = [];
  const listeners = new Set<(token: string | undefined) => void>();
  let queue: Promise<unknown> = Promise.resolve();
  const hold = (op: StoreOp) =>
    new Promise<string | undefined>((resolve, reject) => {
      held.push({ op, resolve, reject });
      for (const wake of arrivals.splice(0)) wake();
    });
  const store: TokenStore = {
    get: () => hold('get'),
    set: async () => {
      await hold('set');
    },
    remove: async () => {
      await hold('remove');
    },
    exclusive(task) {
      const run = queue.then(task, task);
      queue = run.catch(() => {});
      return run;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  async function take(op: StoreOp): Promise<HeldOp> {
    const deadline = Date.now() + 2_000;
    for (;;) {
      const index = held.findIndex((h) => h.op === op);
      if (index >= 0) return held.splice(index, 1)[0] as HeldOp;
      if (Date.now() > deadline) throw new Error(`no store ${op} arrived`);
      await new Promise<void>((resolve) => {
        arrivals.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  return {
    store,
    take,
    announce(token: string | undefined) {
      for (const listener of listeners) listener(token);
    },
    release() {
      for (const op of held.splice(0)) op.reject(new Error('the walk ended'));
    },
  };
}
