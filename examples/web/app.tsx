import { useAuth, useAuthSelector } from '@balena-auth/react';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ChallengeView } from './challenge-view.tsx';
import { DevTools } from './dev-panel.tsx';
import { emulatorAdmin } from './emulator-admin.ts';
import type { createInspectionLog } from './inspection-log.ts';
import { type InspectorTarget, InspectorToggle } from './inspector-toggle.tsx';
import { LogoutButton } from './logout-button.tsx';
import { NoticeLines, NoticeProvider, useNotices } from './notices.tsx';
import { NO_PREFILL, type Prefill } from './prefill.ts';
import { SignedInView } from './signed-in-view.tsx';
import { SignedOutView } from './signed-out-view.tsx';
import type { LaidOutChart } from './statechart-layout.ts';
import { StatechartPanel } from './statechart-panel.tsx';

type InspectionLog = ReturnType<typeof createInspectionLog>;

/** What the demo page needs from `main.tsx`. */
export interface AppProps {
  apiUrl: string;
  chart: LaidOutChart;
  log: InspectionLog;
  /** Restarts the client with the inspector open (on `target`) or closed; resolves once it is ready. */
  setInspector(target: InspectorTarget | undefined): Promise<void>;
}

type View = 'loading' | 'signed-out' | 'challenge' | 'checking' | 'rejected' | 'signed-in';

const VIEWS: Record<string, View> = {
  restoring: 'loading',
  anonymous: 'signed-out',
  authenticating: 'signed-out',
  awaitingTwoFactor: 'challenge',
  'unverified.pending': 'checking',
  'unverified.rejected': 'rejected',
  authenticated: 'signed-in',
};

/** `'authenticated'`, `'unverified.pending'`: the state of the chart's session region. */
const sessionState = (value: unknown): string => {
  const session = (value as { session: unknown }).session;
  if (typeof session === 'string') return session;
  const [[parent, child]] = Object.entries(session as Record<string, string>);
  return `${parent}.${child}`;
};

/**
 * The view of the session region's state. While the stored session is read again (another tab
 * changed it, or the client restarted for the inspector), the last view stays: no flash.
 */
function useView(): View {
  const state = useAuthSelector((snapshot) => sessionState(snapshot.value));
  const settled = useRef<View>('loading');
  if (state !== 'restoring') settled.current = VIEWS[state] ?? 'loading';
  useLayoutEffect(() => {
    if (settled.current !== 'loading') document.body.dataset.ready = 'true';
  });
  return settled.current;
}

/** Says so when another tab or process logged in or out: the session changed without this page asking. */
function useOtherTabNotices(log: InspectionLog) {
  const client = useAuth();
  const { say } = useNotices();
  useEffect(
    () =>
      client.onAuthStateChange((event) => {
        if (log.lastOutsideEvent() !== 'store.changed') return;
        if (event === 'SIGNED_OUT')
          say('Logged out in another tab (or by another program using this session).');
        if (event === 'SIGNED_IN') say('Logged in in another tab.');
      }),
    [client, log, say],
  );
}

function Page({ apiUrl, chart, log, setInspector }: AppProps) {
  const admin = useMemo(() => emulatorAdmin(apiUrl), [apiUrl]);
  const view = useView();
  const [prefill, setPrefill] = useState<Prefill>(NO_PREFILL);
  const [outboxVersion, setOutboxVersion] = useState(0);
  const [lastLoginEmail, setLastLoginEmail] = useState('');
  const { say } = useNotices();
  useOtherTabNotices(log);
  const fill = useCallback(
    (fields: Partial<Omit<Prefill, 'version'>>) =>
      setPrefill((previous) => ({ ...previous, ...fields, version: previous.version + 1 })),
    [],
  );
  const outboxChanged = useCallback(() => setOutboxVersion((version) => version + 1), []);

  return (
    <>
      <header>
        <h1>balena-auth web demo</h1>
        <p>
          A React app on <code>@balena-auth/react</code> and <code>@balena-auth/adapter-web</code>, against
          the embedded emulator on 127.0.0.1: the session lives in <code>localStorage['balena-token']</code>{' '}
          and is shared by every tab of this page.
        </p>
      </header>
      <main id="app" aria-live="polite">
        <NoticeLines />
        {view === 'loading' ? (
          <section id="view-loading" aria-busy="true">
            <p>Reading the stored session…</p>
          </section>
        ) : null}
        {view === 'signed-out' ? (
          <SignedOutView
            prefill={prefill}
            onLogin={setLastLoginEmail}
            onRegistered={(email) => {
              outboxChanged();
              fill({ verifyEmail: email, verifyToken: '' });
            }}
            onVerified={(email) => fill({ loginEmail: email, verifyEmail: '', verifyToken: '' })}
          />
        ) : null}
        {view === 'challenge' ? <ChallengeView /> : null}
        {view === 'checking' ? (
          <section id="view-checking" aria-busy="true">
            <h2>Welcome back</h2>
            <p>Checking your stored session with the server…</p>
          </section>
        ) : null}
        {view === 'rejected' ? (
          <section id="view-rejected">
            <h2>Session refused</h2>
            <p>
              The server no longer accepts the stored session (it expired or was revoked). Log out, then log
              in again.
            </p>
            <LogoutButton />
          </section>
        ) : null}
        {view === 'signed-in' ? <SignedInView onOutboxChanged={outboxChanged} /> : null}
      </main>
      <aside id="dev-panel" aria-label="Developer panel">
        <DevTools
          admin={admin}
          outboxVersion={outboxVersion}
          lastLoginEmail={lastLoginEmail}
          onOpenMail={(mail) => {
            fill({ verifyEmail: mail.to, verifyToken: mail.token });
            say('The verification link filled in the form: press Verify.');
          }}
        />
        <InspectorToggle setInspector={setInspector} />
      </aside>
      <div id="chart-column">
        <StatechartPanel chart={chart} log={log} />
      </div>
    </>
  );
}

/**
 * The demo page: the session's views and forms, the dev tools and the live statechart.
 *
 * @example
 * root.render(<AuthProvider client={client}><App apiUrl={apiUrl} chart={chart} log={log} setInspector={…} /></AuthProvider>);
 */
export function App(props: AppProps) {
  return (
    <NoticeProvider>
      <Page {...props} />
    </NoticeProvider>
  );
}
