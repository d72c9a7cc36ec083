/**
 * Every active state node of a state value, in `snapshot.matches` path form, ancestors included:
 * `{ session: 'anonymous', activity: { ready: 'idle' } }` →
 * `['session', 'session.anonymous', 'activity', 'activity.ready', 'activity.ready.idle']`.
 *
 * @example
 * activePaths(client.actor.getSnapshot().value).includes('session.authenticated');
 */
export function activePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => [
    `${prefix}${key}`,
    ...activePaths(child, `${prefix}${key}.`),
  ]);
}
