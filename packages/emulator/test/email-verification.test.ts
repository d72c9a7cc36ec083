import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, claimsOf, login, summary } from './support.ts';

const TEXT = 'text/plain; charset=utf-8';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.close());

const register = (json: unknown) => call(emulator, 'POST', '/user/register', { json });
const verify = (json: unknown) => call(emulator, 'POST', '/user/v1/verify-email', { json });

describe('POST /user/register', () => {
  it('answers 200 text/plain with a session JWT of the new user', async () => {
    const response = await register({
      email: 'new@example.com',
      password: 'pw-12345678',
      'g-recaptcha-response': 'x',
    });
    const { status, contentType, body } = await summary(response);
    expect(status).toBe(200);
    expect(contentType).toBe(TEXT);
    expect(claimsOf(body)).toMatchObject({ id: expect.any(Number), jwt_secret: expect.any(String) });
    const whoami = await (await call(emulator, 'GET', '/actor/v1/whoami', { token: body })).json();
    expect(whoami).toMatchObject({ actorType: 'user', email: 'new@example.com', username: 'new' });
  });

  it('uses the given username', async () => {
    const token = await (
      await register({ email: 'new@example.com', password: 'pw-12345678', username: 'neo' })
    ).text();
    const whoami = await (await call(emulator, 'GET', '/user/v1/whoami', { token })).json();
    expect(whoami.username).toBe('neo');
  });

  it('sends a verification e-mail to the outbox', async () => {
    await register({ email: 'new@example.com', password: 'pw-12345678' });
    expect(emulator.outbox()).toEqual([{ to: 'new@example.com', token: expect.any(String) }]);
  });

  it('creates a user who can log in with the password', async () => {
    await register({ email: 'new@example.com', password: 'pw-12345678' });
    await expect(login(emulator, 'new@example.com', 'pw-12345678')).resolves.toEqual(expect.any(String));
  });

  it('answers 400 text/plain "Invalid email" for an invalid email', async () => {
    expect(await summary(await register({ email: 'foobarbaz', password: 'pw-12345678' }))).toEqual({
      status: 400,
      contentType: TEXT,
      body: 'Invalid email',
    });
  });

  it('answers 409 text/plain "This email is already taken" for an existing email, in any case', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    expect(await summary(await register({ email: 'ADA@example.com', password: 'pw-12345678' }))).toEqual({
      status: 409,
      contentType: TEXT,
      body: 'This email is already taken',
    });
  });

  it('answers 400 text/plain for a password shorter than 8 characters', async () => {
    expect(await summary(await register({ email: 'new@example.com', password: 'short' }))).toEqual({
      status: 400,
      contentType: TEXT,
      body: 'Password must be at least 8 characters',
    });
  });

  it('answers 409 text/plain for a username that is taken', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse', username: 'ada' });
    expect(
      await summary(await register({ email: 'other@example.com', password: 'pw-12345678', username: 'ada' })),
    ).toEqual({ status: 409, contentType: TEXT, body: 'This username is already taken' });
  });

  it('does not need credentials and ignores a token sent anyway', async () => {
    await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
    const token = await login(emulator, 'ada@example.com', 'correct horse');
    const response = await call(emulator, 'POST', '/user/register', {
      token,
      json: { email: 'new@example.com', password: 'pw-12345678' },
    });
    expect(response.status).toBe(200);
  });
});

describe('POST /user/v1/verify-email', () => {
  it('answers 200 text/plain with a session JWT for the token from the outbox', async () => {
    await register({ email: 'new@example.com', password: 'pw-12345678' });
    const [{ token }] = emulator.outbox();
    const { status, contentType, body } = await summary(
      await verify({ verificationToken: token, email: 'new@example.com' }),
    );
    expect(status).toBe(200);
    expect(contentType).toBe(TEXT);
    expect((await call(emulator, 'GET', '/actor/v1/whoami', { token: body })).status).toBe(200);
  });

  it('accepts a verification token only once', async () => {
    await register({ email: 'new@example.com', password: 'pw-12345678' });
    const [{ token }] = emulator.outbox();
    await verify({ verificationToken: token, email: 'new@example.com' });
    expect((await verify({ verificationToken: token, email: 'new@example.com' })).status).toBe(401);
  });

  it('answers 401 text/plain "Invalid verification token" for a wrong token', async () => {
    await register({ email: 'new@example.com', password: 'pw-12345678' });
    expect(await summary(await verify({ verificationToken: 'wrong', email: 'new@example.com' }))).toEqual({
      status: 401,
      contentType: TEXT,
      body: 'Invalid verification token',
    });
  });

  it('answers 401 text/plain "Invalid verification token" for an unknown email', async () => {
    await register({ email: 'new@example.com', password: 'pw-12345678' });
    const [{ token }] = emulator.outbox();
    expect(await summary(await verify({ verificationToken: token, email: 'other@example.com' }))).toEqual({
      status: 401,
      contentType: TEXT,
      body: 'Invalid verification token',
    });
  });

  it('answers 400 text/plain when a field is missing', async () => {
    expect(await summary(await verify({ email: 'new@example.com' }))).toEqual({
      status: 400,
      contentType: TEXT,
      body: 'Missing verificationToken or email',
    });
  });
});

describe('PATCH /v7/user(<id>) {has_been_sent_verification_email: true}', () => {
  let ada: { id: number };
  let session: string;

  beforeEach(async () => {
    ada = await emulator.createUser({ email: 'ada@example.com', password: 'correct horse', verified: false });
    session = await login(emulator, 'ada@example.com', 'correct horse');
  });

  const requestEmail = (
    id: number,
    token: string | undefined,
    json: unknown = { has_been_sent_verification_email: true },
  ) => call(emulator, 'PATCH', `/v7/user(${id})`, { token, json });

  it('answers 200 text/plain OK and sends a fresh verification e-mail', async () => {
    expect(await summary(await requestEmail(ada.id, session))).toEqual({
      status: 200,
      contentType: TEXT,
      body: 'OK',
    });
    expect(emulator.outbox()).toEqual([{ to: 'ada@example.com', token: expect.any(String) }]);
  });

  it('accepts a user API key of that user', async () => {
    const key = await emulator.createApiKey('ada@example.com');
    expect((await requestEmail(ada.id, key)).status).toBe(200);
  });

  it('replaces the previous verification token', async () => {
    await requestEmail(ada.id, session);
    await requestEmail(ada.id, session);
    const [first, second] = emulator.outbox();
    expect((await verify({ verificationToken: first.token, email: 'ada@example.com' })).status).toBe(401);
    expect((await verify({ verificationToken: second.token, email: 'ada@example.com' })).status).toBe(200);
  });

  it("answers 401 with an empty body for another user's id", async () => {
    const bob = await emulator.createUser({ email: 'bob@example.com', password: 'battery staple' });
    expect(await summary(await requestEmail(bob.id, session))).toEqual({
      status: 401,
      contentType: null,
      body: '',
    });
    expect(emulator.outbox()).toEqual([]);
  });

  it('answers 401 with an empty body without credentials', async () => {
    expect(await summary(await requestEmail(ada.id, undefined))).toEqual({
      status: 401,
      contentType: null,
      body: '',
    });
  });

  it('answers 400 text/plain for other fields', async () => {
    expect(await summary(await requestEmail(ada.id, session, { email: 'evil@example.com' }))).toEqual({
      status: 400,
      contentType: TEXT,
      body: 'Only has_been_sent_verification_email: true can be set',
    });
  });
});
