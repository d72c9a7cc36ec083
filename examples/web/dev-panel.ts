/**
 * The developer panel's emulator tools, through the emulator's admin routes (`/__emulator/…`):
 * the outbox of verification e-mails, the current TOTP code of a user, and a 429 for the next login.
 */
export interface DevPanelOptions {
  /** The emulator's URL (the demo's `apiUrl`). */
  apiUrl: string;
  /** Called when the user picks an e-mail from the outbox. */
  useVerification(email: string, token: string): void;
  /** Where to say what a tool did. */
  say(message: string): void;
}

/**
 * Wires the dev panel's emulator tools.
 *
 * @example
 * const panel = createDevPanel({ apiUrl, useVerification: fillVerifyForm, say: showStatus });
 * await panel.refreshOutbox();
 */
export function createDevPanel({ apiUrl, useVerification, say }: DevPanelOptions) {
  const admin = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${apiUrl}/__emulator/${path}`, init);
    if (!response.ok) throw new Error(`The emulator answered ${response.status} to /__emulator/${path}`);
    return (await response.json()) as T;
  };
  const element = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
  const outbox = element<HTMLUListElement>('#outbox');

  async function refreshOutbox(): Promise<void> {
    const mails = await admin<{ to: string; token: string }[]>('outbox');
    outbox.replaceChildren(
      ...mails.toReversed().map(({ to, token }) => {
        const item = document.createElement('li');
        const use = document.createElement('button');
        use.type = 'button';
        use.textContent = 'Open the verification link';
        use.addEventListener('click', () => useVerification(to, token));
        item.append(`To ${to}: "Confirm your e-mail address" `, use);
        return item;
      }),
    );
    if (mails.length === 0) outbox.textContent = 'No e-mail yet.';
  }

  element('#outbox-refresh').addEventListener('click', () => void refreshOutbox());
  element<HTMLFormElement>('#totp-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = new FormData(event.target as HTMLFormElement).get('email') as string;
    const output = element<HTMLOutputElement>('#totp-code');
    try {
      const { code } = await admin<{ code: string }>(`totp?email=${encodeURIComponent(email)}`);
      output.value = `Current code of ${email}: ${code}`;
    } catch {
      output.value = `${email} has no TOTP secret yet.`;
    }
  });
  element('#rate-limit-button').addEventListener('click', async () => {
    await admin('faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/login_', fault: { kind: 'rateLimit', retryAfterSeconds: 60 } }),
    });
    say('The emulator will answer the next login with 429 Too Many Requests.');
  });

  return { refreshOutbox };
}
