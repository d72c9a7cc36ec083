import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { build } from 'esbuild';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright';
import { chromiumLaunchOptions } from '../chromium.ts';

export interface PagesFixture {
  emulator: Emulator;
  browser: Browser;
  /** A page of a context (tabs of one context share localStorage) with the harness loaded and ready. */
  openHarness(context: BrowserContext): Promise<Page>;
  /** The URL of a served path, e.g. `/sandboxed.html`. */
  url(path: string): string;
  close(): Promise<void>;
}

/**
 * Everything the multi-page tests need, all on 127.0.0.1: the emulator, a tiny server of the
 * harness page (bundled with esbuild) and a local Chromium (`findChromium`) driven by Playwright.
 */
export async function startPagesFixture(): Promise<PagesFixture> {
  const launchOptions = chromiumLaunchOptions();
  const emulator = await startEmulator();
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./harness.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  const api = encodeURIComponent(emulator.url);
  const files: Record<string, [string, string]> = {
    '/harness.html': [
      'text/html',
      '<!doctype html><title>harness</title><script type="module" src="/harness.js"></script>',
    ],
    '/harness.js': ['text/javascript', bundle.outputFiles[0]?.text ?? ''],
    '/sandboxed.html': [
      'text/html',
      `<!doctype html><title>sandboxed</title><iframe sandbox="allow-scripts" src="/harness.html?api=${api}"></iframe>`,
    ],
  };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    res.writeHead(file ? 200 : 404, {
      'content-type': file?.[0] ?? 'text/plain',
      'access-control-allow-origin': '*', // a sandboxed frame (origin "null") loads the module cross-origin
    });
    res.end(file?.[1] ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch(launchOptions);

  return {
    emulator,
    browser,
    url: (path) => `${origin}${path}`,
    async openHarness(context) {
      const page = await context.newPage();
      await page.goto(`${origin}/harness.html?api=${api}`);
      await page.evaluate(() => window.harness.ready());
      return page;
    },
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await emulator.close();
    },
  };
}
