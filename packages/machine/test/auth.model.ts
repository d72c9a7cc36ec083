import { createMachine } from 'xstate';

/**
 * An invoke-free model of what a user of the client can do and see, with the same top-level state
 * names as `authMachine`. Sub-states say which credential the real client holds, so each model
 * event has one expected outcome. Walked by `createTestModel` in model.test.ts.
 */
export const authModel = createMachine({
  id: 'authModel',
  initial: 'restoring',
  states: {
    restoring: {
      on: {
        START_EMPTY: 'anonymous',
        START_WITH_SESSION: 'unverified.genuine',
        START_WITH_FORGED_TOKEN: 'unverified.forged',
        START_WITH_PENDING_2FA: 'awaitingTwoFactor',
      },
    },
    anonymous: {
      on: {
        LOGIN: 'authenticating.plain',
        LOGIN_2FA_USER: 'authenticating.twoFactor',
        LOGIN_WRONG_PASSWORD: 'authenticating.wrong',
        LOGIN_WITH_API_KEY: 'unverified.genuine',
        LOGIN_WITH_FORGED_TOKEN: 'unverified.forged',
        WHOAMI: 'anonymous',
      },
    },
    authenticating: {
      initial: 'plain',
      states: {
        plain: { on: { SERVER_ANSWERS: '#authModel.authenticated' } },
        twoFactor: { on: { SERVER_ANSWERS: '#authModel.awaitingTwoFactor' } },
        wrong: { on: { SERVER_ANSWERS: '#authModel.anonymous' } },
      },
    },
    awaitingTwoFactor: {
      on: {
        CHALLENGE: 'authenticated',
        CHALLENGE_WRONG_CODE: 'awaitingTwoFactor',
        WHOAMI: 'awaitingTwoFactor',
        LOGOUT: 'anonymous',
      },
    },
    unverified: {
      initial: 'genuine',
      states: {
        genuine: { on: { WHOAMI: '#authModel.authenticated' } },
        forged: { on: { WHOAMI: 'rejected' } },
        rejected: { on: { WHOAMI: 'rejected' } },
      },
      on: { LOGOUT: 'anonymous' },
    },
    authenticated: {
      on: {
        WHOAMI: 'authenticated',
        DAY_PASSES: 'authenticated',
        SERVER_FAILS: 'authenticated',
        LOGOUT: 'anonymous',
        SIGNED_OUT_ELSEWHERE: 'anonymous',
      },
    },
  },
});
