import { useAuth, useSession } from '@balena-auth/react';
import { useState } from 'react';
import { LogoutButton } from './logout-button.tsx';
import { type Action, describeError } from './messages.ts';
import { useNotices } from './notices.tsx';
import { TwoFactorSection } from './two-factor-section.tsx';

/** Runs `run` from a button: the result goes to `show`, an error to the alert line. */
function useButtonAction() {
  const { say, complain } = useNotices();
  return (action: Action, run: () => Promise<string | undefined>) => async () => {
    try {
      const message = await run();
      if (message) say(message);
    } catch (error) {
      complain(describeError(error, action));
    }
  };
}

/** An API key as `GET /v7/api_key` lists it. */
interface ApiKey {
  id: number;
  name: string | null;
  created_at: string;
}

/**
 * A confirmed session: who is signed in, `auth.whoami()`, a `client.api` call to a route that
 * needs the session (`GET /v7/api_key`), the verification e-mail again, two-factor setup, enable
 * and disable, and logout.
 *
 * @example
 * <SignedInView onOutboxChanged={refreshOutbox} />
 */
export function SignedInView({ onOutboxChanged }: { onOutboxChanged(): void }) {
  const session = useSession();
  const { auth, api } = useAuth();
  const act = useButtonAction();
  const [whoami, setWhoami] = useState<string>();
  const [apiKeys, setApiKeys] = useState<string>();
  const user = session.status === 'signedIn' ? session.user : undefined;
  return (
    <section id="view-signed-in">
      <h2>Signed in</h2>
      <p id="signed-in-as">
        {user?.actorType === 'user'
          ? `Signed in as ${user.username} (${user.email ?? 'no e-mail'}).`
          : user
            ? `Signed in as a ${user.actorType}.`
            : 'Signed in; asking the server who you are…'}
      </p>
      <p className="actions">
        <button
          type="button"
          id="whoami-button"
          onClick={act('whoami', async () => {
            setWhoami(JSON.stringify(await auth.whoami(), null, 2));
            return undefined;
          })}
        >
          Who am I? (<code>auth.whoami()</code>)
        </button>
        <button
          type="button"
          id="api-button"
          onClick={act('api', async () => {
            const { d } = await api<{ d: ApiKey[] }>('/v7/api_key');
            setApiKeys(
              JSON.stringify(
                d.map(({ id, name, created_at }) => ({ id, name, created_at })),
                null,
                2,
              ),
            );
            return `client.api: GET /v7/api_key answered ${d.length} API key${d.length === 1 ? '' : 's'}.`;
          })}
        >
          My API keys (<code>client.api('/v7/api_key')</code>)
        </button>
        <button
          type="button"
          id="resend-button"
          onClick={act('resend', async () => {
            await auth.requestVerificationEmail();
            onOutboxChanged();
            return 'A new verification e-mail is in the outbox (dev panel).';
          })}
        >
          Send the verification e-mail again
        </button>
        <LogoutButton
          onDone={() => {
            setWhoami(undefined);
            setApiKeys(undefined);
          }}
        />
      </p>
      {whoami ? (
        <figure>
          <figcaption>
            <code>auth.whoami()</code> answered:
          </figcaption>
          <pre id="whoami-result">{whoami}</pre>
        </figure>
      ) : null}
      {apiKeys ? (
        <figure>
          <figcaption>
            <code>client.api('/v7/api_key')</code> answered (<code>d</code>, the API keys):
          </figcaption>
          <pre id="api-result">{apiKeys}</pre>
        </figure>
      ) : null}
      <TwoFactorSection />
    </section>
  );
}
