import { BalenaError } from '@balena-auth/machine';

/**
 * Redis did not answer within the command timeout, is unreachable, refused the command, or holds
 * no token under the key. The message names the operation and the key, never the token; `cause`
 * is the Redis client's error.
 *
 * @example
 * await auth.login(credentials).catch((e) => { if (e instanceof BalenaRedisError) retryLater(); });
 */
export class BalenaRedisError extends BalenaError {
  constructor(message: string, cause?: unknown) {
    super(message);
    Object.defineProperty(this, 'cause', { value: cause, enumerable: false });
  }
}

/** Another client held the lock for longer than `lockWaitMs`; the task did not run. */
export class BalenaRedisLockTimeout extends BalenaRedisError {}
