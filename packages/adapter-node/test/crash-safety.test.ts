import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleFixture, runNode, sleep, tempDirectory } from './support.ts';

const KILLS = 200;
const LANES = 4;
const COMPLETE_TOKEN = /^crash\.\d+\.\d{10}\.x{400}\.end$/;

describe('crash safety of the token file', () => {
  it(`is never empty or partial when a writer looping over set() is killed with SIGKILL at random moments (${KILLS} kills)`, async () => {
    // Bundled for plain `node`: a tsx start per child would make 200 runs take minutes.
    const bundle = await bundleFixture('token-writer.ts');
    // Four writers at a time, each on its own directory, to keep 200 process starts within seconds.
    const directories = await Promise.all(Array.from({ length: LANES }, () => tempDirectory()));
    const seen = { complete: 0, absent: 0, bad: [] as string[] };
    const started = performance.now();

    const killWriterRepeatedly = async (directory: string, lane: number) => {
      for (let run = 0; run < KILLS / LANES; run++) {
        const writer = runNode([bundle, directory, `${lane}${run}`]);
        await writer.line(/^writing$/);
        await sleep(1 + Math.floor(Math.random() * 20));
        writer.process.kill('SIGKILL');
        await writer.exited;
        let text: string | undefined;
        try {
          text = await readFile(path.join(directory, 'token'), 'utf8');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        if (text === undefined) seen.absent++;
        else if (COMPLETE_TOKEN.test(text)) seen.complete++;
        else seen.bad.push(`${JSON.stringify(text.slice(0, 40))} (${text.length} chars)`);
      }
    };
    await Promise.all(directories.map(killWriterRepeatedly));

    const leftovers = (await Promise.all(directories.map((directory) => readdir(directory))))
      .flat()
      .filter((name) => name !== 'token');
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `[crash safety] ${KILLS} SIGKILLs in ${seconds} s: file complete ${seen.complete}, absent ${seen.absent}, ` +
        `empty or partial ${seen.bad.length}; leftover temp files ${leftovers.length} ` +
        `(each < 1 min old; the next write after a minute deletes them)`,
    );
    expect(seen.bad).toEqual([]);
    expect(seen.complete + seen.absent).toBe(KILLS);
    expect(leftovers.every((name) => /^token\.[\da-f]{16}\.tmp$/.test(name))).toBe(true);
  }, 90_000);
});
