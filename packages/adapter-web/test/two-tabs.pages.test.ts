import type { BrowserContext, Page } from 'playwright';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type PagesFixture, startPagesFixture } from './pages/fixture.ts';

let fixture: PagesFixture;
let context: BrowserContext;
let users = 0;

beforeAll(async () => {
  fixture = await startPagesFixture();
});
afterAll(() => fixture.close());
beforeEach(async () => {
  context = await fixture.browser.newContext();
});
afterEach(() => context.close());

const newUser = async () => {
  const user = { email: `tabs-${++users}@example.com`, password: 'correct horse battery' };
  await fixture.emulator.createUser(user);
  return user;
};

/** When (page clock, ms) the page's client first entered a state matching `pattern`, waiting for it. */
const enteredAt = async (page: Page, pattern: RegExp, after: number): Promise<number> => {
  const handle = await page.waitForFunction(
    ([source, since]) =>
      window.harness.states.find(({ state, at }) => at >= since && new RegExp(source).test(state))?.at,
    [pattern.source, after] as const,
    { timeout: 5000 },
  );
  return (await handle.jsonValue()) as number;
};

describe('two tabs of one site', () => {
  it.each([
    ['the tab that logged in', 0, 1],
    ['the other tab', 1, 0],
  ])('a logout by %s is seen by the other tab within 1 s', async (logsOut, out, sees) => {
    const user = await newUser();
    const pages = [await fixture.openHarness(context), await fixture.openHarness(context)];
    await pages[0].evaluate((credentials) => window.harness.auth.login(credentials), user);
    await enteredAt(pages[1], /^unverified\./, 0);

    const loggedOutAt = await pages[out].evaluate(async () => {
      const at = Date.now();
      await window.harness.auth.logout();
      return at;
    });
    const seenAt = await enteredAt(pages[sees], /^anonymous$/, loggedOutAt);

    expect(seenAt - loggedOutAt).toBeLessThan(1000);
    expect(await pages[sees].evaluate(() => window.harness.auth.isLoggedIn())).toBe(false);
    console.info(`logout by ${logsOut} seen by the other tab after ${seenAt - loggedOutAt} ms`);
  });

  it("another tab's login and logout reach onAuthStateChange as SIGNED_IN and SIGNED_OUT within 1 s", async () => {
    const user = await newUser();
    const [first, second] = [await fixture.openHarness(context), await fixture.openHarness(context)];
    const eventAt = (page: Page, event: string, after: number) =>
      page
        .waitForFunction(
          ([name, since]) => window.harness.sessionEvents.find((e) => e.event === name && e.at >= since)?.at,
          [event, after] as const,
          { timeout: 5000 },
        )
        .then(async (handle) => (await handle.jsonValue()) as number);
    await second.evaluate(() => window.harness.listen());
    await eventAt(second, 'INITIAL_SESSION', 0);
    const loggedInAt = await first.evaluate(async (credentials) => {
      const at = Date.now();
      await window.harness.auth.login(credentials);
      return at;
    }, user);
    const signedIn = (await eventAt(second, 'SIGNED_IN', loggedInAt)) - loggedInAt;
    const loggedOutAt = await first.evaluate(async () => {
      const at = Date.now();
      await window.harness.auth.logout();
      return at;
    });
    const signedOut = (await eventAt(second, 'SIGNED_OUT', loggedOutAt)) - loggedOutAt;
    console.info(
      `the other tab's onAuthStateChange: SIGNED_IN after ${signedIn} ms, SIGNED_OUT after ${signedOut} ms`,
    );
    expect(signedIn).toBeLessThan(1000);
    expect(signedOut).toBeLessThan(1000);
  });

  it('a login in one tab is seen by the other within 1 s', async () => {
    const user = await newUser();
    const [first, second] = [await fixture.openHarness(context), await fixture.openHarness(context)];

    const loggedInAt = await first.evaluate(async (credentials) => {
      const at = Date.now();
      await window.harness.auth.login(credentials);
      return at;
    }, user);
    const seenAt = await enteredAt(second, /^unverified\./, loggedInAt);

    expect(seenAt - loggedInAt).toBeLessThan(1000);
    const token = await first.evaluate(() => window.harness.auth.getToken());
    expect(await second.evaluate(() => window.harness.auth.getToken())).toBe(token);
    expect(await second.evaluate(() => window.harness.auth.isLoggedIn())).toBe(true);
    console.info(`login seen by the other tab after ${seenAt - loggedInAt} ms`);
  });

  it('two tabs holding a 25-hour-old token make one refresh request between them', async () => {
    const user = await newUser();
    const dayOld = await fixture.emulator.sessionToken(user.email, {
      iat: Math.floor(Date.now() / 1000) - 25 * 3600,
    });
    const first = await fixture.openHarness(context);
    await first.evaluate((token) => localStorage.setItem('balena-token', token), dayOld);
    const second = await fixture.openHarness(context);
    await first.reload();
    await first.evaluate(() => window.harness.ready());
    for (const page of [first, second])
      expect(await page.evaluate(() => window.harness.auth.getToken())).toBe(dayOld);
    fixture.emulator.clearRequests();

    const answers = await Promise.all(
      [first, second].map((page) => page.evaluate(() => window.harness.auth.isLoggedIn())),
    );

    expect(answers).toEqual([true, true]);
    const refreshes = fixture.emulator.requests().filter(({ path }) => path === '/user/v1/refresh-token');
    console.info(`refresh requests from two tabs: ${refreshes.length}`);
    expect(refreshes).toHaveLength(1);
    const tokens = await Promise.all(
      [first, second].map((page) => page.evaluate(() => window.harness.auth.getToken())),
    );
    expect(tokens[0]).not.toBe(dayOld);
    expect(tokens[1]).toBe(tokens[0]);
  });
});
