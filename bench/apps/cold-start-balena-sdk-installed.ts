/**
 * Cold start, balena-sdk as installed (not bundled: Node loads it from node_modules, as most
 * programs run it). Same output as cold-start-balena-sdk.ts.
 * Usage: `node cold-start-balena-sdk-installed.mjs <dataDirectory>`
 */
import { getSdk } from 'balena-sdk';

const { auth } = getSdk({ apiUrl: 'https://api.balena-cloud.com', dataDirectory: process.argv[2] });
const token = await auth.getToken();
const returnedAt = performance.timeOrigin + performance.now();
process.stdout.write(`${JSON.stringify({ returnedAt, length: token.length })}\n`);
