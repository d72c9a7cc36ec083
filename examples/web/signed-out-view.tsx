import { useAuth } from '@balena-auth/react';
import { ActionForm, EmailField, Field, field, PasswordField } from './action-form.tsx';
import type { Prefill } from './prefill.ts';

/**
 * No session: log in, register, and verify an e-mail address. `prefill` fills the forms from the
 * other steps (the outbox's verification link, the address just registered or verified).
 *
 * @example
 * <SignedOutView prefill={prefill} onRegistered={…} onVerified={…} onLogin={…} />
 */
export function SignedOutView({
  prefill,
  onRegistered,
  onVerified,
  onLogin,
}: {
  prefill: Prefill;
  onRegistered(email: string): void;
  onVerified(email: string): void;
  onLogin(email: string): void;
}) {
  const { auth } = useAuth();
  return (
    <section id="view-signed-out">
      <ActionForm
        key={`login-${prefill.version}`}
        id="login-form"
        title="Log in"
        action="login"
        submit="Log in"
        run={async (data) => {
          const email = field(data, 'email');
          onLogin(email);
          await auth.login({ email, password: field(data, 'password') });
          if (!(await auth.twoFactor.isPassed()))
            return 'Password accepted. Now the code from your authenticator.';
          return 'Logged in.';
        }}
      >
        <EmailField id="login-email" autoComplete="username" defaultValue={prefill.loginEmail} />
        <PasswordField id="login-password" />
      </ActionForm>
      <ActionForm
        id="register-form"
        title="Register"
        action="register"
        submit="Register"
        run={async (data) => {
          const email = field(data, 'email');
          await auth.register({ email, password: field(data, 'password') });
          onRegistered(email);
          return `Registered ${email}. A verification e-mail is in the outbox (dev panel).`;
        }}
      >
        <EmailField id="register-email" />
        <PasswordField
          id="register-password"
          label="Password (8 characters or more)"
          autoComplete="new-password"
          minLength={8}
        />
      </ActionForm>
      <ActionForm
        key={`verify-${prefill.version}`}
        id="verify-form"
        title="Verify your e-mail"
        action="verify"
        submit="Verify"
        hint="Paste the token from the verification e-mail, or use the link in the dev panel's outbox."
        run={async (data) => {
          const email = field(data, 'email');
          await auth.verifyEmail({ email, token: field(data, 'token') });
          onVerified(email);
          return 'E-mail verified. You can log in now.';
        }}
      >
        <EmailField id="verify-email" defaultValue={prefill.verifyEmail} />
        <Field
          id="verify-token"
          label="Verification token"
          name="token"
          autoComplete="off"
          defaultValue={prefill.verifyToken}
          autoFocus={prefill.verifyToken !== ''}
          required
        />
      </ActionForm>
    </section>
  );
}
