/**
 * Change notices for one storage key, by the `storage` event (other documents) and a
 * `BroadcastChannel` (other stores, on any `Storage`). Listeners re-read it and hear each distinct
 * value once. A store posts on the channel its listeners use, which never hears itself: its own
 * writes are not echoed back to it.
 *
 * @example
 * changeNotices(localStorage, 'balena-token').listen(() => localStorage['balena-token'], console.log);
 */
export function changeNotices(storage: Storage, key: string) {
  const channel = new BroadcastChannel(`balena-auth:${key}`); // collectable once no listener is left
  return {
    announce: (): void => channel.postMessage('changed'),
    listen(read: () => string | undefined, onChange: (value: string | undefined) => void): () => void {
      let last = read();
      const check = () => {
        const value = read();
        if (value === last) return;
        last = value;
        onChange(value);
      };
      const onStorage = (event: StorageEvent) => {
        if (event.storageArea === storage && (event.key === key || event.key === null)) check();
      };
      channel.addEventListener('message', check);
      globalThis.addEventListener?.('storage', onStorage);
      return () => {
        globalThis.removeEventListener?.('storage', onStorage);
        channel.removeEventListener('message', check);
      };
    },
  };
}
