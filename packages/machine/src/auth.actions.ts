import { assertEvent, assign, emit, enqueueActions, setup } from 'xstate';
import { authActors } from './auth.actors.ts';
import { authGuards } from './auth.guards.ts';
import { QUERY_REQUESTS, QUEUED_REQUESTS, REQUESTS } from './auth.requests.ts';
import {
  type AuthContext,
  type AuthReply,
  type AuthRequest,
  authTypes,
  isQueryResult,
  type Outcome,
  type QueryId,
} from './auth.types.ts';
import { BalenaExpiredToken, BalenaNotLoggedIn, BalenaRequestError } from './errors.ts';
import { clockSkewOf } from './token.ts';

const reply = (id: number, outcome: Outcome): AuthReply => ({ type: 'auth.reply', id, ...outcome });

/** The answer a request gets when a logout cancels it: it is never sent again. */
const cancelledByLogout = (request: AuthRequest): AuthReply => {
  const { kind } = REQUESTS[request.type];
  if (kind === 'logout') return reply(request.id, { ok: true });
  const message = kind === 'session' ? 'Logged out before the login finished' : undefined;
  return reply(request.id, { ok: false, error: new BalenaNotLoggedIn(message) });
};

const freeQuerySlot = (queries: AuthContext['queries']): QueryId => {
  for (let slot = 0; ; slot++) {
    const id: QueryId = `query.${slot}`;
    if (queries[id] === undefined) return id;
  }
};

/**
 * The machine's implementations in one `setup`: its types, actors (auth.actors.ts), guards
 * (auth.guards.ts) and actions (below). auth.machine.ts holds the chart alone.
 */
