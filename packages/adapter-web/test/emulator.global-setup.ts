import { startEmulator } from '@balena-auth/emulator';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorUrl: string;
  }
}

/** One emulator on 127.0.0.1 for the browser tests, which reach it through `inject('emulatorUrl')`. */
export default async function setup(project: TestProject) {
  const emulator = await startEmulator();
  project.provide('emulatorUrl', emulator.url);
  return () => emulator.close();
}
