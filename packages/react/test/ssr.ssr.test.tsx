import { createWebAuth } from '@balena-auth/adapter-web';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthProvider } from '../src/index.ts';
import { ChartValue, SessionBadge } from './components.tsx';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('server-side rendering with react-dom/server', () => {
  it('renders restoring where there is no window, even once the server-side client has read its store', async () => {
    expect(typeof window).toBe('undefined');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const client = createWebAuth({ apiUrl: 'http://127.0.0.1:9' }); // no localStorage here: memory
    try {
      const ui = (
        <AuthProvider client={client}>
          <SessionBadge />
          <ChartValue />
        </AuthProvider>
      );
      expect(renderToString(ui)).toContain('<p class="session">restoring</p>');
      await client.ready();
      expect(client.getSession().status).toBe('signedOut');
      const html = renderToString(ui);
      expect(html).toContain('<p class="session">restoring</p>');
      expect(html).toContain('&quot;session&quot;:&quot;anonymous&quot;'); // useAuthSelector reads the live chart
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      client.stop();
    }
  });

  it('a hook outside an AuthProvider throws an error that names the provider', () => {
    expect(() => renderToString(<SessionBadge />)).toThrow(
      'useAuth(), useSession() and useAuthSelector() need an <AuthProvider client={…}> above them',
    );
  });
});
