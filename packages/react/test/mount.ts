import type { ReactNode } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';

/** A React root in a fresh element of the test page. */
export interface Mounted {
  container: HTMLElement;
  unmount(): void;
}

/** Renders `ui` into a new element of the page (concurrent root, as an app's). */
export function mount(ui: ReactNode): Mounted {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  root.render(ui);
  return {
    container,
    unmount() {
      root.unmount();
      container.remove();
    },
  };
}

/** Hydrates server markup `html` with `ui`; every recoverable error (a hydration mismatch) lands in `errors`. */
export function hydrate(html: string, ui: ReactNode, errors: unknown[]): Mounted {
  const container = document.createElement('div');
  container.innerHTML = html;
  document.body.append(container);
  const root = hydrateRoot(container, ui, { onRecoverableError: (error) => errors.push(error) });
  return {
    container,
    unmount() {
      root.unmount();
      container.remove();
    },
  };
}
