/**
 * The generated diagram against the machine. The expected states and transitions are computed here
 * from `authMachine.config` (the raw definition, targets resolved by this file), independently of
 * scripts/statechart-mermaid.ts, which reads the resolved state nodes.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { authMachine } from '@balena-auth/machine';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const doc = readFileSync(join(root, 'docs', 'statechart.md'), 'utf8');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

// ---- what the machine definition says --------------------------------------------------------

type TransitionConfig =
  | string
  | {
      target?: string | string[];
      guard?: unknown;
      actions?: unknown;
      reenter?: boolean;
      description?: string;
    };
type Transitions = TransitionConfig | TransitionConfig[];
interface StateConfig {
  id?: string;
  description?: string;
  type?: 'parallel';
  initial?: string;
  states?: Record<string, StateConfig>;
  on?: Record<string, Transitions>;
  always?: Transitions;
  invoke?: { src: unknown; onDone?: Transitions; onError?: Transitions } | { src: unknown }[];
  [key: string]: unknown;
}

/** Config keys that would add transitions or state kinds this file does not compute: it fails rather than under-count. */
const UNHANDLED_KEYS = new Set(['after', 'onDone', 'history', 'target']);
const machineId = authMachine.config.id as string;
const config = authMachine.config as unknown as StateConfig;
const idOf = (path: string[]) => (path.length === 0 ? machineId : path.join('_'));

function nodeAt(path: string[]): StateConfig {
  let node = config;
  for (const key of path) {
    const child = node.states?.[key];
    if (!child) throw new Error(`no state ${path.join('.')} in the machine`);
    node = child;
  }
  return node;
}

