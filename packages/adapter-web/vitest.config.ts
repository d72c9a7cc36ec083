import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM } from './test/chromium.ts';
import { emulatorAdmin } from './test/emulator-admin.command.ts';

/** The adapter inside real Chromium (vitest browser mode), against the emulator on 127.0.0.1. */
export default defineConfig({
  test: {
    name: 'adapter-web',
    include: ['test/**/*.browser.test.ts'],
    globalSetup: ['test/emulator.global-setup.ts'],
    fileParallelism: false, // the files share one origin, so one localStorage
    attachmentsDir: '../../test-results/adapter-web', // screenshots of failures: test output, not committed
    browser: {
      enabled: true,
      headless: true,
      instances: [{ browser: 'chromium' }],
      api: { host: '127.0.0.1' }, // the page server vitest starts for the browser
      screenshotDirectory: '../../test-results/adapter-web', // on failure; not committed
      provider: playwright({ launchOptions: CHROMIUM }),
      commands: { emulatorAdmin },
    },
  },
});
