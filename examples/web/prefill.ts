/**
 * What one step of the demo fills into the forms of the next: the verification link opened from
 * the outbox, the address just registered or verified. `version` changes with every fill, so the
 * forms start again from these values.
 */
export interface Prefill {
  version: number;
  loginEmail: string;
  verifyEmail: string;
  verifyToken: string;
}

/** No prefill yet. */
export const NO_PREFILL: Prefill = { version: 0, loginEmail: '', verifyEmail: '', verifyToken: '' };
