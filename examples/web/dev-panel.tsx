import { useSession } from '@balena-auth/react';
import { useCallback, useEffect, useState } from 'react';
import type { EmulatorAdmin, OutboxMail } from './emulator-admin.ts';
import { useNotices } from './notices.tsx';
import { signedInEmail } from './session-email.ts';
import { useTwoFactorEnabled } from './use-two-factor-enabled.ts';

/** A TOTP step: codes change every 30 seconds. */
const STEP_MS = 30_000;

/**
 * The outbox of verification e-mails, newest first. `version` changes when the page knows a new
 * mail was sent (register, resend), which refreshes the list.
 */
function Outbox({
  admin,
  version,
  onOpen,
}: {
  admin: EmulatorAdmin;
  version: number;
  onOpen(mail: OutboxMail): void;
}) {
  const [mails, setMails] = useState<OutboxMail[]>();
  const refresh = useCallback(() => {
    admin.outbox().then(setMails, () => setMails([]));
  }, [admin]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the signal to read again
  useEffect(refresh, [refresh, version]);
  return (
    <>
      <h3>Outbox</h3>
      <p className="hint">The verification e-mails the emulator "sent".</p>
      <ul id="outbox">
        {mails?.length === 0 ? <li className="empty">No e-mail yet.</li> : null}
        {mails?.toReversed().map((mail) => (
          <li key={`${mail.to} ${mail.token}`}>
            To {mail.to}: "Confirm your e-mail address"{' '}
            <button type="button" onClick={() => onOpen(mail)}>
              Open the verification link
            </button>
          </li>
        ))}
      </ul>
      <button type="button" id="outbox-refresh" onClick={refresh}>
        Refresh the outbox
      </button>
    </>
  );
}

/**
 * The current TOTP code of a user, from the emulator. The e-mail is the signed-in user's (or the
 * last login's, while the challenge waits) unless typed; while that user has two-factor
 * authentication on, or after "Ask the emulator", the code is read again at every 30-second step
 * (until the emulator has no code for the address).
 */
function CurrentCode({ admin, lastLoginEmail }: { admin: EmulatorAdmin; lastLoginEmail: string }) {
  const session = useSession();
  const twoFactorOn = useTwoFactorEnabled();
  const userEmail = signedInEmail(session);
  const followed =
    session.status === 'twoFactorRequired' ? lastLoginEmail : twoFactorOn && userEmail ? userEmail : '';
  const [email, setEmail] = useState('');
  // Each ask is new, also for the same address: the effect below reads the code again.
  const [asked, setAsked] = useState({ email: '', manual: false, times: 0 });
  const [answer, setAnswer] = useState('');
  const [secondsLeft, setSecondsLeft] = useState(0);

  useEffect(() => {
    if (followed || userEmail) setEmail(followed || userEmail);
    if (followed) setAsked((previous) => ({ email: followed, manual: false, times: previous.times + 1 }));
  }, [followed, userEmail]);

  const reading = asked.email !== '' && (asked.manual || asked.email === followed);
  useEffect(() => {
    if (!reading) {
      setAnswer(''); // e.g. two-factor authentication was turned off: that code is no longer true
      return;
    }
    const address = asked.email;
    let current = true;
    let step = Math.floor(Date.now() / STEP_MS);
    const read = () =>
      admin.totp(address).then(
        ({ code }) => current && setAnswer(`Current code of ${address}: ${code}`),
        () => {
          if (current) setAnswer(`${address} has no TOTP secret yet.`);
          clearInterval(timer);
        },
      );
    const timer = setInterval(() => {
      setSecondsLeft(Math.ceil((STEP_MS - (Date.now() % STEP_MS)) / 1000));
      const now = Math.floor(Date.now() / STEP_MS);
      if (now !== step) {
        step = now;
        void read();
      }
    }, 1000);
    void read();
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [admin, asked, reading]);

  return (
    <>
      <h3>Current TOTP code</h3>
      <form
        id="totp-form"
        onSubmit={(event) => {
          event.preventDefault();
          setAnswer('');
          setAsked((previous) => ({ email, manual: true, times: previous.times + 1 }));
        }}
      >
        <fieldset>
          <label htmlFor="totp-email">E-mail</label>
          <input
            id="totp-email"
            name="email"
            type="email"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            required
          />
          <button type="submit">Ask the emulator</button>
        </fieldset>
      </form>
      <p>
        <output id="totp-code">{answer}</output>
        {answer.startsWith('Current code') && secondsLeft > 0 ? (
          <small className="hint"> (next code in {secondsLeft} s)</small>
        ) : null}
      </p>
    </>
  );
}

/** Buttons that make the emulator misbehave once, to show how the client and the chart react. */
function Faults({ admin }: { admin: EmulatorAdmin }) {
  const session = useSession();
  const { say, complain } = useNotices();
  const email = signedInEmail(session);
  const run = (message: string, action: () => Promise<unknown>) => async () => {
    try {
      await action();
      say(message);
    } catch (error) {
      complain(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <>
      <h3>Faults</h3>
      <p className="actions">
        <button
          type="button"
          id="rate-limit-button"
          onClick={run('The emulator will answer the next login with 429 Too Many Requests.', () =>
            admin.queueFault({ path: '/login_', fault: { kind: 'rateLimit', retryAfterSeconds: 60 } }),
          )}
        >
          Answer the next login with 429
        </button>
        <button
          type="button"
          id="unavailable-button"
          onClick={run(
            'The emulator will answer the next whoami with 503: the chart goes to ready.stale.',
            () => admin.queueFault({ path: '/actor/v1/whoami', fault: { kind: 'status', status: 503 } }),
          )}
        >
          Answer the next whoami with 503
        </button>
        {email ? (
          <button
            type="button"
            id="revoke-button"
            onClick={run(`The emulator revoked every session of ${email}: the next request is refused.`, () =>
              admin.revokeSessions(email),
            )}
          >
            Revoke my sessions on the server
          </button>
        ) : null}
      </p>
    </>
  );
}

/**
 * The dev tools of the emulator: outbox, current TOTP code, faults.
 *
 * @example
 * <DevTools admin={admin} outboxVersion={n} lastLoginEmail={email} onOpenMail={fillVerifyForm} />
 */
export function DevTools({
  admin,
  outboxVersion,
  lastLoginEmail,
  onOpenMail,
}: {
  admin: EmulatorAdmin;
  outboxVersion: number;
  lastLoginEmail: string;
  onOpenMail(mail: OutboxMail): void;
}) {
  return (
    <section id="dev-tools" aria-labelledby="dev-title">
      <h2 id="dev-title">Dev tools (emulator)</h2>
      <Outbox admin={admin} version={outboxVersion} onOpen={onOpenMail} />
      <CurrentCode admin={admin} lastLoginEmail={lastLoginEmail} />
      <Faults admin={admin} />
    </section>
  );
}
