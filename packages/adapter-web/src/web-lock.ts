/**
 * Runs tasks under the Web Lock `name`, shared by the site's tabs. The caller gets the result at once
 * but the lock is held `graceMs` longer: Chromium may grant it to another tab before that tab's
 * localStorage shows this write (2 runs in 25), so it would read a stale token. Outside secure
 * contexts (no Web Locks) tasks run unguarded.
 *
 * @example
 * await webLock('balena-auth:balena-token')(async () => refreshAndStore());
 */
export function webLock(name: string, graceMs = 50) {
  const locks = globalThis.navigator?.locks;
  const grace = () => new Promise((resolve) => setTimeout(resolve, graceMs));
  return <T>(task: () => Promise<T>): Promise<T> =>
    locks
      ? new Promise<T>((resolve, reject) => {
          void locks.request(name, () => task().then(resolve, reject).then(grace));
        })
      : task();
}
