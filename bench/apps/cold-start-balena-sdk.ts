/**
 * Cold start, balena-sdk: read the stored login through getSdk. Prints the moment getToken()
 * returned (ms since the epoch, sub-ms precision) and the token's length.
 * Usage: `node cold-start-balena-sdk.mjs <dataDirectory>`
 */
// balena-sdk's index.js picks its build with a computed require() that no bundler can follow; on
// Node 20 it picks es2017, so the bundle imports that build directly.
import { getSdk } from 'balena-sdk/es2017/index.js';

const { auth } = getSdk({ apiUrl: 'https://api.balena-cloud.com', dataDirectory: process.argv[2] });
const token = await auth.getToken();
const returnedAt = performance.timeOrigin + performance.now();
process.stdout.write(`${JSON.stringify({ returnedAt, length: token.length })}\n`);
