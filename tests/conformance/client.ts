/**
 * The client-agnostic surface the conformance suite drives.
 *
 * `AuthUnderTest` is the shape of balena-sdk's `sdk.auth` (its 19 methods). Any client that
 * claims to be a drop-in replacement provides a `ClientFactory`, and `describeAuthConformance`
 * runs the same cases against it.
 */

/** Email (or username) and password, as `authenticate` and `login` take them. */
export interface Credentials {
  email: string;
  password: string;
}

/** What `getUserInfo` resolves to: `id` is the user id, `actor` the actor id. */
export interface UserInfoUnderTest {
  id: number;
  actor: number;
  email: string | null;
  username: string;
}

/** The two-factor part of the auth namespace (`sdk.auth.twoFactor`). */
export interface TwoFactorUnderTest {
  isEnabled(): Promise<boolean>;
  isPassed(): Promise<boolean>;
  verify(code: string): Promise<string>;
  getSetupKey(): Promise<string>;
  enable(code: string): Promise<string>;
  challenge(code: string): Promise<void>;
  disable(password: string): Promise<string>;
}

/** The shape of balena-sdk's `sdk.auth`. */
export interface AuthUnderTest {
  authenticate(credentials: Credentials): Promise<string>;
  login(credentials: Credentials): Promise<void>;
  loginWithToken(token: string): Promise<void>;
  logout(): Promise<void>;
  isLoggedIn(): Promise<boolean>;
  // biome-ignore lint/suspicious/noExplicitAny: the actor shape is asserted by the cases, not by the type
  whoami(): Promise<any>;
  getActorId(): Promise<number>;
  getUserInfo(): Promise<UserInfoUnderTest>;
  getToken(): Promise<string>;
  register(credentials: {
    email: string;
    password: string;
    'g-recaptcha-response'?: string;
  }): Promise<string>;
  verifyEmail(payload: { email: string; token: string }): Promise<string>;
  requestVerificationEmail(): Promise<void>;
  twoFactor: TwoFactorUnderTest;
}

/** One client instance under test, plus its teardown. */
export interface ClientUnderTest {
  auth: AuthUnderTest;
  /** Releases the client and removes any temporary data directory the factory made for it. */
  dispose(): Promise<void>;
}

export interface ClientOptions {
  apiUrl: string;
  /**
   * Where the client keeps its login.
   * - a path: use that directory (the case owns it and removes it);
   * - `false`: keep the login in memory only;
   * - omitted: the factory makes a fresh temporary directory and removes it in `dispose()`.
   */
  dataDirectory?: string | false;
}

/** Builds clients of one implementation for the conformance suite. */
export interface ClientFactory {
  /** Shown in the suite's name, e.g. `balena-sdk`. */
  name: string;
  create(options: ClientOptions): Promise<ClientUnderTest>;
}
