/** The bundle-size app on @balena-auth/adapter-web: createWebAuth, then every auth method. */
import { createWebAuth } from '@balena-auth/adapter-web';
import { useEveryAuthMethod } from './all-methods.ts';

const { auth, ready } = createWebAuth({ apiUrl: 'https://api.balena-cloud.com' });
await ready();
document.querySelector('form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(event.target as HTMLFormElement);
  void useEveryAuthMethod(auth, { email: String(data.get('email')), password: String(data.get('password')) });
});
