/** One verification e-mail the emulator "sent". */
export interface OutboxMail {
  to: string;
  token: string;
}

/** A fault the emulator's admin route queues for the next request to `path`. */
export interface QueuedFault {
  path: string;
  fault: Record<string, unknown>;
}

/**
 * The emulator's admin routes (`/__emulator/…`) as the dev panel uses them. They answer only the
 * demo page's origin, so another site open in the browser cannot read the outbox or the codes.
 *
 * @example
 * const admin = emulatorAdmin(apiUrl);
 * const { code } = await admin.totp('ada@example.com');
 */
export function emulatorAdmin(apiUrl: string) {
  const call = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${apiUrl}/__emulator/${path}`, init);
    if (!response.ok) throw new Error(`The emulator answered ${response.status} to /__emulator/${path}`);
    return (await response.json()) as T;
  };
  const post = <T>(path: string, body: unknown) =>
    call<T>(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return {
    outbox: () => call<OutboxMail[]>('outbox'),
    totp: (email: string) => call<{ code: string }>(`totp?email=${encodeURIComponent(email)}`),
    queueFault: (fault: QueuedFault) => post('faults', fault),
    revokeSessions: (email: string) => post('revoke-sessions', { email }),
  };
}

/** What `emulatorAdmin` returns. */
export type EmulatorAdmin = ReturnType<typeof emulatorAdmin>;
