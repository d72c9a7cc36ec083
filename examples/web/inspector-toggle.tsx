import { useState } from 'react';
import { useNotices } from './notices.tsx';

/** Where the Stately inspector opens: the local receiver on this server, or the hosted one. */
export type InspectorTarget = 'local' | 'hosted';

/**
 * Opens or closes the Stately inspector (`@statelyai/inspect`, loaded only then). The client
 * restarts, so that the inspector sees the whole machine from its start.
 */
export function InspectorToggle({
  setInspector,
}: {
  setInspector(target: InspectorTarget | undefined): Promise<void>;
}) {
  const { say } = useNotices();
  const [target, setTarget] = useState<InspectorTarget>('local');
  return (
    <section aria-labelledby="inspector-title">
      <h3 id="inspector-title">Inspector</h3>
      <p>
        <label>
          <input
            type="checkbox"
            id="inspector-toggle"
            onChange={async (event) => {
              const open = event.currentTarget.checked;
              await setInspector(open ? target : undefined);
              say(
                open
                  ? 'Inspector opened: the client restarted so that it sees the whole machine.'
                  : 'Inspector closed.',
              );
            }}
          />{' '}
          Open the Stately inspector
        </label>
      </p>
      <p>
        <label htmlFor="inspector-target">Inspector</label>{' '}
        <select
          id="inspector-target"
          value={target}
          onChange={(event) => setTarget(event.currentTarget.value as InspectorTarget)}
        >
          <option value="local">Local receiver on this server</option>
          <option value="hosted">stately.ai/inspect (third party, needs internet)</option>
        </select>
      </p>
    </section>
  );
}
