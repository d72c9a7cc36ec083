import type { AuthClient } from '@balena-auth/machine';
import { createElement, type ReactNode } from 'react';
import { AuthContext } from './auth-context.ts';

/** The props of {@link AuthProvider}. */
export interface AuthProviderProps {
  /**
   * The client to share, from `createWebAuth()` (or `createAuth()`, `createNodeAuth()`). Create it
   * once, outside the component tree (module scope, or the code that mounts the app), so that React
   * re-rendering, StrictMode or a remount never makes a second one. The provider never starts or
   * stops it: `client.stop()` is the owner's to call.
   *
   * @example
   * const client = createWebAuth({ apiUrl: 'https://api.balena-cloud.com' });
   * createRoot(element).render(<AuthProvider client={client}><App /></AuthProvider>);
   */
  client: AuthClient;
  children?: ReactNode;
}

/**
 * Makes an auth client available to `useAuth()`, `useSession()` and `useAuthSelector()` below it.
 * It only passes the client down: it subscribes to nothing itself, and the hooks subscribe while
 * their component is mounted (so an unmounted tree, in StrictMode too, leaves no listener behind).
 *
 * @example
 * import { createWebAuth } from '@balena-auth/adapter-web';
 * import { AuthProvider } from '@balena-auth/react';
 *
 * const client = createWebAuth();
 * createRoot(document.querySelector('#app')!).render(
 *   <AuthProvider client={client}>
 *     <App />
 *   </AuthProvider>,
 * );
 */
export function AuthProvider({ client, children }: AuthProviderProps) {
  return createElement(AuthContext.Provider, { value: client }, children);
}
