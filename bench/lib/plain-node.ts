// No imports: a measured script loads this module, and nothing more should come with it.

/**
 * Throws if this process runs through tsx (or any `--import`/`--loader`): a measured script must run
 * the built JavaScript as Node loads it.
 *
 * @example
 * assertPlainNode(); // first line of every measured child script
 */
export function assertPlainNode(): void {
  const hooks = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].filter((arg) =>
    /--(import|loader|experimental-loader|require)\b|tsx/.test(arg),
  );
  if (hooks.length > 0)
    throw new Error(`a measured script must run on plain node, not with ${hooks.join(' ')}`);
}
