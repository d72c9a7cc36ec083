import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';

/** Why {@link readRegularFile} would not read a file. */
export type Refusal = 'symbolic link' | 'directory' | 'not a regular file' | 'too large';

/** The text of a regular file, or why it was not read. */
export type RegularFileRead = { text: string } | { refused: Refusal };

/** Unset on Windows, which has no such flags: the symbolic link is then caught by an lstat first. */
const NO_FOLLOW = constants.O_NOFOLLOW as number | undefined;
const NON_BLOCKING = (constants.O_NONBLOCK as number | undefined) ?? 0;

/**
 * The UTF-8 text of `file` if it is a regular file of at most `maxBytes`, else why not. It never
 * follows a symbolic link at `file` itself (`O_NOFOLLOW`; the directories above it may be links),
 * never waits (`O_NONBLOCK`, so a FIFO opens at once and is then refused), never reads more than
 * `maxBytes + 1` bytes (a file that grows while it is read is refused too), and changes nothing.
 * A missing file rejects with its `ENOENT` error, as do other file system errors.
 *
 * @example
 * const read = await readRegularFile('/home/ada/.balena/token', 64 * 1024);
 * if ('text' in read) console.log(read.text.length);
 * else console.warn(`not read: ${read.refused}`);
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<RegularFileRead> {
  if (NO_FOLLOW === undefined && (await lstat(file)).isSymbolicLink()) return { refused: 'symbolic link' };
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | (NO_FOLLOW ?? 0) | NON_BLOCKING);
  } catch (error) {
    // What O_NOFOLLOW makes open() fail with on a symbolic link: ELOOP (Linux, macOS), EMLINK (FreeBSD).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') return { refused: 'symbolic link' };
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) return { refused: 'directory' };
    if (!stats.isFile()) return { refused: 'not a regular file' };
    if (stats.size > maxBytes) return { refused: 'too large' };
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return { refused: 'too large' };
    return { text: buffer.toString('utf8', 0, length) };
  } finally {
    await handle.close();
  }
}
