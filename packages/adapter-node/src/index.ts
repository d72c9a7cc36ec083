export { resolveDataDirectory } from './data-directory.ts';
export { fileTokenStore } from './file-store.ts';
export { createNodeAuth, type NodeAuthOptions } from './node-auth.ts';
