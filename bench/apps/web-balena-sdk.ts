/** The bundle-size app on balena-sdk: getSdk, then every auth method. */
import { getSdk } from 'balena-sdk';
import { useEveryAuthMethod } from './all-methods.ts';

const { auth } = getSdk({ apiUrl: 'https://api.balena-cloud.com' });
document.querySelector('form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(event.target as HTMLFormElement);
  void useEveryAuthMethod(auth, { email: String(data.get('email')), password: String(data.get('password')) });
});
