import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Emulator, startEmulator } from '@balena-auth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Child, FIXTURES, runTs, tempDirectory } from './support.ts';

const CYCLES = 50;
const JWT_SECRET = 'two-processes-test-secret';

/** True when `text` is a whole session JWT signed by the emulator: header, payload and a valid signature. */
function isCompleteToken(text: string): boolean {
  const [header, payload, signature, ...rest] = text.split('.');
  if (!header || !payload || !signature || rest.length > 0) return false;
  const expected = createHmac('sha256', JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
  return signature === expected;
}

interface Check {
  agreed: boolean;
  afterMs: number;
  client: string | null;
  file: string | null;
}

async function check(child: Child, round: number): Promise<Check> {
  const before = child
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('check ')).length;
  child.send('check');
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const checks = child
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('check '));
      if (checks.length > before) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > 5000) {
        clearInterval(poll);
        reject(new Error(`no check answer in round ${round}\n${child.stderr()}`));
      }
    }, 5);
  });
  const lines = child
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('check '));
  return JSON.parse(lines[lines.length - 1].slice('check '.length)) as Check;
}

async function command(child: Child, line: 'login' | 'logout') {
  const before = child
    .stdout()
    .split('\n')
    .filter((l) => l === 'ok').length;
  child.send(line);
  const started = Date.now();
  while (
    child
      .stdout()
      .split('\n')
      .filter((l) => l === 'ok').length === before
  ) {
    if (Date.now() - started > 5000) throw new Error(`no answer to ${line}\n${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('two processes on one data directory', () => {
  let emulator: Emulator;
  const users = [
    { email: 'ada@example.com', password: 'ada-password' },
    { email: 'bob@example.com', password: 'bob-password' },
  ];
  beforeAll(async () => {
    emulator = await startEmulator({ loginRateLimit: false, jwtSecret: JWT_SECRET });
    for (const user of users) await emulator.createUser(user);
  });
  afterAll(() => emulator.close());

  it(`each doing ${CYCLES} login/logout cycles: the file only ever holds a complete token or is absent, and both clients end agreeing with it within 1 s`, async () => {
    const directory = await tempDirectory();
    const file = path.join(directory, 'token');
    const [a, b] = users.map((user) =>
      runTs(path.join(FIXTURES, 'login-cycler.ts'), [
        emulator.url,
        directory,
        user.email,
        user.password,
        String(CYCLES),
      ]),
    );

    await Promise.all([a.line(/^ready$/), b.line(/^ready$/)]);
    const samples = { token: 0, absent: 0, bad: [] as string[] };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          const text = await readFile(file, 'utf8');
          if (isCompleteToken(text)) samples.token++;
          else samples.bad.push(`${JSON.stringify(text.slice(0, 30))} (${text.length} chars)`);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          samples.absent++;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    a.send('go');
    b.send('go');
    const [doneA, doneB] = await Promise.all([a.line(/^done /, 60_000), b.line(/^done /, 60_000)]);
    sampling = false;
    await sampler;
    const statsA = JSON.parse(doneA.slice('done '.length));
    const statsB = JSON.parse(doneB.slice('done '.length));
    const overlapMs = Math.min(statsA.endedAt, statsB.endedAt) - Math.max(statsA.startedAt, statsB.startedAt);
    const logins = emulator.requests().filter((r) => r.path === '/login_' && r.status === 200).length;

    const atEnd = await Promise.all([check(a, 0), check(b, 0)]);
    // Then: A logs in, both must agree with the file; B logs out, both must agree again.
    await command(a, 'login');
    const afterLogin = await Promise.all([check(a, 1), check(b, 1)]);
    await command(b, 'logout');
    const afterLogout = await Promise.all([check(a, 2), check(b, 2)]);
    await command(b, 'login');
    const afterSecondLogin = await Promise.all([check(a, 3), check(b, 3)]);

    console.log(
      `[two processes] ${CYCLES} cycles each (A ${statsA.ms} ms, B ${statsB.ms} ms, running together ${overlapMs} ms; ${logins} successful POST /login_); ` +
        `${samples.token + samples.absent + samples.bad.length} file samples: complete token ${samples.token}, ` +
        `absent ${samples.absent}, partial/empty ${samples.bad.length}; agreement at the end A ${atEnd[0].afterMs} ms, ` +
        `B ${atEnd[1].afterMs} ms; after A's login A ${afterLogin[0].afterMs} ms, ` +
        `B ${afterLogin[1].afterMs} ms; after B's logout A ${afterLogout[0].afterMs} ms, B ${afterLogout[1].afterMs} ms; ` +
        `after B's login A ${afterSecondLogin[0].afterMs} ms, B ${afterSecondLogin[1].afterMs} ms`,
    );

    expect(samples.bad).toEqual([]);
    expect(samples.token).toBeGreaterThan(0);
    expect(overlapMs).toBeGreaterThan(0);
    expect(statsA.failures).toEqual([]);
    expect(statsB.failures).toEqual([]);
    for (const result of atEnd) {
      expect(result.agreed).toBe(true);
      expect(result.afterMs).toBeLessThan(1000);
    }
    for (const [checks, expectToken] of [
      [afterLogin, true],
      [afterLogout, false],
      [afterSecondLogin, true],
    ] as const) {
      for (const result of checks) {
        expect(result.agreed).toBe(true);
        expect(result.afterMs).toBeLessThan(1000);
        expect(result.file !== null).toBe(expectToken);
      }
    }
    const finalText = await readFile(file, 'utf8');
    expect(isCompleteToken(finalText)).toBe(true);
    a.send('exit');
    b.send('exit');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  }, 90_000);
});
