/** The default way the client tells a developer about a misbehaving store or inspector: `console.warn`. */
export function warnOnConsole(message: string): void {
  console.warn(message);
}
