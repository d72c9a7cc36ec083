import { BalenaSettingsPermissionError } from '@balena-auth/machine';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebAuth, localStorageTokenStore } from '../src/index.ts';
import { emulatorUrl, newUser } from './admin.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  localStorage.clear();
});

/**
 * The `localStorage` of a same-origin frame, which throws a SecurityError ("Access is denied for
 * this document") on every call once the frame is removed: storage that worked, and then throws.
 */
async function storageThatWillThrow(): Promise<{ storage: Storage; breakIt(): void }> {
  const frame = document.createElement('iframe');
  document.body.append(frame);
  await new Promise((resolve) => setTimeout(resolve, 0));
  const storage = (frame.contentWindow as Window).localStorage;
  return { storage, breakIt: () => frame.remove() };
}

/** Errors thrown into the page by event listeners, recorded until the test ends. */
function pageErrors(): unknown[] {
  const errors: unknown[] = [];
  const record = (event: ErrorEvent) => errors.push(event.error ?? event.message);
  window.addEventListener('error', record);
  cleanups.push(() => window.removeEventListener('error', record));
  return errors;
}

describe("the cross-tab listener when this tab's storage throws", () => {
  it('reports a change it cannot read as no token, and throws nothing into the page', async () => {
    const { storage, breakIt } = await storageThatWillThrow();
    const errors = pageErrors();
    storage.setItem('balena-token', 'held-before');
    const store = localStorageTokenStore(storage);
    const heard = vi.fn();
    const unsubscribe = store.subscribe?.(heard);
    cleanups.push(() => unsubscribe?.());
    breakIt();
    expect(() => storage.getItem('balena-token')).toThrow(/Access is denied/); // a SecurityError

    await localStorageTokenStore().set('written-by-another-client'); // announced on the channel
    await vi.waitFor(() => expect(heard).toHaveBeenCalledWith(undefined));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard).toHaveBeenCalledTimes(1);
    expect(errors).toEqual([]);
  });

  it('subscribes without throwing when the storage already throws', async () => {
    const { storage, breakIt } = await storageThatWillThrow();
    const store = localStorageTokenStore(storage);
    breakIt();
    const unsubscribe = store.subscribe?.(() => {});
    expect(unsubscribe).toBeTypeOf('function');
    unsubscribe?.();
  });

  it('signs the client out with BalenaSettingsPermissionError in context.error, instead of keeping a session it cannot read', async () => {
    const { storage, breakIt } = await storageThatWillThrow();
    const errors = pageErrors();
    const user = await newUser();
    const client = createWebAuth({ apiUrl: emulatorUrl, storage });
    cleanups.push(() => client.stop());
    await client.ready();
    await client.auth.login(user);
    breakIt();

    await localStorageTokenStore().remove(); // another client of the site logs out
    await vi.waitFor(() => expect(client.actor.getSnapshot().matches({ session: 'anonymous' })).toBe(true));
    const error = client.actor.getSnapshot().context.error;
    expect(error).toBeInstanceOf(BalenaSettingsPermissionError);
    expect((error as Error).message).toMatch(/browser denied access to localStorage/);
    expect(await client.auth.isLoggedIn()).toBe(false);
    expect(errors).toEqual([]);
  });
});
