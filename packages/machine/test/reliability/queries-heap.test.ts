import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('queries on the shared machine', () => {
  it('20,000 authenticate() calls on one client grow the heap by less than 1 MB', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./queries-process.ts', import.meta.url))],
      { cwd: REPO_ROOT, env: { ...process.env, QUERY_CALLS: '20000' }, timeout: 60_000 },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    const growth = report.heapAfter - report.heapBefore;
    console.log(`20,000 authenticate() calls: heap ${(growth / 1024).toFixed(0)} KiB after GC`);
    expect(report.children).toBe(0); // every query child was stopped
    expect(growth).toBeLessThan(1024 * 1024);
  }, 90_000);
});
