import * as v from 'valibot';
import { BalenaInvalidParameterError, BalenaRequestError } from './errors.ts';

const nonEmptyString = v.pipe(v.string(), v.minLength(1));

/** `{ email, password }` for `authenticate` and `login`. */
export const CredentialsSchema = v.object({ email: nonEmptyString, password: nonEmptyString });
/** `{ email, password, 'g-recaptcha-response'? }` for `register`; extra keys pass through as balena-sdk does. */
export const RegistrationSchema = v.looseObject({
  email: nonEmptyString,
  password: nonEmptyString,
  'g-recaptcha-response': v.optional(v.string()),
});
/** `{ email, token }` for `verifyEmail`. */
export const VerificationSchema = v.object({ email: nonEmptyString, token: nonEmptyString });
/** A token given to `loginWithToken`: non-empty, no whitespace inside. */
export const TokenSchema = v.pipe(v.string(), v.trim(), v.regex(/^\S+$/));
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
export const TokenResponseSchema = v.pipe(v.string(), v.trim(), v.regex(/^[\w-]+\.[\w-]+\.[\w-]*$/));
/** A TOTP setup key: a base32 secret, or an `otpauth://` URI. */
export const SetupKeyResponseSchema = v.pipe(
  v.string(),
  v.trim(),
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

/** Validates a server response before it is trusted; a mismatch is a `BalenaRequestError`. */
export function parseResponse<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  path: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  throw new BalenaRequestError(`Unexpected response from ${path}`, 200);
}
