import { createWebAuth } from '@balena-auth/adapter-web';
import type { AuthClient } from '@balena-auth/machine';
import { StrictMode, version } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { emulatorUrl, newUser } from '../../adapter-web/test/admin.ts';
import { AuthProvider } from '../src/index.ts';
import { ChartValue, LoginButton, LogoutButton, SessionBadge } from './components.tsx';
import { countingClient } from './counting-client.ts';
import { hydrate, type Mounted, mount } from './mount.ts';

const clients: AuthClient[] = [];
const mounted: Mounted[] = [];
/** A browser client on the emulator; `whoamis` counts the whoami requests it sends. */
function webAuth() {
  const counts = { whoamis: 0 };
  const client = createWebAuth({
    apiUrl: emulatorUrl,
    fetch: (input, init) => {
      if (String(input instanceof Request ? input.url : input).includes('/actor/v1/whoami')) counts.whoamis++;
      return fetch(input, init);
    },
  });
  clients.push(client);
  return Object.assign(client, { counts });
}
const show = (ui: Parameters<typeof mount>[0]) => {
  const app = mount(ui);
  mounted.push(app);
  return app;
};
const texts = (app: Mounted, selector: string) =>
  [...app.container.querySelectorAll(selector)].map((element) => element.textContent);
const click = (app: Mounted, selector: string) =>
  (app.container.querySelector(selector) as HTMLButtonElement).click();

afterEach(() => {
  for (const app of mounted.splice(0)) app.unmount();
  for (const client of clients.splice(0)) client.stop();
  localStorage.clear();
});

describe('@balena-auth/react in Chromium', () => {
  it(`runs on React ${inject('reactMajor')}`, () => {
    expect(version.split('.')[0]).toBe(String(inject('reactMajor')));
  });

  it('a login in one component is seen by another, and so is the logout', async () => {
    const user = await newUser();
    const client = webAuth();
    const app = show(
      <AuthProvider client={client}>
        <section>
          <LoginButton credentials={user} />
          <LogoutButton />
        </section>
        <aside>
          <SessionBadge />
        </aside>
      </AuthProvider>,
    );
    await vi.waitFor(() => expect(texts(app, '.session')).toEqual(['signedOut']));

    click(app, '.login');
    await vi.waitFor(() => expect(texts(app, '.session')).toEqual([`signedIn ${user.email}`]));
    expect(localStorage.getItem('balena-token')).toMatch(/^eyJ/);

    click(app, '.logout');
    await vi.waitFor(() => expect(texts(app, '.session')).toEqual(['signedOut']));
    await vi.waitFor(() => expect(localStorage.getItem('balena-token')).toBeNull());
  });

  it('in StrictMode, mounting subscribes once per hook and unmounting leaves no listener; the client keeps running', async () => {
    const user = await newUser();
    const seed = webAuth();
    await seed.auth.login(user); // a stored session, which the next client must confirm with a whoami
    seed.stop();
    const client = webAuth();
    const counted = countingClient(client);

    const app = show(
      <StrictMode>
        <AuthProvider client={counted.client}>
          <SessionBadge />
          <SessionBadge />
          <ChartValue />
        </AuthProvider>
      </StrictMode>,
    );
    await vi.waitFor(() =>
      expect(texts(app, '.session')).toEqual([`signedIn ${user.email}`, `signedIn ${user.email}`]),
    );
    expect(counted.listeners()).toEqual({ session: 2, actor: 1 });
    expect(counted.subscriptions()).toBeGreaterThan(3); // StrictMode subscribed, dropped and subscribed again
    expect(client.counts.whoamis).toBe(1); // one confirmation of the stored session, not one per subscription

    app.unmount();
    expect(counted.listeners()).toEqual({ session: 0, actor: 0 });
    expect(client.actor.getSnapshot().status).toBe('active');
    await client.auth.logout();
    expect(await client.auth.isLoggedIn()).toBe(false);
  });

  it('useSession re-renders only when the session changes, while useAuthSelector follows every step of the chart', async () => {
    const user = await newUser();
    const client = webAuth();
    await client.auth.login(user);
    let sessionRenders = 0;
    let chartRenders = 0;
    const app = show(
      <AuthProvider client={client}>
        <SessionBadge onRender={() => sessionRenders++} />
        <ChartValue onRender={() => chartRenders++} />
      </AuthProvider>,
    );
    await vi.waitFor(() => expect(texts(app, '.session')).toEqual([`signedIn ${user.email}`]));
    await vi.waitFor(() =>
      expect(texts(app, '.chart')).toEqual([
        JSON.stringify({ session: 'authenticated', activity: { ready: 'idle' } }),
      ]),
    );
    const [sessionBefore, chartBefore] = [sessionRenders, chartRenders];

    const steps: string[] = [];
    const subscription = client.actor.subscribe((snapshot) => steps.push(JSON.stringify(snapshot.value)));
    await client.auth.twoFactor.getSetupKey(); // activity: fetchingSetupKey, then ready.idle; the session stays
    await client.auth.twoFactor.getSetupKey();
    subscription.unsubscribe();
    await vi.waitFor(() => expect(chartRenders).toBeGreaterThanOrEqual(chartBefore + 4));

    expect(steps.filter((step) => step.includes('fetchingSetupKey'))).toHaveLength(2);
    expect(sessionRenders).toBe(sessionBefore);
    expect(texts(app, '.session')).toEqual([`signedIn ${user.email}`]);
  });

  it('hydrates server markup without a mismatch: restoring on the server, then the stored session', async () => {
    const user = await newUser();
    const client = webAuth();
    const ui = (
      <AuthProvider client={client}>
        <SessionBadge />
      </AuthProvider>
    );
    const html = renderToString(ui);
    expect(html).toContain('restoring');
    await client.auth.login(user); // the browser's client already knows more than the server could

    const errors: unknown[] = [];
    const app = hydrate(html, ui, errors);
    mounted.push(app);
    await vi.waitFor(() => expect(texts(app, '.session')).toEqual([`signedIn ${user.email}`]));
    expect(errors).toEqual([]);
  });
});
