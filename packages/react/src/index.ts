export { useAuth } from './auth-context.ts';
export { AuthProvider, type AuthProviderProps } from './auth-provider.ts';
export { type AuthSnapshot, useAuthSelector } from './use-auth-selector.ts';
export { useSession } from './use-session.ts';
