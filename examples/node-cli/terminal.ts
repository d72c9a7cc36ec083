import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Prompts on stderr, input from stdin: typed in a terminal, or one line per answer from a pipe. */
export interface Terminal {
  /** Asks `question` and resolves with the answer. `hidden` answers are not echoed. */
  ask(question: string, options?: { hidden?: boolean }): Promise<string>;
  /** The next command line of an interactive session, or undefined at end of input. */
  nextLine(prompt: string): Promise<string | undefined>;
  /** Shows a spinner while `work` runs, when stdout and stderr are terminals; otherwise just waits. */
  spin<T>(label: string, work: Promise<T>): Promise<T>;
  /** Writes a line to stderr (clearing a spinner first). */
  note(text: string): void;
  close(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createTerminal(options: { spinner: boolean; onInterrupt: () => void }): Terminal {
  const input = process.stdin;
  const output = process.stderr;
  const interactive = Boolean(input.isTTY && output.isTTY);
  let muted = false;
  const echo = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const readline = createInterface({ input, output: echo, terminal: interactive });
  const pending: string[] = [];
  const waiters: ((line: string | undefined) => void)[] = [];
  let ended = false;
  readline.on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else pending.push(line);
  });
  readline.on('close', () => {
    ended = true;
    for (const waiter of waiters.splice(0)) waiter(undefined);
  });
  let spinning: NodeJS.Timeout | undefined;
  const clearSpinner = () => {
    if (spinning === undefined) return;
    clearInterval(spinning);
    spinning = undefined;
    output.write('\r\x1b[K');
  };

  // Ctrl+C: a keypress for readline when the terminal is in raw mode (stdin a TTY), otherwise the
  // SIGINT signal. Either way the spinner's line is wiped first, so nothing of it stays on screen.
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    muted = false;
    if (spinning === undefined)
      output.write('\n'); // end the prompt's line
    else clearSpinner();
    options.onInterrupt();
  };
  readline.on('SIGINT', interrupt);
  process.on('SIGINT', interrupt);

  const readLine = (prompt: string, hidden: boolean): Promise<string | undefined> => {
    readline.setPrompt(prompt);
    readline.prompt();
    muted = hidden;
    const answered = (line: string | undefined) => {
      muted = false;
      if (hidden && interactive) output.write('\n');
      return line;
    };
    if (pending.length > 0) return Promise.resolve(answered(pending.shift()));
    if (ended) return Promise.resolve(answered(undefined));
    return new Promise((resolve) => waiters.push((line) => resolve(answered(line))));
  };

  return {
    async ask(question, { hidden = false } = {}) {
      const line = await readLine(question, hidden);
      if (line === undefined) throw new Error(`No answer to "${question.trim()}": the input ended`);
      return line.trim();
    },
    nextLine: (prompt) => readLine(interactive ? prompt : '', false),
    async spin(label, work) {
      if (!options.spinner || !process.stdout.isTTY || !output.isTTY) return work;
      let frame = 0;
      clearSpinner();
      spinning = setInterval(() => output.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}`), 80);
      try {
        return await work;
      } finally {
        clearSpinner();
      }
    },
    note(text) {
      clearSpinner();
      output.write(`${text}\n`);
    },
    close() {
      clearSpinner();
      process.off('SIGINT', interrupt);
      readline.close();
      input.destroy();
    },
  };
}
