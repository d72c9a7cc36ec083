import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Emulator, type SeededAccounts, seedDemoAccounts, startEmulator } from '@balena-auth/emulator';
import { build } from 'esbuild';

/** A running demo: the page server and the emulator behind it, both on 127.0.0.1. */
export interface DemoServer {
  /** The demo page, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  emulator: Emulator;
  accounts: SeededAccounts;
  close(): Promise<void>;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Bundles the page scripts for the browser, in memory; `@statelyai/inspect` goes to its own chunk. */
async function bundle(): Promise<Map<string, [type: string, body: string | Uint8Array]>> {
  const result = await build({
    entryPoints: { main: here('./main.ts'), 'inspector-receiver': here('./inspector-receiver.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2023',
    sourcemap: 'linked',
    outdir: here('./dist'),
    write: false,
    logLevel: 'error',
  });
  const assets = new Map<string, [string, string | Uint8Array]>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    assets.set(`/assets/${name}`, [
      name.endsWith('.map') ? 'application/json' : 'text/javascript',
      file.text,
    ]);
  }
  assets.set('/assets/style.css', ['text/css', await readFile(here('./style.css'), 'utf8')]);
  return assets;
}

/**
 * Starts the emulator (with the demo accounts), bundles the page with esbuild, and serves it on
 * 127.0.0.1 with a strict Content-Security-Policy: scripts only from this server, requests only to
 * it and to the emulator.
 *
 * @example
 * const demo = await startDemoServer({ port: 0 });
 * console.log(demo.url);
 * await demo.close();
 */
export async function startDemoServer({ port = 0 }: { port?: number } = {}): Promise<DemoServer> {
  const emulator = await startEmulator();
  try {
    const accounts = await seedDemoAccounts(emulator);
    const assets = await bundle();
    const page = (await readFile(here('./index.html'), 'utf8')).replace('%API_URL%', emulator.url);
    assets.set('/', ['text/html', page]);
    assets.set('/inspector.html', ['text/html', await readFile(here('./inspector.html'), 'utf8')]);
    const policy = [
      "default-src 'self'",
      `connect-src 'self' ${emulator.url}`,
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

    const server = createServer((req, res: ServerResponse) => {
      const asset =
        req.method === 'GET' ? assets.get(new URL(req.url ?? '/', 'http://x').pathname) : undefined;
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (!asset) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': `${asset[0]}; charset=utf-8`, 'Content-Security-Policy': policy });
      res.end(asset[1]);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      emulator,
      accounts,
      async close() {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await emulator.close();
      },
    };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}
