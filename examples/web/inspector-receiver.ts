/**
 * The local inspection receiver (`/inspector.html`): what `createBrowserInspector({ url })` opens
 * instead of stately.ai. It tells its opener it is connected, as the Stately inspector does, then
 * lists every inspection event the demo page posts.
 */
const list = document.querySelector('#events') as HTMLOListElement;
const count = document.querySelector('#count') as HTMLOutputElement;

type StatelyEvent = { type: string; _version: string; event?: { type?: string }; name?: string };

const isInspectionEvent = (data: unknown): data is StatelyEvent =>
  typeof data === 'object' &&
  data !== null &&
  typeof (data as StatelyEvent).type === 'string' &&
  (data as StatelyEvent).type.startsWith('@xstate.') &&
  typeof (data as StatelyEvent)._version === 'string';

window.addEventListener('message', (message) => {
  if (message.origin !== location.origin || !isInspectionEvent(message.data)) return;
  const { data } = message;
  const item = document.createElement('li');
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = `${data.type} ${data.event?.type ?? data.name ?? ''}`;
  const body = document.createElement('pre');
  body.textContent = JSON.stringify(data, null, 2);
  details.append(summary, body);
  item.append(details);
  list.append(item);
  count.value = String(list.children.length);
});

window.opener?.postMessage({ type: '@statelyai.connected' }, location.origin);
