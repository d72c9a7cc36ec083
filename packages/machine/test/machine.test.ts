import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import type { RefreshOutcome } from '../src/auth.actors.ts';
import type { AuthReply, AuthRequest, WhoamiResult } from '../src/auth.types.ts';
import { BalenaExpiredToken, BalenaNotLoggedIn, BalenaRequestError } from '../src/errors.ts';
import { decodeClaims } from '../src/token.ts';
import { controlledService, machineWith } from './fake-platform.ts';
import { fakeJwt, HOUR } from './jwt.ts';

const NOW = Date.UTC(2026, 10, 27, 12);
const seconds = (ms: number) => Math.floor(ms / 1000);
const freshJwt = fakeJwt({ id: 1, iat: seconds(NOW - HOUR), exp: seconds(NOW + 100 * HOUR) });
const dayOldJwt = fakeJwt({ id: 1, iat: seconds(NOW - 25 * HOUR), exp: seconds(NOW + 100 * HOUR) });
const expiredDayOldJwt = fakeJwt({ id: 1, iat: seconds(NOW - 25 * HOUR), exp: seconds(NOW - HOUR) });
const pendingJwt = fakeJwt({ id: 1, iat: seconds(NOW), exp: seconds(NOW + HOUR), twoFactorRequired: true });
const userActor: WhoamiResult = {
  id: 1001,
  actorType: 'user',
  actorTypeId: 1,
  username: 'u',
  email: 'u@example.com',
};

function run({ machine, input }: Pick<ReturnType<typeof machineWith>, 'machine' | 'input'>) {
  const actor = createActor(machine, { input }).start();
  const replies: AuthReply[] = [];
  actor.on('auth.reply', (reply) => replies.push(reply));
  let id = 0;
  const send = (event: { type: AuthRequest['type'] } & Record<string, unknown>) => {
    const request = { ...event, id: ++id, at: NOW } as AuthRequest;
    actor.send(request);
    return request.id;
  };
  const replyTo = async (requestId: number) => {
    await waitFor(actor, () => replies.some((r) => r.id === requestId));
    return replies.find((r) => r.id === requestId) as AuthReply;
  };
  return { actor, send, replies, replyTo };
}

describe('restoring', () => {
  it('moves to anonymous when nothing is stored', async () => {
    const { actor } = run(machineWith({}));
    await waitFor(actor, (s) => !s.matches({ session: 'restoring' }));
    expect(actor.getSnapshot().value).toEqual({ session: 'anonymous', activity: { ready: 'idle' } });
  });

  it('moves to awaitingTwoFactor for a stored 2FA-pending session', async () => {
    const { actor } = run(machineWith({}, { stored: pendingJwt, now: () => NOW }));
    await waitFor(actor, (s) => !s.matches({ session: 'restoring' }));
    expect(actor.getSnapshot().matches({ session: 'awaitingTwoFactor' })).toBe(true);
  });

  it('moves to unverified for a stored session, without a request', async () => {
    const { actor } = run(machineWith({}, { stored: freshJwt, now: () => NOW }));
    await waitFor(actor, (s) => !s.matches({ session: 'restoring' }));
    expect(actor.getSnapshot().value).toEqual({
      session: { unverified: 'pending' },
      activity: { ready: 'idle' },
    });
    expect(actor.getSnapshot().context.token).toBe(freshJwt);
  });

  it('treats a stored JSON value that is not a string as no credential, and keeps it stored', async () => {
    const { machine, store, input } = machineWith({}, { stored: '{"not":"a token"}' });
    const { actor } = run({ machine, input });
    await waitFor(actor, (s) => !s.matches({ session: 'restoring' }));
    expect(actor.getSnapshot().matches({ session: 'anonymous' })).toBe(true);
    expect(await store.get()).toBe('{"not":"a token"}');
  });
});

