import { randomAlphanumeric, randomHex } from './random.ts';
import type { OutboxMessage } from './types.ts';

/** A user account as the emulator holds it. */
export interface UserRecord {
  id: number;
  actorId: number;
  email: string;
  username: string;
  password: string;
  /** Per-user secret carried in every session JWT; rotating it revokes all sessions. */
  jwtSecret: string;
  verified: boolean;
  /** Base32 TOTP secret once 2FA is enabled. */
  totpSecret?: string;
  /** Base32 secret handed out by `/auth/totp/setup`, waiting for its first code. */
  pendingTotpSecret?: string;
  /** The outstanding e-mail verification token (only the latest one is valid). */
  verificationToken?: string;
}

export interface DeviceRecord {
  id: number;
  actorId: number;
  uuid: string;
}

export interface ApplicationRecord {
  id: number;
  actorId: number;
  slug: string;
}

/** Whose API key it is. */
export type ApiKeyOwner =
  | { kind: 'user'; userId: number }
  | { kind: 'device'; deviceId: number }
  | { kind: 'application'; applicationId: number };

export interface ApiKeyRecord {
  id: number;
  key: string;
  owner: ApiKeyOwner;
  name: string | null;
  description: string | null;
  /** ms epoch; the key is rejected from then on. */
  expiresAt: number | null;
  createdAt: number;
}

/** Options for a new API key. */
export interface NewApiKey {
  name?: string | null;
  description?: string | null;
  expiresAt?: number | null;
}

/** Actor ids start here so they never collide with user, device or application ids in tests. */
const FIRST_ACTOR_ID = 1000;

/**
 * The data of one emulator instance: users, devices, applications, API keys and the outbox.
 * Every instance has its own maps and id sequences; nothing is shared between emulators.
 *
 * @example
 * ```ts
 * const store = new EmulatorStore(() => Date.now());
 * const user = store.addUser({ email: 'ada@example.com', password: 'pw', verified: true });
 * store.addApiKey({ kind: 'user', userId: user.id });
 * ```
 */
export class EmulatorStore {
  readonly #now: () => number;
  readonly #users = new Map<number, UserRecord>();
  readonly #devices = new Map<number, DeviceRecord>();
  readonly #applications = new Map<number, ApplicationRecord>();
  readonly #apiKeys = new Map<string, ApiKeyRecord>();
  readonly #outbox: OutboxMessage[] = [];
  #nextActorId = FIRST_ACTOR_ID;
  #nextUserId = 1;
  #nextDeviceId = 1;
  #nextApplicationId = 1;
  #nextApiKeyId = 1;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Add a user. Throws if the e-mail or the explicit username is taken. */
  addUser(input: { email: string; password: string; username?: string; verified: boolean }): UserRecord {
    if (this.findUserByEmail(input.email)) {
      throw new Error(`A user with the email ${input.email} already exists`);
    }
    if (input.username !== undefined && this.findUserByUsername(input.username)) {
      throw new Error(`A user with the username ${input.username} already exists`);
    }
    const user: UserRecord = {
      id: this.#nextUserId++,
      actorId: this.#nextActorId++,
      email: input.email,
      username: input.username ?? this.#freeUsername(input.email.split('@')[0] || 'user'),
      password: input.password,
      jwtSecret: randomAlphanumeric(32),
      verified: input.verified,
    };
    this.#users.set(user.id, user);
    return user;
  }

  findUserById(id: number): UserRecord | undefined {
    return this.#users.get(id);
  }

  findUserByEmail(email: string): UserRecord | undefined {
    const wanted = email.toLowerCase();
    for (const user of this.#users.values()) {
      if (user.email.toLowerCase() === wanted) return user;
    }
    return undefined;
  }

  findUserByUsername(username: string): UserRecord | undefined {
    const wanted = username.toLowerCase();
    for (const user of this.#users.values()) {
      if (user.username.toLowerCase() === wanted) return user;
    }
    return undefined;
  }

  /** The user a login name designates: an e-mail if it contains `@`, else a username; case-insensitive. */
  findUserByLogin(login: string): UserRecord | undefined {
    return login.includes('@') ? this.findUserByEmail(login) : this.findUserByUsername(login);
  }

  /** Like {@link findUserByEmail}, but throws a clear error for an unknown e-mail. */
  requireUserByEmail(email: string): UserRecord {
    const user = this.findUserByEmail(email);
    if (!user) throw new Error(`No emulator user has the email ${email}`);
    return user;
  }

  /** Give the user a new `jwt_secret`, which invalidates every session JWT issued before. */
  rotateJwtSecret(user: UserRecord): void {
    user.jwtSecret = randomAlphanumeric(32);
  }

  addDevice(): DeviceRecord {
    const device: DeviceRecord = {
      id: this.#nextDeviceId++,
      actorId: this.#nextActorId++,
      uuid: randomHex(32),
    };
    this.#devices.set(device.id, device);
    return device;
  }

  findDevice(id: number): DeviceRecord | undefined {
    return this.#devices.get(id);
  }

  addApplication(): ApplicationRecord {
    const id = this.#nextApplicationId++;
    const application: ApplicationRecord = { id, actorId: this.#nextActorId++, slug: `emulator/app-${id}` };
    this.#applications.set(application.id, application);
    return application;
  }

  findApplication(id: number): ApplicationRecord | undefined {
    return this.#applications.get(id);
  }

  addApiKey(owner: ApiKeyOwner, options: NewApiKey = {}): ApiKeyRecord {
    const record: ApiKeyRecord = {
      id: this.#nextApiKeyId++,
      key: randomAlphanumeric(32),
      owner,
      name: options.name ?? null,
      description: options.description ?? null,
      expiresAt: options.expiresAt ?? null,
      createdAt: this.#now(),
    };
    this.#apiKeys.set(record.key, record);
    return record;
  }

  /** The key record, or undefined if it does not exist or has expired. */
  findLiveApiKey(key: string): ApiKeyRecord | undefined {
    const record = this.#apiKeys.get(key);
    if (!record) return undefined;
    if (record.expiresAt !== null && record.expiresAt <= this.#now()) return undefined;
    return record;
  }

  findApiKeyById(id: number): ApiKeyRecord | undefined {
    for (const record of this.#apiKeys.values()) {
      if (record.id === id) return record;
    }
    return undefined;
  }

  listUserApiKeys(userId: number): ApiKeyRecord[] {
    return [...this.#apiKeys.values()].filter(
      (record) => record.owner.kind === 'user' && record.owner.userId === userId,
    );
  }

  deleteApiKey(record: ApiKeyRecord): void {
    this.#apiKeys.delete(record.key);
  }

  /** "Send" a verification e-mail: a fresh token replaces the user's previous one. */
  sendVerificationEmail(user: UserRecord): OutboxMessage {
    user.verificationToken = randomAlphanumeric(32);
    const message = { to: user.email, token: user.verificationToken };
    this.#outbox.push(message);
    return { ...message };
  }

  outbox(): OutboxMessage[] {
    return this.#outbox.map((message) => ({ ...message }));
  }

  #freeUsername(base: string): string {
    let candidate = base;
    for (let suffix = 2; this.findUserByUsername(candidate); suffix++) {
      candidate = `${base}${suffix}`;
    }
    return candidate;
  }
}
