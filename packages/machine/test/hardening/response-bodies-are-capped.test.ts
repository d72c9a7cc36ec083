import type { ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGzip } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuth, memoryTokenStore } from '../../src/index.ts';
import { fakeJwt } from '../jwt.ts';
import { type Handler, useLoopbackServer } from './loopback.ts';

const CAP = 1024 * 1024;
const MB = 1024 * 1024;
const HUGE = 100 * MB;
/** What reading a capped body may keep alive on top of the cap: buffers in flight, the decoder, the error. */
const ALLOWANCE = 4 * MB;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const server = useLoopbackServer();
let gzipBomb: Buffer;
let sent = 0;

/** Streams `total` bytes of `chunk` with backpressure, stopping when the client goes away. */
async function stream(response: ServerResponse, chunk: Buffer, total: number) {
  let closed = false;
  const gone = new Promise<void>((resolve) =>
    response.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  for (let written = 0; written < total && !closed; written += chunk.length) {
    sent += chunk.length;
    if (!response.write(chunk))
      await Promise.race([new Promise((resolve) => response.once('drain', resolve)), gone]);
  }
  response.end();
}

beforeAll(async () => {
  const zeros = Buffer.alloc(MB);
  const gzip = createGzip();
  const compressed: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => compressed.push(chunk));
  for (let i = 0; i < HUGE / MB; i++) gzip.write(zeros);
  gzip.end();
  await new Promise((resolve) => gzip.on('end', resolve));
  gzipBomb = Buffer.concat(compressed);
});

/**
 * The most memory (`heapUsed + arrayBuffers`, each sample right after a GC, so live data only) seen
 * while `run` runs, over what it was just before.
 */
async function peakGrowth(run: () => Promise<unknown>): Promise<number> {
  const live = () => {
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const before = live();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, live());
  }, 5);
  try {
    await run();
  } finally {
    clearInterval(sampler);
  }
  return peak - before;
}

async function whoamiAgainst(handler: Handler) {
  server.handle(handler);
  sent = 0;
  const stored = fakeJwt({ id: 1, iat: Math.floor(Date.now() / 1000) });
  const client = createAuth({ apiUrl: server.url, store: memoryTokenStore(stored) });
  await client.ready();
  let error: unknown;
  const growth = await peakGrowth(async () => {
    error = await client.auth.whoami().catch((e: unknown) => e);
  });
  client.stop();
  console.log(`peak memory growth ${(growth / MB).toFixed(1)} MB, server sent ${(sent / MB).toFixed(1)} MB`);
  return { error, growth };
}

describe('response bodies are read up to 1 MiB', () => {
  it('a 100 MB streamed body: the call rejects BalenaResponseTooLarge and memory grows by less than the cap plus a few MB', async () => {
    const { error, growth } = await whoamiAgainst((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      return stream(response, Buffer.alloc(64 * 1024, 0x20), HUGE);
    });
    expect(error).toMatchObject({ name: 'BalenaResponseTooLarge', statusCode: 200 });
    expect(growth).toBeLessThan(CAP + ALLOWANCE);
    expect(sent).toBeLessThan(HUGE / 2);
  }, 20_000);

  it('a gzip bomb (100 MB of zeros in about 100 KB): decompression stops at the cap', async () => {
    expect(gzipBomb.length).toBeLessThan(MB);
    const { error, growth } = await whoamiAgainst((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      response.end(gzipBomb);
    });
    expect(error).toMatchObject({ name: 'BalenaResponseTooLarge' });
    expect(growth).toBeLessThan(CAP + ALLOWANCE);
  }, 20_000);

  it('a Content-Length over the cap is refused before the body is read', async () => {
    const { error } = await whoamiAgainst((_request, response) => {
      response.writeHead(500, { 'Content-Type': 'text/plain', 'Content-Length': String(HUGE) });
      return stream(response, Buffer.alloc(64 * 1024, 0x61), HUGE);
    });
    expect(error).toMatchObject({ name: 'BalenaResponseTooLarge', statusCode: 500 });
    expect(sent).toBeLessThan(HUGE / 2);
  }, 20_000);
});
