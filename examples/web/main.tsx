/**
 * The web demo's entry: the client (`createWebAuth`), the statechart's layout (computed by the
 * server from `authMachine` and embedded in the page), and the React app on `@balena-auth/react`.
 * Nothing is painted until the stored session has been read (`useSession()` says `restoring`).
 */
import { createWebAuth } from '@balena-auth/adapter-web';
import type { AuthClient } from '@balena-auth/machine';
import { AuthProvider } from '@balena-auth/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { InspectionEvent } from 'xstate';
import { App } from './app.tsx';
import { createInspectionLog } from './inspection-log.ts';
import type { InspectorTarget } from './inspector-toggle.tsx';
import type { LaidOutChart } from './statechart-layout.ts';

type Inspector = { inspect: { next?: (event: InspectionEvent) => void }; stop(): void };

const apiUrl = (document.querySelector('meta[name="balena-api-url"]') as HTMLMetaElement).content;
const chart = JSON.parse(
  (document.querySelector('#statechart-layout') as HTMLScriptElement).text,
) as LaidOutChart;
const root = createRoot(document.querySelector('#root') as HTMLElement);

let client: AuthClient | undefined;
let inspector: Inspector | undefined;

/** (Re)creates the client and the log, with the inspector if one is open, and renders the page on it. */
function startClient(): AuthClient {
  client?.stop();
  const log = createInspectionLog(chart);
  const next = createWebAuth({
    apiUrl,
    inspect(event) {
      log.inspect(event);
      inspector?.inspect.next?.(event);
    },
  });
  client = next;
  // For the browser console and the end-to-end test: the running client.
  Object.assign(window, { balenaAuth: next });
  root.render(
    <StrictMode>
      <AuthProvider client={next}>
        <App apiUrl={apiUrl} chart={chart} log={log} setInspector={setInspector} />
      </AuthProvider>
    </StrictMode>,
  );
  return next;
}

async function setInspector(target: InspectorTarget | undefined): Promise<void> {
  inspector?.stop();
  inspector = undefined;
  if (target) {
    const { createBrowserInspector } = await import('@statelyai/inspect');
    const url =
      target === 'hosted' ? 'https://stately.ai/inspect' : new URL('/inspector.html', location.href).href;
    inspector = createBrowserInspector({ url });
  }
  await startClient().ready();
}

startClient();