/** `#auth.a.b` (by id), `.a.b` (a descendant of the source), `a.b` (a sibling of the source). */
function resolveTarget(source: string[], target: string): string[] {
  let path: string[];
  if (target.startsWith(`#${machineId}`))
    path = target
      .slice(machineId.length + 1)
      .split('.')
      .filter(Boolean);
  else if (target.startsWith('.')) path = [...source, ...target.slice(1).split('.')];
  else path = [...source.slice(0, -1), ...target.split('.')];
  nodeAt(path);
  return path;
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const nameOf = (value: unknown) => {
  if (typeof value !== 'string')
    throw new Error(`this test reads only named guards, actions and actors, got ${typeof value}`);
  return value;
};

interface Expected {
  count?: { transitions: number; targetless: number };
  states: { id: string; parent: string | undefined; description: string | undefined; initial?: string }[];
  /** `source|target|label`, with target = source for a transition that stays. */
  transitions: string[];
}

function expectedFromConfig(): Expected {
  const expected: Expected = { states: [], transitions: [] };
  const addTransitions = (path: string[], event: string, transitions: Transitions | undefined) => {
    let guardedBefore = false;
    for (const raw of asList(transitions)) {
      const transition = typeof raw === 'string' ? { target: raw } : raw;
      const guard =
        transition.guard !== undefined ? ` [${nameOf(transition.guard)}]` : guardedBefore ? ' [else]' : '';
      guardedBefore ||= transition.guard !== undefined;
      const targets = asList(transition.target);
      const source = idOf(path);
      count.transitions++;
      if (targets.length === 0) count.targetless++;
      if (targets.length === 0) {
        const actions = asList(transition.actions).map(nameOf).join(', ');
        expected.transitions.push(`${source}|${source}|${event}${guard}${actions ? ` / ${actions}` : ''}`);
      }
      for (const target of targets)
        expected.transitions.push(`${source}|${idOf(resolveTarget(path, target))}|${event}${guard}`);
    }
  };
  const eventName = (key: string) => key.replace(/^xstate\.(done|error)\.actor\.(.*)$/, '$1($2)');
  const count = { transitions: 0, targetless: 0 };
  const walk = (path: string[], node: StateConfig) => {
    for (const key of Object.keys(node))
      if (UNHANDLED_KEYS.has(key) || (key === 'type' && node.type !== 'parallel'))
        throw new Error(`this test does not know how to draw "${key}" (state ${path.join('.')})`);
    expected.states.push({
      id: idOf(path),
      parent: path.length === 0 ? undefined : idOf(path.slice(0, -1)),
      description: node.description,
      initial: node.initial === undefined ? undefined : idOf([...path, node.initial]),
    });
    addTransitions(path, 'always', node.always);
    for (const [event, transitions] of Object.entries(node.on ?? {}))
      addTransitions(path, eventName(event), transitions);
    for (const invoked of asList(
      node.invoke as { src: unknown; onDone?: Transitions; onError?: Transitions }[],
    )) {
      addTransitions(path, `done(${nameOf(invoked.src)})`, invoked.onDone);
      addTransitions(path, `error(${nameOf(invoked.src)})`, invoked.onError);
    }
    for (const [key, child] of Object.entries(node.states ?? {})) walk([...path, key], child);
  };
  walk([], config);
  return { ...expected, count };
}

// ---- what the diagram draws ------------------------------------------------------------------

function mermaidBlockUnder(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading);
  expect(start, `heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const block = /```mermaid\n([\s\S]*?)```/.exec(markdown.slice(start));
  if (!block) throw new Error(`no mermaid block under "${heading}"`);
  return block[1];
}

const fromEntityCodes = (label: string) => label.replace(/#58;/g, ':').replace(/#59;/g, ';');

function parseDiagram(mermaid: string) {
  const declared = new Map<string, string | undefined>();
  const initials = new Map<string, string>();
  const transitions: string[] = [];
  const stack: string[] = [];
  const lines = mermaid.split('\n');
  expect(lines[0]).toBe('stateDiagram-v2');
  const patterns = {
    composite: /^state (\w+) \{$/,
    initial: /^\[\*\] --> (\w+)$/,
    region: /^--$/,
    arrow: /^(\w+) --> (\w+) : (.+)$/,
    inside: /^(\w+) : (.+)$/,
    labelled: /^state "[^"]+" as (\w+)$/,
    plain: /^(\w+)$/,
  };
  for (const line of lines
    .slice(1)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const [kind, match] = Object.entries(patterns)
      .map(([name, pattern]) => [name, pattern.exec(line)] as const)
      .find(([, found]) => found !== null) ?? [line === '}' ? 'end' : 'unknown', null];
    if (kind === 'end') stack.pop();
    else if (kind === 'region') continue;
    else if (!match) throw new Error(`unexpected diagram line: ${line}`);
    else if (kind === 'composite') {
      declared.set(match[1], stack.at(-1));
      stack.push(match[1]);
    } else if (kind === 'initial') initials.set(stack.at(-1) as string, match[1]);
    else if (kind === 'arrow')
      for (const label of match[3].split('<br/>'))
        transitions.push(`${match[1]}|${match[2]}|${fromEntityCodes(label)}`);
    else if (kind === 'inside') transitions.push(`${match[1]}|${match[1]}|${fromEntityCodes(match[2])}`);
    else declared.set(match[1], stack.at(-1));
  }
  return { declared, initials, transitions };
}

const expected = expectedFromConfig();
const full = mermaidBlockUnder(doc, '## Every state and transition');
const overview = mermaidBlockUnder(doc, '## Overview');
const drawn = parseDiagram(full);

describe('the statechart diagram (docs/statechart.md)', () => {
  it('draws every state of authMachine inside its parent, with the initial marker of each compound state', () => {
    expect(expected.states.map((s) => s.id)).toEqual(
      expect.arrayContaining(['auth', 'session_restoring', 'activity_ready_idle']),
    );
    for (const state of expected.states) {
      expect(drawn.declared.has(state.id), `state ${state.id} is drawn`).toBe(true);
      expect(drawn.declared.get(state.id), `parent of ${state.id}`).toBe(state.parent);
      if (state.initial) expect(drawn.initials.get(state.id), `initial of ${state.id}`).toBe(state.initial);
    }
    expect([...drawn.declared.keys()].sort()).toEqual(expected.states.map((s) => s.id).sort());
  });

  it('draws every transition of authMachine, labelled with its event and guard, and nothing else', () => {
    expect(expected.transitions).toEqual(
      expect.arrayContaining([
        'activity_ready|session_authenticating|auth.login',
        'activity_ready|activity_loggingIn|auth.login',
        'activity|activity_removing|auth.logout',
        'activity_reading|session_anonymous|error(readStoredToken)',
        'activity_ready|activity_ready|auth.whoami [isSignedOut] / replyNotLoggedIn, releaseNextRequest',
      ]),
    );
    expect([...drawn.transitions].sort()).toEqual([...expected.transitions].sort());
  });

  it('states the number of state nodes and transitions the machine has', () => {
    const { transitions, targetless } = expected.count ?? { transitions: 0, targetless: 0 };
    expect(doc).toContain(
      `has ${expected.states.length} state nodes and ${transitions} transitions (${targetless} of them without a target)`,
    );
  });

  it('lists every state with its description', () => {
    const table = doc.slice(doc.indexOf('## States'));
    for (const state of expected.states) {
      const path = state.id === machineId ? machineId : state.id.replace(/_/g, '.');
      const row = table.split('\n').find((line) => line.startsWith(`| \`${path}\` `));
      expect(row, `row of ${path}`).toBeDefined();
      expect(row).toContain(state.description ?? '');
    }
  });

  it('is embedded in the README, overview and full diagram alike, under "## The statechart"', () => {
    const section = readme.slice(readme.indexOf('## The statechart'));
    expect(section.indexOf(`\`\`\`mermaid\n${full}\`\`\``)).toBeGreaterThan(0);
    expect(section.indexOf(`\`\`\`mermaid\n${overview}\`\`\``)).toBeGreaterThan(0);
  });
});

describe('pnpm diagram', () => {
  const copy = mkdtempSync(join(tmpdir(), 'balena-auth-diagram-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('--check fails naming the stale file, and a run rewrites it so that --check passes again', async () => {
    cpSync(join(root, 'README.md'), join(copy, 'README.md'));
    cpSync(join(root, 'docs'), join(copy, 'docs'), { recursive: true });
    const stalePath = join(copy, 'docs', 'statechart.md');
    writeFileSync(stalePath, doc.replace(/ --> session_authenticating : /, ' --> session_anonymous : '));

    const failed = await run(tsx, ['scripts/diagram.ts', '--check', '--dir', copy], { cwd: root }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('out of date in docs/statechart.md');
    expect((failed as { stderr: string }).stderr).not.toContain('README.md');

    await run(tsx, ['scripts/diagram.ts', '--dir', copy], { cwd: root });
    expect(readFileSync(stalePath, 'utf8')).toBe(doc);
    const passed = await run(tsx, ['scripts/diagram.ts', '--check', '--dir', copy], { cwd: root });
    expect(passed.stdout).toContain('up to date');
  });

  it('--check fails when the README lost its generated block', async () => {
    writeFileSync(
      join(copy, 'README.md'),
      readme.replace(/<!-- statechart:begin[\s\S]*<!-- statechart:end -->/, ''),
    );
    const failed = await run(tsx, ['scripts/diagram.ts', '--check', '--dir', copy], { cwd: root }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('README.md has no generated statechart block');
  });
});
