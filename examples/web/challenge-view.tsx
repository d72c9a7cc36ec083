import { useAuth } from '@balena-auth/react';
import { ActionForm, CodeField, field } from './action-form.tsx';
import { LogoutButton } from './logout-button.tsx';

/** A session token that still needs the TOTP code: the challenge, or log out. */
export function ChallengeView() {
  const { auth } = useAuth();
  return (
    <section id="view-challenge">
      <ActionForm
        id="challenge-form"
        title="Two-factor authentication"
        action="code"
        submit="Continue"
        hint="Enter the 6-digit code from your authenticator app."
        run={async (data) => {
          await auth.twoFactor.challenge(field(data, 'code'));
          return 'Two-factor code accepted. Logged in.';
        }}
      >
        <CodeField id="challenge-code" />
      </ActionForm>
      <LogoutButton label="Cancel and log out" />
    </section>
  );
}
