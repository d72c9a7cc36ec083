export { startEmulator } from './emulator.ts';
export { DEMO_TWO_FACTOR_USER, DEMO_USER, seedDemoAccounts } from './seed.ts';
export type {
  CreatedUser,
  Emulator,
  EmulatorOptions,
  Fault,
  FaultControls,
  LoginRateLimit,
  NewUser,
  OutboxMessage,
  RequestRecord,
  SeededAccounts,
  SessionTokenClaims,
} from './types.ts';
