import { useAuth } from '@balena-auth/react';
import { ActionForm, Field, field } from './action-form.tsx';
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
        <Field
          id="login-email"
          label="E-mail"
          name="email"
          type="email"
          autoComplete="username"
          defaultValue={prefill.loginEmail}
          required
        />
        <Field
          id="login-password"
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
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
        <Field id="register-email" label="E-mail" name="email" type="email" autoComplete="email" required />
        <Field
          id="register-password"
          label="Password (8 characters or more)"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={8}
          required
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
        <Field
          id="verify-email"
          label="E-mail"
          name="email"
          type="email"
          autoComplete="email"
          defaultValue={prefill.verifyEmail}
          required
        />
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
