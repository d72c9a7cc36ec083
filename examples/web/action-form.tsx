import { type FormEvent, type ReactNode, useState } from 'react';
import { type Action, describeError } from './messages.ts';
import { useNotices } from './notices.tsx';

/** The value of a form field as a string ('' when absent). */
export const field = (data: FormData, name: string) => String(data.get(name) ?? '');

/**
 * A form whose submit runs `run` with the form's data, its fieldset disabled meanwhile, then says
 * what `run` returned, or the error's message for `action` (password and code fields are cleared
 * then). The fields are reset after a success.
 *
 * @example
 * <ActionForm id="login-form" title="Log in" action="login" run={async (data) => { await auth.login(…); return 'Logged in.'; }}>
 *   …inputs…
 * </ActionForm>
 */
export function ActionForm({
  id,
  title,
  action,
  run,
  submit,
  hint,
  children,
}: {
  id: string;
  title: string;
  action: Action;
  run: (data: FormData) => Promise<string | undefined>;
  submit: string;
  hint?: ReactNode;
  children: ReactNode;
}) {
  const { say, complain } = useNotices();
  const [busy, setBusy] = useState(false);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setBusy(true);
    try {
      const message = await run(new FormData(form));
      if (message) say(message);
      form.reset();
    } catch (error) {
      complain(describeError(error, action));
      for (const input of form.querySelectorAll<HTMLInputElement>('input[type="password"], [name="code"]'))
        input.value = '';
    } finally {
      setBusy(false);
    }
  }
  return (
    <form id={id} aria-labelledby={`${id}-title`} aria-busy={busy || undefined} onSubmit={onSubmit}>
      <h2 id={`${id}-title`}>{title}</h2>
      {hint ? <p className="hint">{hint}</p> : null}
      <fieldset disabled={busy}>
        {children}
        <button type="submit">{submit}</button>
      </fieldset>
    </form>
  );
}

/** A labelled input; `id` doubles as the label's `for`. */
export function Field({
  id,
  label,
  ...input
}: { id: string; label: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} />
    </>
  );
}

/** A 6-digit TOTP code input. */
export function CodeField({ id }: { id: string }) {
  return (
    <Field
      id={id}
      label="Code"
      name="code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      required
    />
  );
}

/** A password input named `password`. */
export function PasswordField({
  id,
  label = 'Password',
  autoComplete = 'current-password',
  minLength,
}: {
  id: string;
  label?: string;
  autoComplete?: 'current-password' | 'new-password';
  minLength?: number;
}) {
  return (
    <Field
      id={id}
      label={label}
      name="password"
      type="password"
      autoComplete={autoComplete}
      minLength={minLength}
      required
    />
  );
}

/** An e-mail input named `email`. */
export function EmailField({
  id,
  autoComplete = 'email',
  defaultValue,
}: {
  id: string;
  autoComplete?: 'email' | 'username';
  defaultValue?: string;
}) {
  return (
    <Field
      id={id}
      label="E-mail"
      name="email"
      type="email"
      autoComplete={autoComplete}
      defaultValue={defaultValue}
      required
    />
  );
}
