import type { BrowserCommand } from 'vitest/node';

declare module 'vitest/browser' {
  interface BrowserCommands {
    /** Calls the emulator's admin API from Node, where no web origin is involved; resolves its JSON. */
    emulatorAdmin: (method: string, path: string, body?: unknown) => Promise<unknown>;
  }
}

/**
 * The browser tests' way to the emulator's admin routes: it refuses web pages on origins it was not
 * told about (the test page's among them), so the call is made from the Node side of vitest.
 */
export const emulatorAdmin: BrowserCommand<[method: string, path: string, body?: unknown]> = async (
  { project },
  method,
  path,
  body,
) => {
  const response = await fetch(`${project.getProvidedContext().emulatorUrl}/__emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} /__emulator/${path} answered ${response.status}`);
  return response.json();
};
