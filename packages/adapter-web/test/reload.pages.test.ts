import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PagesFixture, startPagesFixture } from './pages/fixture.ts';

let fixture: PagesFixture;

beforeAll(async () => {
  fixture = await startPagesFixture();
});
afterAll(() => fixture.close());

describe('a page of the site, reloaded', () => {
  it('resumes the stored session: ready() resolves holding it, without ever passing through anonymous', async () => {
    const user = { email: 'reload@example.com', password: 'correct horse battery' };
    await fixture.emulator.createUser(user);
    const context = await fixture.browser.newContext();
    const page = await fixture.openHarness(context);
    await page.evaluate((credentials) => window.harness.auth.login(credentials), user);
    const token = await page.evaluate(() => window.harness.auth.getToken());

    await page.reload();
    await page.evaluate(() => window.harness.ready());

    const { states, stateAtReady } = await page.evaluate(() => window.harness);
    expect(states.map(({ state }) => state)).toEqual(['restoring', 'unverified.pending']);
    expect(stateAtReady).toBe('unverified.pending');
    expect(await page.evaluate(() => window.harness.auth.getToken())).toBe(token);
    expect(await page.evaluate(() => window.harness.auth.isLoggedIn())).toBe(true);
    await context.close();
  });

  it('keeps the session in memory and warns once where localStorage is refused (a sandboxed frame)', async () => {
    const user = { email: 'sandboxed@example.com', password: 'correct horse battery' };
    await fixture.emulator.createUser(user);
    const context = await fixture.browser.newContext();
    const page = await context.newPage();
    const warnings: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await page.goto(fixture.url('/sandboxed.html'));
    const frame = page.frames().find((candidate) => candidate.url().includes('/harness.html'));
    if (!frame) throw new Error('the sandboxed harness frame did not load');
    await frame.waitForFunction(() => window.harness !== undefined, undefined, { timeout: 5000 });
    expect(await frame.evaluate(() => window.origin)).toBe('null');

    await frame.evaluate(() => window.harness.ready());
    await frame.evaluate((credentials) => window.harness.auth.login(credentials), user);
    expect(await frame.evaluate(() => window.harness.auth.isLoggedIn())).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/localStorage is not usable.*kept in memory/);
    await context.close();
  });
});
