import { open, stat } from 'node:fs/promises';
import { checkedNewUser } from './new-user.ts';
import type { NewUser } from './types.ts';

/** A users file larger than this is refused before it is parsed. */
export const MAX_USERS_FILE_BYTES = 1024 * 1024;
/** At most this many users in one file. */
export const MAX_USERS_IN_FILE = 1000;

const KNOWN_FIELDS = new Set(['email', 'password', 'username', 'twoFactor', 'verified']);

/** A users file that cannot be used; the message names the file and the entry, never a password. */
export class UsersFileError extends Error {
  override name = 'UsersFileError';
}

/**
 * Reads the bin's `--users` file: a JSON array of {@link NewUser} objects, e.g.
 * `[{"email": "ada@example.com", "password": "correct horse", "twoFactor": true}]`. At most
 * {@link MAX_USERS_FILE_BYTES} and {@link MAX_USERS_IN_FILE} users; a field other than `email`,
 * `password`, `username`, `twoFactor` and `verified` is refused too (it is most likely a typo).
 * Rejects with a {@link UsersFileError} saying what is wrong.
 *
 * @example
 * ```ts
 * for (const user of await readUsersFile('users.json')) await emulator.createUser(user);
 * ```
 */
export async function readUsersFile(file: string): Promise<NewUser[]> {
  const text = await readBounded(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsersFileError(`${file} is not valid JSON`);
  }
  if (!Array.isArray(parsed)) throw new UsersFileError(`${file} must hold a JSON array of users`);
  if (parsed.length > MAX_USERS_IN_FILE) {
    throw new UsersFileError(
      `${file} holds ${parsed.length} users; at most ${MAX_USERS_IN_FILE} are allowed`,
    );
  }
  return parsed.map((entry: unknown, index) => {
    const where = `${file}, user ${index + 1}`;
    const checked = checkedNewUser(entry);
    if ('problem' in checked) throw new UsersFileError(`${where}: ${checked.problem}`);
    const unknown = Object.keys(entry as object).filter((field) => !KNOWN_FIELDS.has(field));
    if (unknown.length > 0) {
      throw new UsersFileError(
        `${where}: unknown field ${unknown.map((field) => JSON.stringify(field)).join(', ')} (known: ${[...KNOWN_FIELDS].join(', ')})`,
      );
    }
    return checked.user;
  });
}

/** The file's text, refusing what is not a regular file (a FIFO would block the open) or too large. */
async function readBounded(file: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    if (!(await stat(file)).isFile())
      throw new UsersFileError(`The users file ${file} is not a regular file`);
    handle = await open(file, 'r');
  } catch (error) {
    if (error instanceof UsersFileError) throw error;
    const code = (error as { code?: unknown }).code;
    const why =
      code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new UsersFileError(`Cannot read the users file ${file}: ${why}`);
  }
  try {
    const buffer = Buffer.alloc(MAX_USERS_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_USERS_FILE_BYTES) {
        throw new UsersFileError(`The users file ${file} is larger than ${MAX_USERS_FILE_BYTES} bytes`);
      }
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}
