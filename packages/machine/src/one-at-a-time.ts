/**
 * Runs `task` once `previous` has settled, whatever it settled with, so that one owner's tasks run
 * one after another. `run` settles as the task does; `tail` is what the next task waits on, and
 * never rejects.
 *
 * @example
 * const { run, tail } = afterPrevious(this.#tail, task);
 * this.#tail = tail;
 * return run;
 */
export function afterPrevious<T>(
  previous: Promise<unknown> | undefined,
  task: () => Promise<T>,
): { run: Promise<T>; tail: Promise<unknown> } {
  const run = (previous ?? Promise.resolve()).then(task, task);
  return { run, tail: run.catch(() => {}) };
}
