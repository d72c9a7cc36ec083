/**
 * Change notices for one storage key, by the `storage` event (other documents) and a
 * `BroadcastChannel` (other stores, on any `Storage`). Listeners re-read it and hear each distinct
 * value once, compared with what they last heard or their store last wrote (so a logout elsewhere
 * reaches the tab that logged in). A store posts on the channel its listeners use, which never
 * hears itself: its own writes are not echoed back to it. A read that throws (this document's
 * storage denied, e.g. a SecurityError) counts as no value: nothing is thrown into the page, and a
 * listener that knew a value hears `undefined`, so the machine reads the store again and learns
 * why from the error its read rejects with.
 *
 * @example
 * const notices = changeNotices(localStorage, 'balena-token');
 * notices.listen(() => localStorage['balena-token'], console.log);
 * notices.announce('the-token-just-written');
 */
export function changeNotices(storage: Storage, key: string) {
  const channel = new BroadcastChannel(`balena-auth:${key}`); // collectable once no listener is left
  /** Per listener, the value it last heard or its store last wrote. */
  const listening = new Set<{ last: string | undefined }>();
  return {
    /** Tells the site's other stores that `value` was just written here. */
    announce(value: string | undefined): void {
      for (const listener of listening) listener.last = value;
      channel.postMessage('changed');
    },
    listen(read: () => string | undefined, onChange: (value: string | undefined) => void): () => void {
      const readOrNothing = () => {
        try {
          return read();
        } catch {
          return undefined;
        }
      };
      const listener = { last: readOrNothing() };
      listening.add(listener);
      const check = () => {
        const value = readOrNothing();
        if (value === listener.last) return;
        listener.last = value;
        onChange(value);
      };
      const onStorage = (event: StorageEvent) => {
        if (event.storageArea === storage && (event.key === key || event.key === null)) check();
      };
      channel.addEventListener('message', check);
      globalThis.addEventListener?.('storage', onStorage);
      return () => {
        listening.delete(listener);
        globalThis.removeEventListener?.('storage', onStorage);
        channel.removeEventListener('message', check);
      };
    },
  };
}
