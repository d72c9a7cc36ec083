/**
 * ofetch, in a module of its own: `client.api` imports this on its first call (see `createAppApi`),
 * so a program that never calls it never loads ofetch, and a bundler keeps only `ofetch` itself of
 * the package instead of every export of its namespace.
 */
export { ofetch } from 'ofetch';
