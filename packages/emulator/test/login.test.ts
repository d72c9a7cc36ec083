import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.ts';
import { call, claimsOf, summary } from './support.ts';

describe('POST /login_', () => {
  let emulator: Emulator;

  beforeEach(async () => {
    emulator = await startEmulator();
    await emulator.createUser({ email: 'Ada@Example.com', password: 'correct horse', username: 'ada' });
  });
  afterEach(() => emulator.close());

  it('answers 200 text/plain with the raw session JWT for the right e-mail and password', async () => {
    const response = await call(emulator, 'POST', '/login_', {
      json: { username: 'Ada@Example.com', password: 'correct horse' },
    });
    const { status, contentType, body } = await summary(response);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain/);
    expect(body.split('.')).toHaveLength(3);
    expect(claimsOf(body).id).toBe(1);
  });

  it('matches the e-mail case-insensitively', async () => {
    const response = await call(emulator, 'POST', '/login_', {
      json: { username: 'ADA@example.COM', password: 'correct horse' },
    });
    expect(response.status).toBe(200);
  });

  it('accepts the username, case-insensitively, instead of the e-mail', async () => {
    const response = await call(emulator, 'POST', '/login_', {
      json: { username: 'ADA', password: 'correct horse' },
    });
    expect(response.status).toBe(200);
  });

  it('accepts an urlencoded form body', async () => {
    const response = await call(emulator, 'POST', '/login_', {
      form: { username: 'ada', password: 'correct horse' },
    });
    expect(response.status).toBe(200);
  });

  it('answers 401 with an empty body for a wrong password', async () => {
    const response = await call(emulator, 'POST', '/login_', {
      json: { username: 'ada', password: 'wrong' },
    });
    expect(await summary(response)).toEqual({ status: 401, contentType: null, body: '' });
  });

  it('answers 401 with an empty body for an unknown user', async () => {
    const response = await call(emulator, 'POST', '/login_', {
      json: { username: 'nobody@example.com', password: 'correct horse' },
    });
    expect(await summary(response)).toEqual({ status: 401, contentType: null, body: '' });
  });

  it('answers 400 text/plain when a field is missing', async () => {
    const response = await call(emulator, 'POST', '/login_', { json: { username: 'ada' } });
    const { status, contentType, body } = await summary(response);
    expect(status).toBe(400);
    expect(contentType).toMatch(/^text\/plain/);
    expect(body).toBe('Missing credentials');
  });

  it('answers 400 when a field is not a string', async () => {
    const response = await call(emulator, 'POST', '/login_', {
      json: { username: 'ada', password: 12345678 },
    });
    expect(response.status).toBe(400);
  });

  it('answers 400 text/plain for a body that is not valid JSON', async () => {
    const broken = await fetch(`${emulator.url}/login_`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(await summary(broken)).toEqual({
      status: 400,
      contentType: 'text/plain; charset=utf-8',
      body: 'Invalid JSON body',
    });
  });

  it('lets an unverified user log in', async () => {
    await emulator.createUser({ email: 'new@example.com', password: 'pw-12345678', verified: false });
    const response = await call(emulator, 'POST', '/login_', {
      json: { username: 'new@example.com', password: 'pw-12345678' },
    });
    expect(response.status).toBe(200);
  });
});
