import { createServer } from 'node:http';
import { createAuth, memoryTokenStore } from './dist/index.js';

const user = JSON.stringify({ id: 1, actorType: 'user', actorTypeId: 1, username: 'u', email: null });
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(user);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}`;
const now = Math.floor(Date.now() / 1000);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const token = `${b64({ alg: 'HS256' })}.${b64({ id: 1, iat: now, exp: now + 3600 })}.sig`;
const client = createAuth({ apiUrl: url, store: memoryTokenStore(token) });
await client.ready();
const N = Number(process.env.N ?? 3000);
const raw = async () => {
  const r = await fetch(`${url}/actor/v1/whoami`, { headers: { Authorization: `Bearer ${token}` } });
  await r.json();
};
const ours = () => client.auth.isLoggedIn();
for (const [label, fn] of [
  ['raw', raw],
  ['ours', ours],
  ['raw', raw],
  ['ours', ours],
]) {
  for (let i = 0; i < 300; i++) await fn();
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await fn();
  const c = process.cpuUsage(cpu);
  console.log(
    label,
    'wall',
    (Number(process.hrtime.bigint() - t) / N / 1000).toFixed(1),
    'µs',
    'cpu',
    ((c.user + c.system) / N).toFixed(1),
    'µs',
  );
}
client.stop();
server.close();