export const authSetup = setup({
  types: authTypes,
  actors: authActors,
  guards: authGuards,
  actions: {
    enqueueRequest: assign({
      queue: ({ context, event }) => {
        assertEvent(event, [...QUEUED_REQUESTS, 'auth.logout']);
        return [...context.queue, event];
      },
    }),
    deferStoreChange: assign({
      queue: ({ context, event }) => {
        assertEvent(event, 'store.changed');
        return [event, ...context.queue.filter((queued) => queued.type !== 'store.changed')];
      },
    }),
    releaseNextRequest: enqueueActions(({ context, enqueue }) => {
      const [next, ...rest] = context.queue;
      if (next === undefined) return;
      enqueue.assign({ queue: rest });
      enqueue.raise(next);
    }),
    beginRequest: assign({
      current: ({ event }) => {
        assertEvent(event, [...QUEUED_REQUESTS, 'auth.logout']);
        return event;
      },
    }),
    requeueCurrent: assign(({ context }) => ({
      queue:
        context.current && context.current.type !== 'auth.logout'
          ? [context.current, ...context.queue]
          : context.queue,
      current: undefined,
    })),
    forgetSession: assign({ token: undefined, claims: undefined, user: undefined }),
    clearUser: assign({ user: undefined }),
    setUser: assign({
      user: ({ event }) => {
        assertEvent(event, 'xstate.done.actor.fetchUser');
        return event.output.user;
      },
    }),
    adoptStoredToken: assign(({ event }) => {
      assertEvent(event, 'xstate.done.actor.readStoredToken');
      return { token: event.output.token, claims: event.output.claims, user: undefined, error: undefined };
    }),
    adoptGivenToken: assign(({ event }) => {
      assertEvent(event, 'auth.loginWithToken');
      return { token: event.token, claims: event.claims, user: undefined };
    }),
    adoptIssuedToken: assign(({ context, event }) => {
      assertEvent(event, [
        'xstate.done.actor.loginWithPassword',
        'xstate.done.actor.refreshToken',
        'xstate.done.actor.verifyTotp',
        'xstate.done.actor.disableTwoFactor',
      ]);
      const issued = event.output;
      if (!('token' in issued)) return {};
      return {
        token: issued.token,
        claims: issued.claims,
        clockSkew: clockSkewOf(issued.claims, issued.receivedAt) ?? context.clockSkew,
      };
    }),
    rememberStoreFailure: assign({
      error: ({ event }) => {
        assertEvent(event, ['xstate.error.actor.readStoredToken', 'xstate.error.actor.removeStoredToken']);
        return event.error;
      },
    }),
    cancelRequests: enqueueActions(({ context, enqueue }) => {
      if (context.current) enqueue.emit(cancelledByLogout(context.current));
      for (const queued of context.queue)
        if (queued.type !== 'store.changed') enqueue.emit(cancelledByLogout(queued));
      enqueue.assign({ queue: [], current: undefined });
    }),
    replyNotLoggedIn: emit(({ event }) => {
      assertEvent(event, QUEUED_REQUESTS);
      return reply(event.id, { ok: false, error: new BalenaNotLoggedIn() });
    }),
    replyExpiredToken: emit(({ context, event }) => {
      assertEvent(event, QUEUED_REQUESTS);
      const token = event.type === 'auth.loginWithToken' ? event.token : context.token;
      return reply(event.id, { ok: false, error: new BalenaExpiredToken(token) });
    }),
    replyUser: emit(({ context, event }) => {
      assertEvent(event, 'auth.whoami');
      return reply(event.id, { ok: true, result: context.user });
    }),
    replyCredential: emit(({ context, event }) => {
      assertEvent(event, 'auth.credential');
      return reply(event.id, { ok: true, result: context.token });
    }),
    replyAccepted: emit(({ event }) => {
      assertEvent(event, 'auth.credentialRejected');
      return reply(event.id, { ok: true });
    }),
    replyToUserWaiters: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['xstate.done.actor.fetchUser', 'xstate.error.actor.fetchUser']);
      const outcome: Outcome =
        event.type === 'xstate.done.actor.fetchUser'
          ? { ok: true, result: event.output.user }
          : { ok: false, error: event.error };
      if (context.current) enqueue.emit(reply(context.current.id, outcome));
      const queue: AuthContext['queue'] = [];
      for (const queued of context.queue) {
        if (queued.type === 'auth.whoami' || queued.type === 'auth.isLoggedIn')
          enqueue.emit(reply(queued.id, outcome));
        else queue.push(queued);
      }
      enqueue.assign({ current: undefined, queue, error: outcome.ok ? undefined : outcome.error });
    }),
    replyDone: enqueueActions(({ context, enqueue }) => {
      const { current } = context;
      if (current === undefined) return;
      const result = 'keepsResult' in REQUESTS[current.type] ? context.token : undefined;
      enqueue.emit(reply(current.id, { ok: true, result }));
      enqueue.assign({ current: undefined });
    }),
    replyRemoved: enqueueActions(({ context, enqueue }) => {
      const { current } = context;
      if (current === undefined) return;
      enqueue.emit(
        reply(
          current.id,
          current.type === 'auth.logout' ? { ok: true } : { ok: false, error: new BalenaExpiredToken() },
        ),
      );
      enqueue.assign({ current: undefined });
    }),
    replyFailure: enqueueActions(({ context, event, enqueue }) => {
      const error = 'error' in event ? event.error : undefined;
      if (context.current) enqueue.emit(reply(context.current.id, { ok: false, error }));
      enqueue.assign({ current: undefined, error });
    }),
    replyOutput: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['xstate.done.actor.verifyTotp', 'xstate.done.actor.fetchSetupKey']);
      const result =
        event.type === 'xstate.done.actor.fetchSetupKey' ? event.output.secret : event.output.token;
      if (context.current) enqueue.emit(reply(context.current.id, { ok: true, result }));
      enqueue.assign({ current: undefined });
    }),
    replyStillPending: enqueueActions(({ context, enqueue }) => {
      const error = new BalenaRequestError('The server still requires two-factor authentication', 401);
      if (context.current) enqueue.emit(reply(context.current.id, { ok: false, error }));
      enqueue.assign({ current: undefined, error });
    }),
    spawnQuery: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, QUERY_REQUESTS);
      const id = freeQuerySlot(context.queries);
      enqueue.assign({ queries: { ...context.queries, [id]: event.id } });
      if (event.type === 'auth.register') enqueue.spawnChild('register', { id, input: event });
      else if (event.type === 'auth.verifyEmail') enqueue.spawnChild('verifyEmail', { id, input: event });
      else enqueue.spawnChild('authenticate', { id, input: event });
    }),
    replyQuery: enqueueActions(({ context, event, enqueue }) => {
      if (!isQueryResult(event)) return;
      const { [event.actorId]: requestId, ...rest } = context.queries;
      if (requestId === undefined) return;
      enqueue.stopChild(event.actorId);
      enqueue.assign({ queries: rest });
      enqueue.emit(
        reply(
          requestId,
          'output' in event ? { ok: true, result: event.output.token } : { ok: false, error: event.error },
        ),
      );
    }),
  },
});