describe('refresh', () => {
  it('makes one refresh request for 20 concurrent whoami calls with a day-old token', async () => {
    const refresh = controlledService<RefreshOutcome, { token: string }>();
    const fetchUser = controlledService<{ user: WhoamiResult }, { token: string }>();
    const { machine, store, input } = machineWith(
      { refreshToken: refresh.logic, fetchUser: fetchUser.logic },
      { stored: dayOldJwt, now: () => NOW },
    );
    const { actor, send, replyTo } = run({ machine, input });
    const ids = Array.from({ length: 20 }, () => send({ type: 'auth.whoami' }));
    await waitFor(actor, (s) => s.matches({ session: 'unverified', activity: 'refreshing' }));
    refresh.resolveNext({
      source: 'server',
      token: freshJwt,
      claims: decodeClaims(freshJwt),
      receivedAt: NOW,
    });
    await waitFor(actor, (s) => s.matches({ session: 'unverified', activity: 'fetchingUser' }));
    fetchUser.resolveNext({ user: userActor });
    const replies = await Promise.all(ids.map(replyTo));
    expect(refresh.calls).toHaveLength(1);
    expect(fetchUser.calls).toEqual([{ token: freshJwt }]);
    expect(replies.every((r) => r.ok && r.result === userActor)).toBe(true);
    expect(actor.getSnapshot().context.token).toBe(freshJwt);
    expect(await store.get()).toBe(dayOldJwt);
    expect(actor.getSnapshot().value).toEqual({ session: 'authenticated', activity: { ready: 'idle' } });
  });

  it('discards a refresh that finishes after logout', async () => {
    const refresh = controlledService<RefreshOutcome, { token: string }>();
    const { machine, store, input } = machineWith(
      { refreshToken: refresh.logic },
      { stored: dayOldJwt, now: () => NOW },
    );
    const { actor, send, replyTo } = run({ machine, input });
    const whoami = send({ type: 'auth.whoami' });
    await waitFor(actor, (s) => s.matches({ session: 'unverified', activity: 'refreshing' }));
    const logout = send({ type: 'auth.logout' });
    expect((await replyTo(logout)).ok).toBe(true);
    refresh.resolveNext({
      source: 'server',
      token: freshJwt,
      claims: decodeClaims(freshJwt),
      receivedAt: NOW,
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await store.get()).toBeUndefined();
    expect(actor.getSnapshot().context.token).toBeUndefined();
    expect(await replyTo(whoami)).toMatchObject({ ok: false, error: expect.any(BalenaNotLoggedIn) });
  });

  it('deletes the stored token when the refresh reports the token expired (a 401 on an expired token)', async () => {
    const { machine, store, input } = machineWith(
      {
        refreshToken: fromPromise(() => Promise.reject(new BalenaExpiredToken())),
      },
      { stored: expiredDayOldJwt, now: () => NOW },
    );
    const { actor, send, replyTo } = run({ machine, input });
    const reply = await replyTo(send({ type: 'auth.whoami' }));
    expect(reply).toMatchObject({ ok: false, error: expect.any(BalenaExpiredToken) });
    expect(await store.get()).toBeUndefined();
    expect(actor.getSnapshot().value).toEqual({ session: 'anonymous', activity: { ready: 'idle' } });
  });

  it('keeps the stored token when a refresh fails transiently, and shows the session as stale', async () => {
    const { machine, store, input } = machineWith(
      { refreshToken: fromPromise(() => Promise.reject(new BalenaRequestError('Service Unavailable', 503))) },
      { stored: dayOldJwt, now: () => NOW },
    );
    const { actor, send, replyTo } = run({ machine, input });
    const reply = await replyTo(send({ type: 'auth.isLoggedIn' }));
    expect(reply).toMatchObject({ ok: false, error: { statusCode: 503 } });
    expect(await store.get()).toBe(dayOldJwt);
    expect(actor.getSnapshot().value).toEqual({
      session: { unverified: 'pending' },
      activity: { ready: 'stale' },
    });
  });
});

describe('session', () => {
  it('leaves stale with the next successful request', async () => {
    let calls = 0;
    const { machine, input } = machineWith(
      {
        fetchUser: fromPromise<{ user: WhoamiResult }, { token: string }>(async () => {
          calls++;
          if (calls === 1) throw new BalenaRequestError('Service Unavailable', 503);
          return { user: userActor };
        }),
      },
      { stored: freshJwt, now: () => NOW },
    );
    const { actor, send, replyTo } = run({ machine, input });
    expect(await replyTo(send({ type: 'auth.whoami' }))).toMatchObject({ ok: false });
    expect(actor.getSnapshot().value).toEqual({
      session: { unverified: 'pending' },
      activity: { ready: 'stale' },
    });
    expect(await replyTo(send({ type: 'auth.whoami' }))).toMatchObject({ ok: true, result: userActor });
    expect(actor.getSnapshot().value).toEqual({ session: 'authenticated', activity: { ready: 'idle' } });
  });

  it('a 401 on whoami moves to unverified.rejected and keeps the token stored', async () => {
    const { machine, store, input } = machineWith(
      { fetchUser: fromPromise(() => Promise.reject(new BalenaNotLoggedIn())) },
      { stored: freshJwt, now: () => NOW },
    );
    const { actor, send, replyTo } = run({ machine, input });
    expect(await replyTo(send({ type: 'auth.isLoggedIn' }))).toMatchObject({ ok: false });
    expect(actor.getSnapshot().value).toEqual({
      session: { unverified: 'rejected' },
      activity: { ready: 'idle' },
    });
    expect(await store.get()).toBe(freshJwt);
  });

  it('an external store change drops the cached actor and re-reads the store', async () => {
    let fetches = 0;
    const { machine, store, input } = machineWith(
      {
        fetchUser: fromPromise<{ user: WhoamiResult }, { token: string }>(async () => {
          fetches++;
          return { user: userActor };
        }),
      },
      { stored: freshJwt, now: () => NOW },
    );
    const { actor, send, replyTo } = run({ machine, input });
    store.subscribe?.((token) => actor.send({ type: 'store.changed', token }));
    await replyTo(send({ type: 'auth.whoami' }));
    await store.set(fakeJwt({ id: 2, iat: seconds(NOW), exp: seconds(NOW + HOUR) }));
    await waitFor(actor, (s) => s.matches({ session: { unverified: 'pending' }, activity: 'ready' }));
    expect(actor.getSnapshot().context.user).toBeUndefined();
    expect(await replyTo(send({ type: 'auth.whoami' }))).toMatchObject({ ok: true, result: userActor });
    expect(fetches).toBe(2);
  });
});
