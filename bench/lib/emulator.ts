import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Fault, RequestRecord, SessionTokenClaims } from '@balena-auth/emulator';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** An emulator driven through its admin routes, from any process. */
export interface EmulatorAdmin {
  url: string;
  createUser(user: { email: string; password: string }): Promise<void>;
  sessionToken(email: string, claims?: SessionTokenClaims): Promise<string>;
  requests(): Promise<RequestRecord[]>;
  clearRequests(): Promise<void>;
  /** Applies `fault` to the next `times` requests to `path`. */
  faults(path: string, fault: Fault, times: number): Promise<void>;
  clearFaults(): Promise<void>;
}

/** The emulator running in a child process. */
export interface EmulatorProcess extends EmulatorAdmin {
  close(): Promise<void>;
}

/**
 * Starts `bench/lib/emulator-process.ts` with Node and tsx and resolves once it listens.
 *
 * @example
 * const emulator = await startEmulatorProcess();
 * await emulator.createUser({ email: 'a@example.com', password: 'password-1' });
 * await emulator.close();
 */
export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./emulator-process.ts', import.meta.url))],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))).url);
    });
    child.once('exit', (code) => reject(new Error(`the emulator process exited with ${code}`)));
  });
  return {
    ...connectEmulator(url),
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * The admin routes of the emulator listening at `url` (e.g. one started by another process).
 *
 * @example
 * const emulator = connectEmulator('http://127.0.0.1:41234');
 * const token = await emulator.sessionToken('a@example.com');
 */
export function connectEmulator(url: string): EmulatorAdmin {
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}/__emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) throw new Error(`emulator admin ${method} ${path}: ${JSON.stringify(data)}`);
    return data;
  };
  return {
    url,
    createUser: async (user) => {
      await admin('POST', '/users', user);
    },
    sessionToken: async (email, claims = {}) =>
      (await admin('POST', '/session-tokens', { email, ...claims })).token,
    requests: () => admin('GET', '/requests'),
    clearRequests: async () => {
      await admin('DELETE', '/requests');
    },
    faults: async (path, fault, times) => {
      await admin('POST', '/faults', { path, fault, times });
    },
    clearFaults: async () => {
      await admin('DELETE', '/faults');
    },
  };
}
