/**
 * Cold start, ours: read the stored login through @balena-auth/adapter-node. Prints the moment
 * getToken() returned (ms since the epoch, sub-ms precision) and the token's length.
 * Usage: `node cold-start-ours.mjs <dataDirectory>`
 */
import { createNodeAuth } from '@balena-auth/adapter-node';

const { auth, stop } = createNodeAuth({
  apiUrl: 'https://api.balena-cloud.com',
  dataDirectory: process.argv[2],
});
const token = await auth.getToken();
const returnedAt = performance.timeOrigin + performance.now();
stop();
process.stdout.write(`${JSON.stringify({ returnedAt, length: token.length })}\n`);
