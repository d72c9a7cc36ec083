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
const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${SCREENSHOTS}${String(++shots).padStart(2, '0')}-${name}.png`, fullPage: true });

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

describe('the web demo served by pnpm start', () => {
  it('prints where it serves, on 127.0.0.1, and no session token', () => {
    expect(demo.pageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(demo.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(demo.output()).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });

  it('walks register → verify → login → 2FA setup → enable → logout → 2FA login → whoami → logout, with the inspector open', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
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
    await shot(page, 'signed-out');

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
    expect(await text(page, '#two-factor-status')).toBe('Two-factor authentication is off.');
    keep(await storedToken(page));
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await page.locator('#setup').waitFor();
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
    await shot(page, 'two-factor-enabled');

    // Logout, then a login that the 2FA challenge completes.
    await page.locator('#view-signed-in').getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => text(page, '#status')).toBe('Logged out.');
    expect(await storedToken(page)).toBeNull();
    await logIn(password);
    await page.locator('#view-challenge').waitFor();
    expect(await text(page, '#state')).toBe('session.awaitingTwoFactor, activity.ready.idle');
    keep(await storedToken(page));
    const challenge = page.locator('#challenge-form');
    await challenge.getByLabel('Code').fill(wrongCode(secret));
    await challenge.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => text(page, '#alert')).toMatch(/^That code is not valid/);
    await shot(page, 'challenge-wrong-code');
    const codeHelper = page.locator('#totp-form'); // the dev panel asks the emulator for the current code
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
    await shot(page, 'whoami');
    await page.locator('#view-signed-in').getByRole('button', { name: 'Log out' }).click();
    await page.locator('#view-signed-out').waitFor();
    await expect.poll(() => text(page, '#state')).toBe('session.anonymous, activity.ready.idle');
    await shot(page, 'logged-out');
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

    await first.locator('#view-signed-in').getByRole('button', { name: 'Log out' }).click();
    await second.locator('#view-signed-out').waitFor({ timeout: 1000 });
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
