/** Cold start of Node itself: the same output, without any client. */
const returnedAt = performance.timeOrigin + performance.now();
process.stdout.write(`${JSON.stringify({ returnedAt, length: 0 })}\n`);
