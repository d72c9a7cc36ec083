/**
 * The web demo: every auth flow of `@balena-auth/adapter-web` against the embedded emulator, with
 * the statechart's state and a redacted event log beside it. The views follow the machine's
 * top-level state; nothing is painted until `ready()` has read the stored session.
 */
import { createWebAuth } from '@balena-auth/adapter-web';
import type { AuthClient } from '@balena-auth/machine';
import { renderSVG } from 'uqr';
import type { InspectionEvent } from 'xstate';
import { createDevPanel } from './dev-panel.ts';
import { createEventLog, stateName } from './event-log.ts';
import { type Action, describeError } from './messages.ts';

type Inspector = { inspect: { next?: (event: InspectionEvent) => void }; stop(): void };

const element = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const apiUrl = element<HTMLMetaElement>('meta[name="balena-api-url"]').content;
const status = element<HTMLParagraphElement>('#status');
const alert = element<HTMLParagraphElement>('#alert');
const log = createEventLog(element('#event-log'), element('#state'));
const devPanel = createDevPanel({
  apiUrl,
  say: (message) => say(message),
  useVerification(email, token) {
    element<HTMLInputElement>('#verify-email').value = email;
    element<HTMLInputElement>('#verify-token').value = token;
    element<HTMLInputElement>('#verify-token').focus();
    say('The verification link filled in the form below: press Verify.');
  },
});

let client: AuthClient;
let inspector: Inspector | undefined;
let unsubscribe = () => {};

const say = (message: string) => {
  alert.textContent = '';
  status.textContent = message;
};
const complain = (message: string) => {
  status.textContent = '';
  alert.textContent = message;
};

const VIEWS: Record<string, string> = {
  anonymous: '#view-signed-out',
  authenticating: '#view-signed-out',
  awaitingTwoFactor: '#view-challenge',
  unverified: '#view-checking',
  authenticated: '#view-signed-in',
};

/** The state of the chart's session region, e.g. `unverified.pending`. */
const sessionOf = (value: unknown) => (value as { session: unknown }).session;

/** Shows the view of the machine's state. `restoring` keeps the current view: no flash. */
function render(value: unknown): void {
  const session = sessionOf(value);
  const top = typeof session === 'string' ? session : Object.keys(session as object)[0];
  if (top === 'restoring') return;
  const rejected = stateName(session) === 'unverified.rejected';
  const shown = rejected ? '#view-rejected' : VIEWS[top as string];
  for (const view of document.querySelectorAll<HTMLElement>('main > section'))
    view.hidden = `#${view.id}` !== shown;
}

/** (Re)creates the client, e.g. when the inspector is toggled, and paints once it is ready. */
async function startClient(): Promise<void> {
  unsubscribe();
  client?.stop();
  client = createWebAuth({
    apiUrl,
    inspect(event) {
      log.inspect(event);
      inspector?.inspect.next?.(event);
    },
  });
  let previous = stateName(sessionOf(client.actor.getSnapshot().value));
  log.showState(client.actor.getSnapshot().value);
  const subscription = client.actor.subscribe((snapshot) => {
    const current = stateName(sessionOf(snapshot.value));
    log.showState(snapshot.value);
    if (document.body.dataset.ready) render(snapshot.value);
    if (previous === 'restoring' && current === 'unverified.pending') void confirmSession();
    if (!previous.startsWith('authenticated') && current.startsWith('authenticated')) void showSession();
    previous = current;
  });
  unsubscribe = () => subscription.unsubscribe();
  await client.ready();
  document.body.dataset.ready = 'true';
  render(client.actor.getSnapshot().value);
  if (stateName(sessionOf(client.actor.getSnapshot().value)) === 'unverified.pending') void confirmSession();
}

/** A stored or shared session is not trusted until the server confirms it. */
async function confirmSession(): Promise<void> {
  try {
    await client.auth.whoami();
  } catch (error) {
    complain(describeError(error, 'whoami'));
  }
}

async function showSession(): Promise<void> {
  try {
    const user = await client.auth.getUserInfo();
    element('#signed-in-as').textContent = `Signed in as ${user.username} (${user.email ?? 'no e-mail'}).`;
    const enabled = await client.auth.twoFactor.isEnabled();
    element('#two-factor-status').textContent = enabled
      ? 'Two-factor authentication is on.'
      : 'Two-factor authentication is off.';
    element('#setup-button').hidden = enabled;
    if (enabled) element('#setup').hidden = true;
  } catch (error) {
    complain(describeError(error, 'whoami'));
  }
}

