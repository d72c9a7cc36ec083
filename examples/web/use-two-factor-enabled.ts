import { useAuth, useAuthSelector } from '@balena-auth/react';
import { useEffect, useState } from 'react';

/**
 * Whether the held session has two-factor authentication on (`auth.twoFactor.isEnabled()`, read
 * from the token), asked again whenever the token changes; undefined until known or without one.
 *
 * @example
 * const enabled = useTwoFactorEnabled();
 */
export function useTwoFactorEnabled(): boolean | undefined {
  const { auth } = useAuth();
  const claims = useAuthSelector((snapshot) => snapshot.context.claims);
  const [enabled, setEnabled] = useState<boolean>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `claims` changes with the token, which is what isEnabled() reads
  useEffect(() => {
    let current = true;
    auth.twoFactor.isEnabled().then(
      (answer) => current && setEnabled(answer),
      () => current && setEnabled(undefined),
    );
    return () => {
      current = false;
    };
  }, [auth, claims]);
  return enabled;
}
