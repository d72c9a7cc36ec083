import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useEmulator } from '../emulated.ts';

/** 1,000 in CI; `RELIABILITY_SOAK_CYCLES=10000 pnpm test` for a longer soak. */
const CYCLES = Number(process.env.RELIABILITY_SOAK_CYCLES ?? 1000);
/** Heap growth allowed over the whole soak: well under what keeping even one small object per cycle would add. */
const HEAP_GROWTH_BOUND = 1.5 * 1024 * 1024;
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));

interface SoakReport {
  cycles: number;
  failures: number;
  elapsedMs: number;
  heapBefore: number;
  heapAfter: number;
  samples: number[];
  childrenAtEnd: number;
  actorStatus: string;
  resources: { before: string[]; afterStop: string[]; afterIdle: string[] };
}

const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill();
});

/** Starts `file` with Node (through tsx), collects its stdout, and resolves with its first line. */
async function start(file: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [...args, '--import', 'tsx', file], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const end = stdout.indexOf('\n');
      if (end >= 0) resolve(stdout.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before printing: ${stderr}`)));
  });
  return { child, firstLine };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

describe('soak', () => {
  it(
    `${CYCLES} login/whoami/logout cycles on one client keep the heap flat, and stop() leaves no socket or timer`,
    async () => {
      const emulator = await start(script('./emulator-process.ts'), [], {});
      const { url, email, password } = JSON.parse(await emulator.firstLine);
      const soak = await start(script('./soak-process.ts'), ['--expose-gc'], {
        SOAK_EMULATOR_URL: url,
        SOAK_EMAIL: email,
        SOAK_PASSWORD: password,
        SOAK_CYCLES: String(CYCLES),
      });
      const report: SoakReport = JSON.parse(await soak.firstLine);
      const printed = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const exitCode = await Promise.race([
        once(soak.child, 'exit').then(([code]) => code as number | null),
        new Promise<'still running'>((resolve) => {
          timer = setTimeout(() => resolve('still running'), 10_000);
        }),
      ]);
      clearTimeout(timer);
      const exitMs = Date.now() - printed;
      emulator.child.stdin.end();

      const growth = report.heapAfter - report.heapBefore;
      console.log(
        [
          `soak: ${report.cycles} cycles in ${(report.elapsedMs / 1000).toFixed(1)} s, ${report.failures} failed`,
          `heap after gc: ${kib(report.heapBefore)} before, ${kib(report.heapAfter)} after ` +
            `(${growth >= 0 ? '+' : ''}${kib(growth)}; quarters ${report.samples.map(kib).join(', ')})`,
          `active resources: before the client [${report.resources.before}], ` +
            `right after stop() [${report.resources.afterStop}], idle [${report.resources.afterIdle}]; ` +
            `process exited by itself ${exitMs} ms after its report`,
        ].join('\n'),
      );

      expect(report.failures).toBe(0);
      expect(growth).toBeLessThan(HEAP_GROWTH_BOUND);
      expect(report.actorStatus).toBe('stopped');
      expect(report.resources.afterStop).toEqual(report.resources.before);
      expect(report.resources.afterIdle).toEqual(report.resources.before);
      expect(exitCode, 'the soak process should end by itself once the client is stopped').toBe(0);
    },
    120_000 + CYCLES * 20,
  );
});

describe('finished queries', () => {
  const env = useEmulator();

  it('authenticate, register and verifyEmail leave no finished service, nor its password or token, in the machine', async () => {
    const { auth, actor } = await env.client();
    const user = await env.user();
    for (let i = 0; i < 3; i++) {
      await auth.authenticate(user);
      await auth.register({ email: `soak-${i}@example.com`, password: 'long-enough-password' });
      await auth.verifyEmail({ email: user.email, token: 'not-the-token' }).catch(() => {});
    }
    expect(Object.keys(actor.getSnapshot().children)).toEqual([]);
  });
});
