import { browserProject } from './vitest.config.ts';

/** The browser tests again with React 18 (`react-18`, `react-dom-18`: npm aliases of react@18). */
export default browserProject('react-18', 18, [
  { find: /^react$/, replacement: 'react-18' },
  { find: /^react\/(.*)$/, replacement: 'react-18/$1' },
  { find: /^react-dom$/, replacement: 'react-dom-18' },
  { find: /^react-dom\/(.*)$/, replacement: 'react-dom-18/$1' },
]);
