/**
 * Acceptance for `examples/inspect`: run it as a user would (tsx, as a child process), attach a
 * plain WebSocket client to the inspector server it starts, and read everything the inspector
 * relays for the whole flow.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEMO_TWO_FACTOR_USER } from '@balena-auth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

interface Message {
  type: string;
  name?: string;
  event?: { type: string };
  snapshot?: { value?: unknown; status?: string };
  sessionId?: string;
}

interface Run {
  exitCode: number | null;
  stdout: string;
  /** The raw text of every WebSocket message, in order of arrival. */
  raw: string[];
  messages: Message[];
  closeCode: number;
  clientErrors: Error[];
  viewerUrl: string;
  /** What the example's test-only mode wrote: every secret the flow handled. */
  secrets: string[];
}

/** Starts the example with `--wait`, connects a viewer to the URL it prints, lets the flow run, collects. */
async function runExampleWithViewer(dir: string): Promise<Run> {
  const secretsFile = join(dir, 'secrets.json');
  const child: ChildProcessWithoutNullStreams = spawn(tsx, ['examples/inspect/main.ts', '--wait'], {
    cwd: root,
    env: { ...process.env, INSPECTOR_PORT: '0', BALENA_AUTH_INSPECT_TEST_SECRETS_FILE: secretsFile },
  });
  try {
    let stdout = '';
    const exited = once(child, 'exit');
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    const lines = createInterface({ input: child.stdout });
    let viewerUrl = '';
    let announce: () => void = () => {};
    const readyToAttach = new Promise<void>((resolve) => {
      announce = resolve;
    });
    lines.on('line', (line) => {
      stdout += `${line}\n`;
      viewerUrl ||= /viewers connect to\s+(\S+)/.exec(line)?.[1] ?? '';
      if (line.startsWith('Attach a viewer now')) announce();
    });
    await Promise.race([
      readyToAttach,
      exited.then(() => {
        throw new Error(`the example exited before the flow:\n${stdout}`);
      }),
    ]);

    const viewer = new WebSocket(viewerUrl);
    const raw: string[] = [];
    const clientErrors: Error[] = [];
    viewer.on('message', (data) => raw.push(data.toString()));
    viewer.on('error', (error) => clientErrors.push(error));
    const closed = once(viewer, 'close');
    await once(viewer, 'open');
    child.stdin.write('\n');

    const [exitCode] = (await exited) as [number | null];
    const [closeCode] = (await closed) as [number];
    return {
      exitCode,
      stdout,
      raw,
      messages: raw.map((text) => JSON.parse(text) as Message),
      closeCode,
      clientErrors,
      viewerUrl,
      secrets: JSON.parse(readFileSync(secretsFile, 'utf8')) as string[],
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

/** JSON with object keys sorted, so state values compare whatever order a serializer kept. */
const stableJson = (value: unknown): string =>
  JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );

describe('examples/inspect watched over a loopback WebSocket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'balena-auth-inspect-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let run: Run;
  beforeAll(async () => {
    run = await runExampleWithViewer(dir);
  }, 20_000);
  const flow = async () => run;

  it('runs the whole flow and exits 0, with its inspector server on 127.0.0.1 closing the viewer cleanly', async () => {
    const { exitCode, stdout, viewerUrl, closeCode, clientErrors } = await flow();
    expect(exitCode).toBe(0);
    expect(viewerUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain('✓ twoFactor.challenge with the current TOTP code');
    expect(stdout).toContain('token refreshes answered by the server: 1');
    expect(stdout).toContain('Flow done; emulator and inspector server closed.');
    expect(closeCode).toBe(1001);
    expect(clientErrors).toEqual([]);
  });

  it('delivers @xstate.actor, @xstate.event and @xstate.snapshot messages for the whole flow', async () => {
    const { messages } = await flow();
    const counts: Record<string, number> = {};
    for (const message of messages) counts[message.type] = (counts[message.type] ?? 0) + 1;
    console.log(
      `inspector messages received by the viewer: ${JSON.stringify(counts)}, total ${messages.length}`,
    );
    expect(Object.keys(counts).sort()).toEqual(['@xstate.actor', '@xstate.event', '@xstate.snapshot']);
    const sent = /Inspection messages sent: \d+ (\{.*\})/.exec(run.stdout)?.[1];
    expect(counts, 'every message the example handed to its inspector arrived').toEqual(
      JSON.parse(sent ?? '{}'),
    );

    const machine = messages.find((m) => m.type === '@xstate.actor' && m.name === 'auth');
    expect(machine, 'the auth machine is announced').toBeDefined();
    expect(counts['@xstate.actor']).toBeGreaterThan(1); // the machine and the services it invoked

    const events = messages.filter((m) => m.type === '@xstate.event').map((m) => m.event?.type);
    for (const type of [
      'auth.register',
      'auth.verifyEmail',
      'auth.login',
      'auth.totp.challenge',
      'auth.whoami',
      'auth.isLoggedIn',
      'auth.loginWithToken',
      'auth.logout',
    ])
      expect(events, `event ${type}`).toContain(type);
    const services = messages.filter((m) => m.type === '@xstate.actor').map((m) => m.name);
    for (const service of ['loginWithPassword', 'verifyTotp', 'refreshToken'])
      expect(services, `the service ${service}`).toContain(service);

    const machineStates = messages
      .filter((m) => m.type === '@xstate.snapshot' && m.sessionId === machine?.sessionId)
      .map((m) => stableJson(m.snapshot?.value));
    const inOrder = [
      { session: 'anonymous', activity: { ready: 'idle' } },
      { session: 'authenticating', activity: 'loggingIn' },
      { session: 'awaitingTwoFactor', activity: { ready: 'idle' } },
      { session: 'awaitingTwoFactor', activity: 'verifyingTotp' },
      { session: 'authenticated', activity: { ready: 'idle' } },
      { session: 'authenticated', activity: 'refreshing' },
      { session: 'anonymous', activity: 'removing' },
      { session: { unverified: 'pending' }, activity: { ready: 'idle' } },
      { session: 'anonymous', activity: { ready: 'idle' } },
    ].map(stableJson);
    let from = 0;
    for (const value of inOrder) {
      const at = machineStates.indexOf(value, from);
      expect(at, `state ${value} after the previous ones`).toBeGreaterThanOrEqual(0);
      from = at + 1;
    }
  });

  it('shows no secret in any message or in what the example prints', async () => {
    const { raw, stdout, secrets } = await flow();
    const known = [...new Set([...secrets, DEMO_TWO_FACTOR_USER.password])];
    const tokens = known.filter((secret) => secret.startsWith('eyJ'));
    expect(known.length).toBeGreaterThanOrEqual(10);
    expect(tokens.length).toBeGreaterThanOrEqual(5); // register, verifyEmail, login, challenge, refresh
    const all = raw.join('\n');
    for (const secret of known) {
      expect(all.includes(secret), `a secret of ${secret.length} characters in the messages`).toBe(false);
      expect(stdout.includes(secret), `a secret of ${secret.length} characters in the output`).toBe(false);
    }
    expect(all).not.toMatch(/eyJ[\w-]*\.[\w-]+\.[\w-]*/);
    expect(all).toContain('(redacted)');
  });
});
