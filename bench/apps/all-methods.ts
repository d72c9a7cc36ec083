import type { BalenaSDK } from 'balena-sdk';

/**
 * What the bundle-size apps do with the client they are given: call each of the 19 auth methods
 * once, so that no method can be left out of a bundle. The same code for both apps.
 */
export async function useEveryAuthMethod(auth: BalenaSDK['auth'], form: { email: string; password: string }) {
  const results: unknown[] = [];
  results.push(await auth.authenticate(form));
  results.push(await auth.register({ ...form, 'g-recaptcha-response': 'x' }));
  results.push(await auth.verifyEmail({ email: form.email, token: 'x' }));
  await auth.login(form);
  if (!(await auth.twoFactor.isPassed())) await auth.twoFactor.challenge('123456');
  results.push(await auth.twoFactor.isEnabled());
  results.push(await auth.twoFactor.verify('123456'));
  results.push(await auth.twoFactor.getSetupKey());
  results.push(await auth.twoFactor.enable('123456'));
  results.push(await auth.twoFactor.disable(form.password));
  results.push(await auth.isLoggedIn());
  results.push(await auth.whoami());
  results.push(await auth.getActorId());
  results.push(await auth.getUserInfo());
  await auth.requestVerificationEmail();
  await auth.loginWithToken(await auth.getToken());
  await auth.logout();
  return results;
}
