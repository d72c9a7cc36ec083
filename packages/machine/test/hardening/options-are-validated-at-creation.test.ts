import { describe, expect, it } from 'vitest';
import { type AuthOptions, createAuth, memoryTokenStore } from '../../src/index.ts';
import { createApiClient } from '../../src/testing.ts';
import { useEmulator } from '../emulated.ts';

const env = useEmulator();

function creationError(options: Record<string, unknown>): unknown {
  try {
    createAuth({ store: memoryTokenStore(), ...options } as AuthOptions).stop();
  } catch (error) {
    return error;
  }
  return undefined;
}

const INVALID: Record<string, [string, unknown][]> = {
  requestTimeoutMs: [
    ['NaN', Number.NaN],
    ['negative', -1],
    ['zero', 0],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['over 2^31 - 1 ms', 2 ** 31],
    ['a string', '1000'],
  ],
  apiUrl: [
    ['not a URL', 'not a url'],
    ['ftp:', 'ftp://api.example.com'],
    ['javascript:', 'javascript:alert(1)'],
    ['a number', 42],
    ['with a user name and password', 'https://ada:url-password-1@api.example.com'],
  ],
  retryRateLimitedRequests: [
    ['a string', 'yes'],
    ['a number', 1],
  ],
  store: [
    ['missing', undefined],
    ['null', null],
    ['a string', 'memory'],
  ],
  'store.set': [['missing', { get: async () => undefined, remove: async () => {} }]],
  'store.subscribe': [['not a function', { ...memoryTokenStore(), subscribe: true }]],
  fetch: [['a string', 'fetch']],
  now: [['a number', 5]],
  inspect: [['a string', 'console']],
  'inspect.next': [['a number', { next: 5 }]],
};

describe('createAuth throws BalenaInvalidParameterError naming a bad option', () => {
  for (const [name, cases] of Object.entries(INVALID)) {
    const option = name.split('.')[0];
    it.each(cases)(`${name} %s`, (_label, value) => {
      const error = creationError({ [option]: value });
      expect(error).toMatchObject({ name: 'BalenaInvalidParameterError', parameterName: name });
      expect((error as Error).message).toContain(`'${name}'`);
      expect((error as Error).message).not.toContain('url-password-1');
    });
  }

  it('a store whose method is a throwing getter', () => {
    const store = {
      get get(): never {
        throw new Error('hostile getter');
      },
      set: async () => {},
      remove: async () => {},
    };
    expect(creationError({ store })).toMatchObject({
      name: 'BalenaInvalidParameterError',
      parameterName: 'store.get',
    });
  });

  it('valid options still create a working client', async () => {
    const { auth } = await env.client({ requestTimeoutMs: 2 ** 31 - 1, retryRateLimitedRequests: false });
    expect(await auth.isLoggedIn()).toBe(false);
  });
});

describe('createApiClient checks its options too', () => {
  it.each([
    ['requestTimeoutMs', { apiUrl: 'https://api.example.com', requestTimeoutMs: Number.NaN }],
    ['apiUrl', { apiUrl: 'file:///etc/passwd', requestTimeoutMs: 1000 }],
    [
      'retryRateLimitedRequests',
      { apiUrl: 'https://api.example.com', requestTimeoutMs: 1000, retryRateLimitedRequests: 'x' },
    ],
  ])('a bad %s', (name, options) => {
    expect(() => createApiClient(options as never)).toThrow(
      expect.objectContaining({ name: 'BalenaInvalidParameterError', parameterName: name }),
    );
  });
});

describe('a clock that fails', () => {
  it('a now() that throws or answers NaN falls back to the system clock', async () => {
    for (const now of [
      () => {
        throw new Error('no clock');
      },
      () => Number.NaN,
    ]) {
      const { auth } = await env.client({ now });
      const user = await env.user();
      await auth.login(user);
      expect(await auth.isLoggedIn()).toBe(true);
    }
  });
});
