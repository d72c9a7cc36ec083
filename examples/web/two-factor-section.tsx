import { totpUri } from '@balena-auth/machine';
import { useAuth, useSession } from '@balena-auth/react';
import { useState } from 'react';
import { renderSVG } from 'uqr';
import { ActionForm, CodeField, field, PasswordField } from './action-form.tsx';
import { describeError } from './messages.ts';
import { useNotices } from './notices.tsx';
import { signedInEmail } from './session-email.ts';
import { useTwoFactorEnabled } from './use-two-factor-enabled.ts';

const ISSUER = 'balena-auth demo';

/**
 * Two-factor authentication of the signed-in user: whether it is on (read from the held token,
 * again whenever the token changes), setup (secret and QR code, then a first code to enable it),
 * and disable (with the password).
 */
export function TwoFactorSection() {
  const { auth } = useAuth();
  const session = useSession();
  const { say, complain } = useNotices();
  const enabled = useTwoFactorEnabled();
  const [secret, setSecret] = useState<string>();

  const email = signedInEmail(session);
  return (
    <section id="two-factor" aria-labelledby="two-factor-title">
      <h3 id="two-factor-title">Two-factor authentication</h3>
      <p id="two-factor-status">
        {enabled === undefined
          ? ''
          : enabled
            ? 'Two-factor authentication is on.'
            : 'Two-factor authentication is off.'}
      </p>
      {enabled === false && secret === undefined ? (
        <button
          type="button"
          id="setup-button"
          onClick={async () => {
            try {
              setSecret(await auth.twoFactor.getSetupKey());
              say('Add the secret to your authenticator app, then confirm it with a first code.');
            } catch (error) {
              complain(describeError(error, 'setup'));
            }
          }}
        >
          Set up two-factor authentication
        </button>
      ) : null}
      {enabled === false && secret !== undefined ? (
        <div id="setup">
          <p>Add this secret to your authenticator app, by scanning the QR code or typing it:</p>
          <p>
            <code id="setup-secret">{secret}</code>
          </p>
          <figure
            id="setup-qr"
            role="img"
            aria-label="QR code of the two-factor secret"
            // uqr draws the QR code of our own otpauth URI as SVG markup.
            // biome-ignore lint/security/noDangerouslySetInnerHtml: markup generated here, from the secret only
            dangerouslySetInnerHTML={{
              __html: renderSVG(totpUri({ secret, account: email, issuer: ISSUER })),
            }}
          />
          <ActionForm
            id="enable-form"
            title="Confirm with a first code"
            action="code"
            submit="Enable"
            run={async (data) => {
              await auth.twoFactor.enable(field(data, 'code'));
              setSecret(undefined);
              return 'Two-factor authentication is on. The next login will ask for a code.';
            }}
          >
            <CodeField id="enable-code" />
          </ActionForm>
        </div>
      ) : null}
      {enabled ? (
        <ActionForm
          id="disable-form"
          title="Turn two-factor authentication off"
          action="disable"
          submit="Turn off"
          hint="Your password confirms it."
          run={async (data) => {
            await auth.twoFactor.disable(field(data, 'password'));
            return 'Two-factor authentication is off.';
          }}
        >
          <PasswordField id="disable-password" />
        </ActionForm>
      ) : null}
    </section>
  );
}
