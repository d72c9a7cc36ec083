import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumLaunchOptionsIfAny } from '../adapter-web/test/chromium.ts';
import { emulatorAdmin } from '../adapter-web/test/emulator-admin.command.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The React major version the project's tests must run on. */
    reactMajor: number;
  }
}

const launchOptions = chromiumLaunchOptionsIfAny();

/**
 * The React bindings in real Chromium (vitest browser mode) with React 19, against the emulator on
 * 127.0.0.1. Without a Chromium every file fails with how to get one: an error, never a skip.
 * `vitest.react18.config.ts` runs the same files with React 18; `vitest.ssr.config.ts` renders on
 * the server (Node, no `window`).
 */
export function browserProject(
  name: string,
  reactMajor: number,
  alias: { find: RegExp; replacement: string }[] = [],
) {
  return defineConfig({
    resolve: { alias },
    optimizeDeps: { include: ['react', 'react-dom/client', 'react-dom/server', '@xstate/react'] },
    test: {
      name,
      provide: { reactMajor },
      include: ['test/**/*.browser.test.tsx'],
      globalSetup: ['../adapter-web/test/emulator.global-setup.ts'],
      fileParallelism: false, // the files share one origin, so one localStorage
      attachmentsDir: `../../test-results/${name}`,
      ...(launchOptions === undefined
        ? { setupFiles: ['../adapter-web/test/chromium-not-found.setup.ts'] }
        : {
            browser: {
              enabled: true,
              headless: true,
              instances: [{ browser: 'chromium' }],
              api: { host: '127.0.0.1' },
              screenshotDirectory: `../../test-results/${name}`,
              provider: playwright({ launchOptions }),
              commands: { emulatorAdmin },
            },
          }),
    },
  });
}

export default browserProject('react', 19);
