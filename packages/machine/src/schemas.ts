import * as v from 'valibot';
import { BalenaInvalidParameterError, BalenaRequestError } from './errors.ts';

/** The longest argument string accepted (an e-mail address, a password, a code). */
export const MAX_ARGUMENT_LENGTH = 4096;
/** The longest credential (session JWT or API key) accepted from a caller, a store or the server. */
export const MAX_CREDENTIAL_LENGTH = 8192;

/** Visible ASCII, no space: what an `Authorization` header can carry unchanged. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * True when `credential` can be sent as `Authorization: Bearer <credential>`: 1 to 8192 visible
 * ASCII characters (no space, control character, or anything beyond ASCII).
 *
 * @example
 * isHeaderSafeCredential('eyJhbGciOi…'); // true
 * isHeaderSafeCredential('tok\u0000en'); // false
 */
export function isHeaderSafeCredential(credential: string): boolean {
  return credential.length <= MAX_CREDENTIAL_LENGTH && HEADER_SAFE.test(credential);
}

const nonEmptyString = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ARGUMENT_LENGTH));
/** A value `register` passes through to the server as is: JSON without nesting. */
const isPassThroughValue = (value: unknown) =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value);

/** `{ email, password }` for `authenticate` and `login`. */
export const CredentialsSchema = v.object({ email: nonEmptyString, password: nonEmptyString });
/**
 * `{ email, password, 'g-recaptcha-response'? }` for `register`; extra keys with string, number,
 * boolean or null values pass through, as balena-sdk passes them.
 */
export const RegistrationSchema = v.pipe(
  v.looseObject({
    email: nonEmptyString,
    password: nonEmptyString,
    'g-recaptcha-response': v.optional(v.string()),
  }),
  v.check((credentials) => Object.values(credentials).every(isPassThroughValue)),
);
/** `{ email, token }` for `verifyEmail`. */
export const VerificationSchema = v.object({ email: nonEmptyString, token: nonEmptyString });
/** A token given to `loginWithToken`: trimmed, then header-safe (see `isHeaderSafeCredential`). */
export const TokenSchema = v.pipe(v.string(), v.trim(), v.check(isHeaderSafeCredential));
/** A TOTP code or a password for the twoFactor methods. */
export const SecretSchema = nonEmptyString;

/** The actor from `GET /actor/v1/whoami`, one shape per actor type. */
export const WhoamiSchema = v.variant('actorType', [
  v.object({
    id: v.number(),
    actorType: v.literal('user'),
    actorTypeId: v.number(),
    username: v.string(),
    email: v.nullable(v.string()),
  }),
  v.object({
    id: v.number(),
    actorType: v.literal('application'),
    actorTypeId: v.number(),
    slug: v.string(),
  }),
  v.object({ id: v.number(), actorType: v.literal('device'), actorTypeId: v.number(), uuid: v.string() }),
]);
export type WhoamiResult = v.InferOutput<typeof WhoamiSchema>;

/** A session token in a response body (`/login_`, refresh, TOTP, register, verify-email): JWT-shaped. */
export const TokenResponseSchema = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(MAX_CREDENTIAL_LENGTH),
  v.regex(/^[\w-]+\.[\w-]+\.[\w-]*$/),
);
/** A TOTP setup key: a base32 secret, or an `otpauth://` URI. */
export const SetupKeyResponseSchema = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(MAX_ARGUMENT_LENGTH),
  v.regex(/^(?:[A-Z2-7]+=*|otpauth:\/\/\S+)$/i),
);

/**
 * Validates a caller's argument. The error names the parameter (for objects, the first bad key) and
 * never echoes a secret.
 */
export function parseInput<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  name: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const key = result.issues[0]?.path?.[0]?.key;
  const parameter = typeof key === 'string' ? `${name}.${key}` : name;
  throw new BalenaInvalidParameterError(
    parameter,
    typeof key === 'string' ? (value as Record<string, unknown>)[key] : value,
  );
}

/**
 * Validates a server response before it is trusted; a mismatch is a `BalenaRequestError` with the
 * response's real `status`.
 *
 * @example
 * const token = parseResponse(TokenResponseSchema, body, '/login_', response.status);
 */
export function parseResponse<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  path: string,
  status: number,
): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  throw new BalenaRequestError(`Unexpected response from ${path}`, status);
}
