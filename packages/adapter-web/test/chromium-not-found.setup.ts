import { findChromium } from './chromium.ts';

// The setup file of the adapter-web project on a machine without Chromium (see vitest.config.ts):
// every browser test file then fails with findChromium's ChromiumNotFound, which says how to get one.
findChromium();
