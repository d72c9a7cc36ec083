import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Emulator, type SeededAccounts, seedDemoAccounts, startEmulator } from '@balena-auth/emulator';
import { authMachine } from '@balena-auth/machine';
import { build } from 'esbuild';
import { layOutStatechart } from './statechart-layout.ts';

/** A running demo: the page server and the emulator behind it, both on 127.0.0.1. */
export interface DemoServer {
  /** The demo page, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  emulator: Emulator;
  accounts: SeededAccounts;
  close(): Promise<void>;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Bundles the page scripts (React) for the browser, in memory; `@statelyai/inspect` goes to its own chunk. */
async function bundle(): Promise<Map<string, [type: string, body: string | Uint8Array]>> {
  const result = await build({
    entryPoints: { main: here('./main.tsx'), 'inspector-receiver': here('./inspector-receiver.ts') },
    bundle: true,
    jsx: 'automatic',
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
 * Serves the page on 127.0.0.1 with a strict Content-Security-Policy (scripts only from this
 * server, requests only to it and to the emulator), then starts the emulator (with the demo
 * accounts) allowing that page, and only it, to use its admin routes (the dev panel), bundles
 * the page with esbuild, and lays out the statechart picture from `authMachine` (embedded in the
 * page as JSON).
 *
 * @example
 * const demo = await startDemoServer({ port: 0 });
 * console.log(demo.url);
 * await demo.close();
 */
export async function startDemoServer({ port = 0 }: { port?: number } = {}): Promise<DemoServer> {
  const assets = new Map<string, [type: string, body: string | Uint8Array]>();
  let policy = "default-src 'none'";
  const server = createServer((req, res: ServerResponse) => {
    const asset = req.method === 'GET' ? assets.get(new URL(req.url ?? '/', 'http://x').pathname) : undefined;
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
  const closeServer = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  const pagePort = (server.address() as AddressInfo).port;
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      adminOrigins: [`http://127.0.0.1:${pagePort}`, `http://localhost:${pagePort}`],
    });
  } catch (error) {
    await closeServer();
    throw error;
  }
  try {
    const [accounts, bundled, chart] = await Promise.all([
      seedDemoAccounts(emulator),
      bundle(),
      layOutStatechart(authMachine),
    ]);
    for (const [name, asset] of bundled) assets.set(name, asset);
    // A JSON data block is not run, so the page's script-src policy does not apply to it; `<` is
    // escaped so that no text of the chart can close the element.
    const layout = JSON.stringify(chart).replace(/</g, '\\u003c');
    const page = (await readFile(here('./index.html'), 'utf8'))
      .replace('%API_URL%', emulator.url)
      .replace('"%STATECHART_LAYOUT%"', () => layout);
    assets.set('/', ['text/html', page]);
    assets.set('/inspector.html', ['text/html', await readFile(here('./inspector.html'), 'utf8')]);
    policy = [
      "default-src 'self'",
      `connect-src 'self' ${emulator.url}`,
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    return {
      url: `http://127.0.0.1:${pagePort}/`,
      emulator,
      accounts,
      async close() {
        await closeServer();
        await emulator.close();
      },
    };
  } catch (error) {
    await closeServer();
    await emulator.close();
    throw error;
  }
}
