import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumLaunchOptionsIfAny } from './test/chromium.ts';
import { emulatorAdmin } from './test/emulator-admin.command.ts';

const launchOptions = chromiumLaunchOptionsIfAny();

/**
 * The adapter inside real Chromium (vitest browser mode), against the emulator on 127.0.0.1. Without
 * a Chromium the files run in Node instead, where a setup file fails each of them with the message
 * of `ChromiumNotFound` (how to install one or set `CHROMIUM_PATH`): an error, never a skip.
 */
export default defineConfig({
  test: {
    name: 'adapter-web',
    include: ['test/**/*.browser.test.ts'],
    globalSetup: ['test/emulator.global-setup.ts'],
    fileParallelism: false, // the files share one origin, so one localStorage
    attachmentsDir: '../../test-results/adapter-web', // screenshots of failures: test output, not committed
    ...(launchOptions === undefined
      ? { setupFiles: ['test/chromium-not-found.setup.ts'] }
      : {
          browser: {
            enabled: true,
            headless: true,
            instances: [{ browser: 'chromium' }],
            api: { host: '127.0.0.1' }, // the page server vitest starts for the browser
            screenshotDirectory: '../../test-results/adapter-web', // on failure; not committed
            provider: playwright({ launchOptions }),
            commands: { emulatorAdmin },
          },
        }),
  },
});
