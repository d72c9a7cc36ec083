import { excerpt } from './error-text.ts';

/**
 * The balena-errors set, with the same class names, `code`s and messages as balena-sdk, so code
 * that checks `error.code === 'BalenaNotLoggedIn'` keeps working. Unlike balena-errors, no secret
 * is ever an enumerable field: `token` is a non-enumerable, redacted getter.
 */
export class BalenaError extends Error {
  /** Equal to the class name, as in balena-errors. */
  readonly code: string;
  readonly exitCode = 1;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    this.code = new.target.name;
  }
}

/** Not a secret-bearing field: attaches the offending token without making it enumerable. */
function hideToken(error: BalenaError, token: string | undefined): void {
  Object.defineProperty(error, 'token', { value: token, enumerable: false });
}

/** `POST /login_` answered 401. */
export class BalenaInvalidLoginCredentials extends BalenaError {
  constructor() {
    super('Invalid login credentials');
  }
}

/** No credential is held, or the server rejected it (whoami 401). */
export class BalenaNotLoggedIn extends BalenaError {
  constructor(message = 'You have to log in') {
    super(message);
  }
}

/** A stored value that is not a usable token. `.token` is non-enumerable. */
export class BalenaMalformedToken extends BalenaError {
  declare readonly token?: string;
  constructor(token?: string) {
    super('Malformed token');
    hideToken(this, token);
  }
}

/** A session JWT past its `exp`. `.token` is non-enumerable. */
export class BalenaExpiredToken extends BalenaError {
  declare readonly token?: string;
  constructor(token?: string) {
    super('The token expired');
    hideToken(this, token);
  }
}

/** `POST /login_` answered 429. */
export class BalenaTooManyRequests extends BalenaError {
  constructor(readonly nextValidRequestDate?: Date) {
    super(
      `Too Many Requests. Try again ${nextValidRequestDate ? `on ${nextValidRequestDate.toString()}` : 'later'}`,
    );
  }
}

/**
 * Any HTTP status >= 400 (or a response that failed validation), with the server's text as `body`.
 * The message quotes at most a short printable line of it (`Request error: <text>`, as
 * balena-request words it); the client has already replaced any secret the request carried.
 */
export class BalenaRequestError extends BalenaError {
  constructor(
    readonly body: string,
    readonly statusCode: number,
    readonly requestOptions?: { method: string; url: string },
    readonly responseHeaders?: Record<string, string>,
  ) {
    super(`Request error: ${excerpt(body)}`);
  }
}

/**
 * The server refused a TOTP code (401 on `twoFactor.verify`, `challenge` or `enable`): it is wrong,
 * or its 30-second window has passed. Still a `BalenaRequestError` with `statusCode` 401 and `code`
 * `'BalenaRequestError'`, so code written for balena-sdk keeps working; ask for a new code.
 *
 * @example
 * auth.twoFactor.challenge(code).catch((e) => {
 *   if (e instanceof BalenaInvalidTotpCode) askForTheCodeAgain();
 * });
 */
export class BalenaInvalidTotpCode extends BalenaRequestError {
  override readonly code = 'BalenaRequestError';
  constructor(body: string, requestOptions?: { method: string; url: string }) {
    super(body, 401, requestOptions);
    this.message = 'The two-factor authentication code is wrong or has expired: enter the current code';
  }
}

/**
 * `client.api` was asked for a URL on another origin than `apiUrl`'s: nothing was sent, so the
 * credential never left the API's origin.
 *
 * @example
 * client.api('https://example.com/x').catch((e) => e instanceof BalenaForeignOriginError);
 */
export class BalenaForeignOriginError extends BalenaError {
  constructor(
    readonly origin: string,
    apiOrigin: string,
  ) {
    super(`Refused a request to ${origin}: client.api only sends requests to ${apiOrigin}`);
  }
}

/**
 * The server answered with a redirect the client does not follow: to another origin than
 * `apiUrl`'s, an opaque one (a browser with `redirect: 'manual'` hides its target; `statusCode` 0),
 * or too many in a row. Nothing was sent to the redirect's target.
 *
 * @example
 * auth.login(credentials).catch((e) => e instanceof BalenaRedirectError && console.error(e.message));
 */
export class BalenaRedirectError extends BalenaRequestError {}

/**
 * The response body was larger than the client reads (`MAX_RESPONSE_BYTES`, 1 MiB): reading
 * stopped there and the connection was dropped. `body` is empty.
 *
 * @example
 * auth.whoami().catch((e) => e instanceof BalenaResponseTooLarge && console.error(e.statusCode));
 */
export class BalenaResponseTooLarge extends BalenaRequestError {}

/** The token store could not be read or written for lack of permission. */
export class BalenaSettingsPermissionError extends BalenaError {
  constructor(message: string) {
    super(message);
  }
}

/**
 * The token store failed without an `Error` of its own: it threw or rejected with something else
 * (a string, `undefined`, a plain object), or its `exclusive` settled without running the task.
 * The value it threw is not kept, so nothing it held can leak through the error.
 *
 * @example
 * auth.login(credentials).catch((e) => e instanceof BalenaTokenStoreError && console.error(e.message));
 */
export class BalenaTokenStoreError extends BalenaError {
  constructor(
    /** The store method that failed: `get`, `set`, `remove`, `exclusive` or `subscribe`. */
    readonly operation: string,
    reason: string,
  ) {
    super(`The token store's ${operation}() failed: ${reason}`);
  }
}

/** An argument failed validation; nothing was sent. Secret values are never echoed. */
export class BalenaInvalidParameterError extends BalenaError {
  constructor(
    readonly parameterName: string,
    value: unknown,
  ) {
    super(
      `Invalid parameter: ${describeValue(parameterName, value)} is not a valid value for parameter '${parameterName}'`,
    );
  }
}

const secretParameters = /password|token|code|credential|secret|payload|recaptcha|key/i;

function describeValue(name: string, value: unknown): string {
  if (typeof value === 'string' && !secretParameters.test(name))
    return JSON.stringify(value.length > 100 ? `${value.slice(0, 99)}…` : value);
  if (typeof value === 'string') return value === '' ? '""' : 'a string (redacted)';
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** A network failure or a timeout: nothing was stored or deleted because of it. */
export class BalenaNetworkError extends BalenaError {
  constructor(message: string) {
    super(message);
  }
}
