/** Heap in use after collecting garbage, with finalizers (e.g. of request timeouts) given a turn to run. Needs `--expose-gc`. */
export async function heapAfterGc(): Promise<number> {
  const collectGarbage = globalThis.gc as () => void;
  for (let i = 0; i < 4; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return process.memoryUsage().heapUsed;
}
