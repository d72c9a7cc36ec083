export { BalenaStorageQuotaExceeded } from './errors.ts';
export { localStorageTokenStore } from './local-storage-store.ts';
export { createWebAuth, type WebAuthOptions } from './web-auth.ts';
