import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Secret, TOTP } from 'otpauth';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../../packages/adapter-web/test/chromium.ts';
import { type StartedDemo, startDemo } from './pnpm-start.ts';

/** Screenshots of the walk, for people to look at; test output, not committed. */
const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/web-demo/', import.meta.url));

let demo: StartedDemo;
let browser: Browser;

beforeAll(async () => {
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  demo = await startDemo();
  browser = await chromium.launch(chromiumLaunchOptions());
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

let shots = 0;
/** A full-page screenshot from the top (the chart column is sticky: scrolled, it would sit lower). */
async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({
    path: `${SCREENSHOTS}${String(++shots).padStart(2, '0')}-${name}.png`,
    fullPage: true,
  });
}

const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? '';
const totp = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret) });
/** A 6-digit code that the server will refuse (the code of no step from two before to two after now). */
const wrongCode = (secret: string) => {
  const code = totp(secret).generate();
  for (let offset = 1; ; offset++) {
    const candidate = String((Number(code) + offset * 111_111) % 1_000_000).padStart(6, '0');
    if (totp(secret).validate({ token: candidate, window: 2 }) === null) return candidate;
  }
};
const storedToken = (page: Page) => page.evaluate(() => localStorage.getItem('balena-token'));

/**
 * Every state node of the picture, whether it is drawn as active, and whether the running client's
 * `actor.getSnapshot().matches(…)` says it is: the two must agree after every step.
 */
const chartAgainstSnapshot = (page: Page) =>
  page.evaluate(() => {
    type Matcher = { actor: { getSnapshot(): { matches(value: unknown): boolean } } };
    const snapshot = (window as unknown as { balenaAuth: Matcher }).balenaAuth.actor.getSnapshot();
    const asValue = (path: string): unknown => {
      const [head, ...rest] = path.split('.');
      return rest.length === 0 ? head : { [head]: asValue(rest.join('.')) };
    };
    return [...document.querySelectorAll<SVGGElement>('svg.statechart [data-state]')].map((node) => {
      const path = node.dataset.state as string;
      return {
        path,
        drawn: node.dataset.active === 'true',
        matches: path === 'auth' || snapshot.matches(asValue(path)),
      };
    });
  });
/** Waits until the picture's highlighted nodes are exactly the snapshot's active ones; returns them. */
async function expectChartToMatchSnapshot(page: Page): Promise<string[]> {
  await expect
    .poll(async () => (await chartAgainstSnapshot(page)).filter((node) => node.drawn !== node.matches))
    .toEqual([]);
  const nodes = await chartAgainstSnapshot(page);
  expect(nodes).toHaveLength(24);
  return nodes.filter((node) => node.drawn).map((node) => node.path);
}
/** The ids of the arrows drawn as the last transition, sorted. */
const takenArrows = async (page: Page) =>
  (
    await page
      .locator('svg.statechart [data-taken="true"]')
      .evaluateAll((arrows) => arrows.map((arrow) => (arrow as SVGElement).dataset.transition))
  ).sort();