/** Runs a form's action with its fields disabled, then says how it went. */
function onSubmit(selector: string, action: Action, run: (data: FormData) => Promise<string | undefined>) {
  const form = element<HTMLFormElement>(selector);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const fieldset = form.querySelector('fieldset') as HTMLFieldSetElement;
    const data = new FormData(form);
    fieldset.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const message = await run(data);
      if (message) say(message);
      form.reset();
    } catch (error) {
      complain(describeError(error, action));
      for (const input of form.querySelectorAll<HTMLInputElement>('input[type="password"], [name="code"]'))
        input.value = '';
    } finally {
      fieldset.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
}

const field = (data: FormData, name: string) => String(data.get(name) ?? '');

onSubmit('#login-form', 'login', async (data) => {
  await client.auth.login({ email: field(data, 'email'), password: field(data, 'password') });
  if (!(await client.auth.twoFactor.isPassed()))
    return 'Password accepted. Now the code from your authenticator.';
  return 'Logged in.';
});
onSubmit('#register-form', 'register', async (data) => {
  const email = field(data, 'email');
  await client.auth.register({ email, password: field(data, 'password') });
  await devPanel.refreshOutbox();
  element<HTMLInputElement>('#verify-email').value = email;
  return `Registered ${email}. A verification e-mail is in the outbox (dev panel).`;
});
onSubmit('#verify-form', 'verify', async (data) => {
  await client.auth.verifyEmail({ email: field(data, 'email'), token: field(data, 'token') });
  element<HTMLInputElement>('#login-email').value = field(data, 'email');
  return 'E-mail verified. You can log in now.';
});
onSubmit('#challenge-form', 'code', async (data) => {
  await client.auth.twoFactor.challenge(field(data, 'code'));
  return 'Two-factor code accepted. Logged in.';
});
onSubmit('#enable-form', 'code', async (data) => {
  await client.auth.twoFactor.enable(field(data, 'code'));
  element('#setup').hidden = true;
  await showSession();
  return 'Two-factor authentication is on. The next login will ask for a code.';
});

element('#setup-button').addEventListener('click', async () => {
  try {
    const secret = await client.auth.twoFactor.getSetupKey();
    const { email } = await client.auth.getUserInfo();
    const label = encodeURIComponent(`balena-auth demo:${email ?? ''}`);
    const uri = `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent('balena-auth demo')}`;
    element('#setup-secret').textContent = secret;
    element('#setup-qr').innerHTML = renderSVG(uri);
    element('#setup').hidden = false;
    element('#setup-button').hidden = true;
    element<HTMLInputElement>('#enable-code').focus();
  } catch (error) {
    complain(describeError(error, 'setup'));
  }
});
element('#whoami-button').addEventListener('click', async () => {
  try {
    const actor = await client.auth.whoami();
    const result = element('#whoami-result');
    result.textContent = JSON.stringify(actor, null, 2);
    result.hidden = false;
  } catch (error) {
    complain(describeError(error, 'whoami'));
  }
});
for (const button of document.querySelectorAll('.logout'))
  button.addEventListener('click', async () => {
    await client.auth.logout();
    element('#whoami-result').hidden = true;
    element('#setup').hidden = true;
    say('Logged out.');
  });

const toggle = element<HTMLInputElement>('#inspector-toggle');
toggle.addEventListener('change', async () => {
  inspector?.stop();
  inspector = undefined;
  if (toggle.checked) {
    const { createBrowserInspector } = await import('@statelyai/inspect');
    const hosted = element<HTMLSelectElement>('#inspector-target').value === 'hosted';
    const url = hosted ? 'https://stately.ai/inspect' : new URL('/inspector.html', location.href).href;
    inspector = createBrowserInspector({ url });
  }
  await startClient();
  say(
    toggle.checked
      ? 'Inspector opened: the client restarted so that it sees the whole machine.'
      : 'Inspector closed.',
  );
});

void devPanel.refreshOutbox();
void startClient();
