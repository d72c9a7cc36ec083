import { afterEach, describe, expect, it, vi } from 'vitest';
import { localStorageTokenStore } from '../src/index.ts';

afterEach(() => {
  localStorage.clear();
  vi.restoreAllMocks();
});

describe('localStorageTokenStore in Chromium', () => {
  it('keeps the token under localStorage["balena-token"], as balena-sdk does', async () => {
    const store = localStorageTokenStore();
    await store.set('a-user-api-key');
    expect(localStorage.getItem('balena-token')).toBe('a-user-api-key');
    await store.remove();
    expect(localStorage.getItem('balena-token')).toBeNull();
  });

  it('reads the storage afresh on every get, so a token written elsewhere is seen at once', async () => {
    const store = localStorageTokenStore();
    expect(await store.get()).toBeUndefined();
    localStorage.setItem('balena-token', 'written-by-balena-sdk');
    expect(await store.get()).toBe('written-by-balena-sdk');
  });

  it('leaves no probe key behind', () => {
    localStorageTokenStore();
    expect(Object.keys(localStorage)).toEqual([]);
  });

  it('reports a token written by another document of the site, through the storage event', async () => {
    const frame = await sameOriginFrame();
    const store = localStorageTokenStore();
    const heard = vi.fn();
    const unsubscribe = store.subscribe?.(heard);
    frame.contentWindow?.localStorage.setItem('balena-token', 'from-another-document');
    await vi.waitFor(() => expect(heard).toHaveBeenCalledWith('from-another-document'));
    frame.contentWindow?.localStorage.removeItem('balena-token');
    await vi.waitFor(() => expect(heard).toHaveBeenLastCalledWith(undefined));
    expect(heard).toHaveBeenCalledTimes(2);
    unsubscribe?.();
    frame.remove();
  });

  it('reports a change announced on the BroadcastChannel, for storages that fire no storage event', async () => {
    const store = localStorageTokenStore();
    const heard = vi.fn();
    const unsubscribe = store.subscribe?.(heard);
    localStorage.setItem('balena-token', 'written-without-a-storage-event');
    const other = new BroadcastChannel('balena-auth:balena-token');
    other.postMessage('changed');
    other.close();
    await vi.waitFor(() => expect(heard).toHaveBeenCalledWith('written-without-a-storage-event'));
    unsubscribe?.();
  });

  it('reports one change once, although both the storage event and the channel announce it', async () => {
    const frame = await sameOriginFrame();
    const store = localStorageTokenStore();
    const heard = vi.fn();
    const unsubscribe = store.subscribe?.(heard);
    await localStorageTokenStore(frame.contentWindow?.localStorage).set('announced-twice');
    await vi.waitFor(() => expect(heard).toHaveBeenCalledWith('announced-twice'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard).toHaveBeenCalledTimes(1);
    unsubscribe?.();
    frame.remove();
  });

  it("does not report a store's own writes back to it", async () => {
    const store = localStorageTokenStore();
    const heard = vi.fn();
    const unsubscribe = store.subscribe?.(heard);
    await store.set('written-here');
    await store.remove();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard).not.toHaveBeenCalled();
    unsubscribe?.();
  });

  it("reports another document's removal of the token this store wrote itself (a logout in another tab)", async () => {
    const frame = await sameOriginFrame();
    const store = localStorageTokenStore();
    const heard = vi.fn();
    const unsubscribe = store.subscribe?.(heard);
    await store.set('written-here');
    frame.contentWindow?.localStorage.removeItem('balena-token');
    await vi.waitFor(() => expect(heard).toHaveBeenCalledWith(undefined));
    expect(heard).toHaveBeenCalledTimes(1);
    unsubscribe?.();
    frame.remove();
  });

  it('reports the writes of another store in the same document (another client of this page)', async () => {
    const store = localStorageTokenStore();
    const heard = vi.fn();
    const unsubscribe = store.subscribe?.(heard);
    await localStorageTokenStore().set('written-by-another-client');
    await vi.waitFor(() => expect(heard).toHaveBeenCalledWith('written-by-another-client'));
    unsubscribe?.();
  });

  it('stops reporting after unsubscribe', async () => {
    const frame = await sameOriginFrame();
    const store = localStorageTokenStore();
    const heard = vi.fn();
    store.subscribe?.(heard)();
    frame.contentWindow?.localStorage.setItem('balena-token', 'unheard');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard).not.toHaveBeenCalled();
    frame.remove();
  });
});

/** An about:blank frame: another document with the same origin, and so the same localStorage. */
async function sameOriginFrame(): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  document.body.append(frame);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return frame;
}
