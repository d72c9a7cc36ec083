import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, type ManualClock, manualClock, summary } from './support.ts';

const HOUR = 60 * 60 * 1000;

describe('login rate limit (10 failures per 2 h, then blocked for 1 h)', () => {
  let emulator: Emulator;
  let clock: ManualClock;

  const attempt = (password: string, username = 'ada@example.com') =>
    call(emulator, 'POST', '/login_', { json: { username, password } });

  const failTimes = async (count: number, username?: string) => {
    for (let index = 0; index < count; index++) {
      const response = await attempt('wrong password', username);
      expect(response.status).toBe(401);
    }
  };

  beforeEach(async () => {
    clock = manualClock();
    emulator = await startEmulator({ now: clock.now });
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse', username: 'ada' });
    await emulator.createUser({ email: 'bob@example.com', password: 'battery staple' });
  });
  afterEach(() => emulator.close());

  it('answers the 11th failed attempt with 429, Retry-After and "Too Many Requests"', async () => {
    await failTimes(10);
    const response = await attempt('wrong password');
    expect(await summary(response)).toEqual({
      status: 429,
      contentType: 'text/plain; charset=utf-8',
      body: 'Too Many Requests',
    });
    expect(response.headers.get('retry-after')).toBe('3600');
  });

  it('blocks even the right password while blocked, counting Retry-After down with the clock', async () => {
    await failTimes(10);
    await attempt('wrong password');
    clock.advance(HOUR / 2 + 500);
    const response = await attempt('correct horse');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1800');
  });

  it('lets logins through again once the block has passed', async () => {
    await failTimes(10);
    await attempt('wrong password');
    clock.advance(HOUR);
    expect((await attempt('correct horse')).status).toBe(200);
  });

  it('resets the count after a successful login (9 failures, success, 9 failures: still 401)', async () => {
    await failTimes(9);
    expect((await attempt('correct horse')).status).toBe(200);
    await failTimes(9);
    expect((await attempt('wrong password')).status).toBe(401);
  });

  it('forgets failures once the 2 h window has passed', async () => {
    await failTimes(10);
    clock.advance(2 * HOUR);
    expect((await attempt('wrong password')).status).toBe(401);
  });

  it('counts per username, case-insensitively', async () => {
    await failTimes(5, 'ada@example.com');
    await failTimes(5, 'ADA@EXAMPLE.COM');
    expect((await attempt('correct horse', 'Ada@Example.com')).status).toBe(429);
    expect((await attempt('battery staple', 'bob@example.com')).status).toBe(200);
  });

  it('counts attempts for unknown users too', async () => {
    await failTimes(10, 'nobody@example.com');
    expect((await attempt('anything', 'nobody@example.com')).status).toBe(429);
  });

  it('follows a custom limit', async () => {
    await emulator.close();
    emulator = await startEmulator({
      now: clock.now,
      loginRateLimit: { attempts: 2, windowMs: 1000, blockMs: 5000 },
    });
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    await failTimes(2);
    const response = await attempt('correct horse');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('never limits when loginRateLimit is false', async () => {
    await emulator.close();
    emulator = await startEmulator({ now: clock.now, loginRateLimit: false });
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    await failTimes(20);
    expect((await attempt('correct horse')).status).toBe(200);
  });
});