/** The page's width fits the viewport: nothing sticks out sideways. */
const horizontalOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('the web demo served by pnpm start', () => {
  it('prints where it serves, on 127.0.0.1, and no session token', () => {
    expect(demo.pageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(demo.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(demo.output()).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });

  it('walks register → verify → login → 2FA setup → enable → logout → 2FA login → whoami → client.api → resend verification → 2FA disable → logout, with the inspector open, the chart in step', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    const problems: string[] = [];
    const scripts: Promise<string>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response.text());
    });
    const loadedInspector = async () =>
      (await Promise.all(scripts)).some((script) => script.includes('function createSkyInspector'));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // The browser logs every 4xx answer; the walk provokes 401s (wrong password, wrong codes) and a 429.
      const expected = /^Failed to load resource: the server responded with a status of (401|429)/;
      if (message.type() === 'error' && !expected.test(message.text()))
        problems.push(`console error: ${message.text()}`);
    });
    const secrets = new Set<string>();
    const keep = (secret: string | null) => {
      if (secret) secrets.add(secret);
    };
    const email = `newcomer-${Date.now()}@example.com`;
    const password = 'a long demo passphrase';
    keep(password);

    await page.goto(demo.pageUrl);
    await page.locator('#view-signed-out').waitFor();
    expect(await text(page, '#state')).toBe('session.anonymous, activity.ready.idle');
    expect((await expectChartToMatchSnapshot(page)).sort()).toEqual([
      'activity',
      'activity.ready',
      'activity.ready.idle',
      'auth',
      'session',
      'session.anonymous',
    ]);
    expect(await takenArrows(page)).toEqual([
      'activity_reading->activity_ready_idle',
      'activity_reading->session_anonymous',
    ]);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'signed-out-1400px');

    // The inspector: its module is loaded only now, and opens the local receiver, where an @xstate
    // event must arrive.
    expect(await loadedInspector()).toBe(false);
    const [receiver] = await Promise.all([
      context.waitForEvent('page'),
      page.getByLabel('Open the Stately inspector').check(),
    ]);
    await receiver.waitForLoadState();
    expect(receiver.url()).toBe(new URL('/inspector.html', demo.pageUrl).href);
    await receiver.locator('#events li', { hasText: '@xstate.' }).first().waitFor();
    await expect.poll(() => text(page, '#status')).toMatch(/Inspector opened/);
    expect(await loadedInspector()).toBe(true);
    await page.bringToFront(); // the popup took the focus; a background tab is throttled

    // Register, then the verification e-mail from the outbox.
    const register = page.locator('#register-form');
    await register.getByLabel('E-mail').fill(email);
    await register.getByLabel(/^Password/).fill(password);
    await register.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => text(page, '#status')).toContain(`Registered ${email}`);
    const mail = page.locator('#outbox li', { hasText: email });
    await mail.waitFor();
    await shot(page, 'registered-outbox');
    await mail.getByRole('button', { name: 'Open the verification link' }).click();
    keep(await page.locator('#verify-token').inputValue());
    await page.locator('#verify-form').getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => text(page, '#status')).toBe('E-mail verified. You can log in now.');
    await expectChartToMatchSnapshot(page);
    await shot(page, 'verified');

    // A wrong password, then a rate limit, each with its own message.
    const login = page.locator('#login-form');
    const logIn = async (secret: string) => {
      await login.getByLabel('E-mail').fill(email);
      await login.getByLabel('Password').fill(secret);
      await login.getByRole('button', { name: 'Log in' }).click();
    };
    await logIn('not the password');
    await expect.poll(() => text(page, '#alert')).toBe('Wrong e-mail or password.');
    expect(await expectChartToMatchSnapshot(page)).toContain('session.anonymous');
    await shot(page, 'wrong-password');
    await page.getByRole('button', { name: 'Answer the next login with 429' }).click();
    await expect.poll(() => text(page, '#status')).toMatch(/next login with 429/);
    await logIn(password);
    await expect.poll(() => text(page, '#alert')).toMatch(/^Too many login attempts/);
    await shot(page, 'rate-limited');

    // Login, then 2FA setup with the secret and its QR code.
    await logIn(password);
    await page.locator('#view-signed-in').waitFor();
    await expect.poll(() => text(page, '#signed-in-as')).toContain(email);
    await expect.poll(() => text(page, '#two-factor-status')).toBe('Two-factor authentication is off.');
    expect(await text(page, '#status')).toBe('Logged in.');
    expect(await expectChartToMatchSnapshot(page)).toContain('session.authenticated');
    expect(await text(page, '#event-log')).toContain('auth.login');
    keep(await storedToken(page));
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await page.locator('#setup').waitFor();
    // The message follows the flow: no stale "Logged in." while the setup asks for the authenticator.
    await expect.poll(() => text(page, '#status')).toMatch(/^Add the secret to your authenticator app/);
    await expectChartToMatchSnapshot(page);
    expect(await takenArrows(page)).toEqual(['activity_fetchingSetupKey->activity_ready_idle']);
    const secret = await text(page, '#setup-secret');
    expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
    keep(secret);
    await expect(page.locator('#setup-qr svg').count()).resolves.toBe(1);
    expect(await page.getByRole('img', { name: 'QR code of the two-factor secret' }).isVisible()).toBe(true);
    await shot(page, 'two-factor-setup');

    const enable = page.locator('#enable-form');
    await enable.getByLabel('Code').fill(wrongCode(secret));
    await enable.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => text(page, '#alert')).toMatch(/^That code is not valid/);
    await shot(page, 'wrong-code');
    const enableCode = totp(secret).generate();
    keep(enableCode);
    await enable.getByLabel('Code').fill(enableCode);
    await enable.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => text(page, '#two-factor-status')).toBe('Two-factor authentication is on.');
    keep(await storedToken(page));
    await expectChartToMatchSnapshot(page);
    await shot(page, 'two-factor-enabled');

    // Logout, then a login that the 2FA challenge completes.
    await page.locator('#view-signed-in').getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => text(page, '#status')).toBe('Logged out.');
    expect(await storedToken(page)).toBeNull();
    await logIn(password);
    await page.locator('#view-challenge').waitFor();
    await expect.poll(() => text(page, '#state')).toBe('session.awaitingTwoFactor, activity.ready.idle');
    expect(await expectChartToMatchSnapshot(page)).toContain('session.awaitingTwoFactor');
    keep(await storedToken(page));
    const challenge = page.locator('#challenge-form');
    await challenge.getByLabel('Code').fill(wrongCode(secret));
    await challenge.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => text(page, '#alert')).toMatch(/^That code is not valid/);
    await shot(page, 'challenge-wrong-code');
    const codeHelper = page.locator('#totp-form'); // the dev panel asks the emulator for the current code
    expect(await codeHelper.getByLabel('E-mail').inputValue()).toBe(email); // pre-filled with the login's e-mail
    await codeHelper.getByLabel('E-mail').fill(email);
    await codeHelper.getByRole('button', { name: 'Ask the emulator' }).click();
    await expect.poll(() => text(page, '#totp-code')).toMatch(/^Current code of .*: \d{6}$/);
    const challengeCode = (await text(page, '#totp-code')).slice(-6);
    expect(totp(secret).validate({ token: challengeCode, window: 1 })).not.toBeNull();
    keep(challengeCode);
    await challenge.getByLabel('Code').fill(challengeCode);
    await challenge.getByRole('button', { name: 'Continue' }).click();
    await page.locator('#view-signed-in').waitFor();
    keep(await storedToken(page));

    // whoami, then logout.
    await page.getByRole('button', { name: /Who am I\?/ }).click();
    await page.locator('#whoami-result').waitFor();
    const actor = JSON.parse(await text(page, '#whoami-result')) as { actorType: string; email: string };
    expect(actor).toMatchObject({ actorType: 'user', email });
    await expect.poll(() => codeHelper.getByLabel('E-mail').inputValue()).toBe(email); // the signed-in user's
    await expectChartToMatchSnapshot(page);
    await shot(page, 'whoami');

    // client.api on a route that needs the session: the user's API keys (none yet).
    await page.getByRole('button', { name: /My API keys/ }).click();
    await page.locator('#api-result').waitFor();
    expect(JSON.parse(await text(page, '#api-result'))).toEqual([]);
    expect(await text(page, '#status')).toBe('client.api: GET /v7/api_key answered 0 API keys.');

    // The verification e-mail again: a second one in the outbox.
    await page.getByRole('button', { name: 'Send the verification e-mail again' }).click();
    await expect
      .poll(() => text(page, '#status'))
      .toBe('A new verification e-mail is in the outbox (dev panel).');
    await expect.poll(() => page.locator('#outbox li', { hasText: email }).count()).toBe(2);
    await expect
      .poll(() => takenArrows(page))
      .toEqual(['activity_markingVerificationEmailSent->activity_ready_idle']);
    await expectChartToMatchSnapshot(page);

    // 2FA off again: a wrong password is refused, the right one turns it off.
    const disable = page.locator('#disable-form');
    await disable.getByLabel('Password').fill('not the password');
    await disable.getByRole('button', { name: 'Turn off' }).click();
    await expect
      .poll(() => text(page, '#alert'))
      .toBe('That password is not right: two-factor authentication stays on.');
    await disable.getByLabel('Password').fill(password);
    await disable.getByRole('button', { name: 'Turn off' }).click();
    await expect.poll(() => text(page, '#two-factor-status')).toBe('Two-factor authentication is off.');
    expect(await text(page, '#status')).toBe('Two-factor authentication is off.');
    await expect.poll(() => text(page, '#totp-code')).toBe(''); // no code shown for a user without 2FA
    keep(await storedToken(page));
    await expectChartToMatchSnapshot(page);
    await shot(page, 'two-factor-disabled');

    await page.locator('#view-signed-in').getByRole('button', { name: 'Log out' }).click();
    await page.locator('#view-signed-out').waitFor();
    await expect.poll(() => text(page, '#state')).toBe('session.anonymous, activity.ready.idle');
    await expect.poll(() => takenArrows(page)).toEqual(['activity_removing->activity_ready_idle']);
    expect(await expectChartToMatchSnapshot(page)).toContain('session.anonymous');
    await shot(page, 'logged-out');
    await logIn(password); // 2FA is off again: no code asked
    await page.locator('#view-signed-in').waitFor();
    await page.locator('#view-signed-in').getByRole('button', { name: 'Log out' }).click();
    await page.locator('#view-signed-out').waitFor();
    await receiver.screenshot({ path: `${SCREENSHOTS}${String(++shots).padStart(2, '0')}-inspector.png` });

    // What the panel and the inspector saw: the flow's events, and none of its secrets.
    const eventLog = await text(page, '#event-log');
    const inspected = await text(receiver, '#events');
    for (const expected of [
      'auth.register',
      'auth.verifyEmail',
      'auth.login',
      'auth.totp.enable',
      'auth.totp.challenge',
      'auth.requestVerificationEmail',
      'auth.credential',
      'auth.totp.disable',
      'auth.logout',
    ])
      expect(eventLog).toContain(expected);
    expect(inspected).toContain('"type": "@xstate.event"');
    expect(inspected).toContain('"type": "auth.totp.challenge"');
    for (const seen of [eventLog, inspected]) {
      expect(seen).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
      for (const value of secrets) expect(seen.includes(`"${value}"`), 'a secret in the log').toBe(false);
      expect(seen.includes(password)).toBe(false);
      expect(seen.includes(secret)).toBe(false);
    }
    expect(secrets.size).toBeGreaterThanOrEqual(8);
    expect(problems).toEqual([]);
    // Everything the pages loaded or sent came from 127.0.0.1 (or was inline data).
    expect(requests.length).toBeGreaterThan(20);
    expect(
      requests.filter((url) => !url.startsWith('http://127.0.0.1:') && !url.startsWith('data:')),
    ).toEqual([]);
    await context.close();
  });

  it('at 390 px wide: one column, the chart in its own scrolling frame, nothing wider than the screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    await page.goto(demo.pageUrl);
    await page.locator('#view-signed-out').waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'signed-out-390px');
    const login = page.locator('#login-form');
    await login.getByLabel('E-mail').fill('demo@example.com');
    await login.getByLabel('Password').fill('demo-password-1');
    await login.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#view-signed-in').waitFor();
    await expect.poll(() => text(page, '#signed-in-as')).toContain('demo@example.com');
    expect(await expectChartToMatchSnapshot(page)).toContain('session.authenticated');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const columns = await page.evaluate(() =>
      ['main', '#chart-column', '#dev-panel'].map((selector) => {
        const box = (document.querySelector(selector) as HTMLElement).getBoundingClientRect();
        return { left: Math.round(box.left), top: Math.round(box.top), right: Math.round(box.right) };
      }),
    );
    for (const column of columns) expect(column.right).toBeLessThanOrEqual(390);
    expect(columns[0].top).toBeLessThan(columns[1].top); // one column: the session, the chart, the dev tools
    expect(columns[1].top).toBeLessThan(columns[2].top);
    const frame = await page.locator('.statechart-frame').evaluate((element) => ({
      scrolls: element.scrollWidth > element.clientWidth,
      width: element.clientWidth,
    }));
    expect(frame.scrolls).toBe(true); // the picture keeps a readable size and scrolls inside its frame
    expect(frame.width).toBeLessThanOrEqual(390);
    await shot(page, 'signed-in-390px');
    await page
      .locator('#statechart-panel')
      .screenshot({ path: `${SCREENSHOTS}${String(++shots).padStart(2, '0')}-statechart-390px.png` });
    await page.locator('#view-signed-in').getByRole('button', { name: 'Log out' }).click();
    await page.locator('#view-signed-out').waitFor();
    expect(
      requests.filter((url) => !url.startsWith('http://127.0.0.1:') && !url.startsWith('data:')),
    ).toEqual([]);
    await context.close();
  });

  it('a reload of a logged-in page never paints the login form, not even while the session is being read', async () => {
    const context = await browser.newContext();
    await context.addInitScript(recordPaints);
    const page = await context.newPage();
    await page.goto(demo.pageUrl);
    const login = page.locator('#login-form');
    await login.getByLabel('E-mail').fill('demo@example.com');
    await login.getByLabel('Password').fill('demo-password-1');
    await login.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#view-signed-in').waitFor();
    await delayNextWhoami(500); // the server takes its time to confirm the stored session

    await page.reload();
    await page.locator('#view-signed-in').waitFor();

    const paints = await page.evaluate(() => (window as unknown as { paints: Paint[] }).paints);
    expect(paints.filter((paint) => paint.login)).toEqual([]);
    expect(paints.some((paint) => paint.checking && paint.ready)).toBe(true);
    expect(paints.filter((paint) => !paint.ready && !paint.loading && paint.body)).toEqual([]);
    await context.close();
  });

  it('a reload of a logged-out page paints the login form only once ready() has resolved', async () => {
    const context = await browser.newContext();
    await context.addInitScript(recordPaints);
    const page = await context.newPage();
    await page.goto(demo.pageUrl);
    await page.locator('#view-signed-out').waitFor();

    await page.reload();
    await page.locator('#view-signed-out').waitFor();

    const paints = await page.evaluate(() => (window as unknown as { paints: Paint[] }).paints);
    const firstLogin = paints.findIndex((paint) => paint.login);
    expect(firstLogin).toBeGreaterThanOrEqual(0);
    expect(paints.slice(0, firstLogin).every((paint) => !paint.ready)).toBe(true);
    expect(paints.slice(firstLogin).every((paint) => paint.ready)).toBe(true);
    await context.close();
  });

  it('a login and a logout in one tab show in the other tab', async () => {
    const context = await browser.newContext();
    const [first, second] = [await context.newPage(), await context.newPage()];
    for (const page of [first, second]) {
      await page.goto(demo.pageUrl);
      await page.locator('#view-signed-out').waitFor();
    }
    await first.bringToFront(); // the other tab stays in the background, as a user's would
    const login = first.locator('#login-form');
    await login.getByLabel('E-mail').fill('demo@example.com');
    await login.getByLabel('Password').fill('demo-password-1');
    await login.getByRole('button', { name: 'Log in' }).click();
    await second.locator('#view-signed-in').waitFor({ timeout: 2000 });
    await expect.poll(() => text(second, '#signed-in-as')).toContain('demo@example.com');
    expect(await text(second, '#status')).toBe('Logged in in another tab.');

    await first.locator('#view-signed-in').getByRole('button', { name: 'Log out' }).click();
    await second.locator('#view-signed-out').waitFor({ timeout: 1000 });
    await expect.poll(() => text(second, '#status')).toMatch(/^Logged out in another tab/);
    expect(await text(first, '#status')).toBe('Logged out.');
    await expectChartToMatchSnapshot(second);
    await context.close();
  });
});

/** What one animation frame (or DOM change) of the page showed. */
interface Paint {
  body: boolean;
  ready: boolean;
  loading: boolean;
  login: boolean;
  checking: boolean;
}

/**
 * Runs in the page before its own scripts: records what is visible at every animation frame (just
 * before each paint) and at every DOM change, into `window.paints`.
 */
function recordPaints(): void {
  const paints: Paint[] = [];
  Object.assign(window, { paints });
  const visible = (selector: string) => document.querySelector(selector)?.checkVisibility() ?? false;
  const record = () =>
    paints.push({
      body: document.body !== null,
      ready: document.body?.dataset.ready === 'true',
      loading: visible('#view-loading'),
      login: visible('#login-form'),
      checking: visible('#view-checking'),
    });
  const onFrame = () => {
    record();
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
  new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true });
}

/** Through the emulator's admin route: the next `GET /actor/v1/whoami` answers `ms` late. */
async function delayNextWhoami(ms: number): Promise<void> {
  const response = await fetch(`${demo.emulatorUrl}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: '/actor/v1/whoami', fault: { kind: 'delay', ms } }),
  });
  expect(response.ok).toBe(true);
}
