import { APPLICATION_JSON, type Reply, TEXT_HTML, TEXT_PLAIN, tooManyRequestsReply } from './http.ts';
import type { Fault, FaultControls } from './types.ts';

/** The fault controls of one emulator, plus the server's side: taking the fault for a request. */
export interface FaultQueue extends FaultControls {
  /** The fault for the next request to `path`, if one is queued; counts it as applied. */
  take(path: string): Fault | undefined;
}

interface QueuedFault {
  path: string;
  fault: Fault;
  remaining: number;
}

/**
 * A FIFO of faults per path. `next` validates its input and throws a clear Error when it is wrong.
 *
 * @example
 * ```ts
 * const faults = createFaultQueue();
 * faults.next('/login_', { kind: 'reset' }, 2);
 * faults.take('/login_'); // { kind: 'reset' }
 * ```
 */
export function createFaultQueue(): FaultQueue {
  let queue: QueuedFault[] = [];
  return {
    next(path, fault, times = 1) {
      const problem = faultProblem(fault) ?? pathProblem(path) ?? timesProblem(times);
      if (problem) throw new Error(`Invalid fault: ${problem}`);
      queue.push({ path, fault: structuredClone(fault), remaining: times });
    },
    clear() {
      queue = [];
    },
    take(path) {
      const entry = queue.find((candidate) => candidate.path === path);
      if (!entry) return undefined;
      entry.remaining--;
      if (entry.remaining <= 0) queue = queue.filter((candidate) => candidate !== entry);
      return entry.fault;
    },
  };
}

/**
 * What is wrong with a would-be fault, or undefined if it is a valid {@link Fault}.
 *
 * @example
 * ```ts
 * faultProblem({ kind: 'status' }); // 'status must be an HTTP status code (200-599)'
 * ```
 */
export function faultProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'fault must be an object';
  const fault = value as Record<string, unknown>;
  switch (fault.kind) {
    case 'status':
      if (!isStatusCode(fault.status)) return 'status must be an HTTP status code (200-599)';
      if (fault.body !== undefined && typeof fault.body !== 'string') return 'body must be a string';
      if (fault.contentType !== undefined && typeof fault.contentType !== 'string') {
        return 'contentType must be a string';
      }
      if (fault.headers !== undefined && !isStringRecord(fault.headers)) {
        return 'headers must be an object of strings';
      }
      return undefined;
    case 'rateLimit':
      return isNonNegativeInteger(fault.retryAfterSeconds)
        ? undefined
        : 'retryAfterSeconds must be a non-negative integer';
    case 'delay':
      return isNonNegativeInteger(fault.ms) ? undefined : 'ms must be a non-negative integer';
    case 'hang':
    case 'reset':
      return undefined;
    case 'html':
    case 'invalidJson':
      return fault.status === undefined || isStatusCode(fault.status)
        ? undefined
        : 'status must be an HTTP status code (200-599)';
    default:
      return 'kind must be one of status, rateLimit, delay, hang, reset, html, invalidJson';
  }
}

/**
 * What is wrong with a fault's path, or undefined if it is a pathname such as `/login_`.
 *
 * @example
 * ```ts
 * pathProblem('login_'); // 'path must be a pathname starting with /'
 * ```
 */
export function pathProblem(path: unknown): string | undefined {
  return typeof path === 'string' && path.startsWith('/')
    ? undefined
    : 'path must be a pathname starting with /';
}

/**
 * What is wrong with a fault's repeat count, or undefined if it is a positive integer.
 *
 * @example
 * ```ts
 * timesProblem(0); // 'times must be a positive integer'
 * ```
 */
export function timesProblem(times: unknown): string | undefined {
  return Number.isInteger(times) && (times as number) > 0 ? undefined : 'times must be a positive integer';
}

/**
 * The response of a fault that answers (`status`, `rateLimit`, `html`, `invalidJson`); undefined for
 * `delay`, `hang` and `reset`, which the server carries out itself.
 *
 * @example
 * ```ts
 * faultReply({ kind: 'html' }); // { status: 502, contentType: 'text/html; charset=utf-8', body: '<html>…' }
 * ```
 */
export function faultReply(fault: Fault): Reply | undefined {
  switch (fault.kind) {
    case 'status':
      return {
        status: fault.status,
        body: fault.body,
        contentType: fault.contentType ?? (fault.body === undefined ? undefined : TEXT_PLAIN),
        headers: fault.headers,
      };
    case 'rateLimit':
      return tooManyRequestsReply(fault.retryAfterSeconds);
    case 'html': {
      const status = fault.status ?? 502;
      return { status, contentType: TEXT_HTML, body: proxyErrorPage(status) };
    }
    case 'invalidJson':
      return {
        status: fault.status ?? 200,
        contentType: APPLICATION_JSON,
        body: '{"id": 1, "actorType": "us',
      };
    default:
      return undefined;
  }
}

function proxyErrorPage(status: number): string {
  return `<html>
<head><title>${status} Error</title></head>
<body>
<center><h1>${status} Error</h1></center>
<hr><center>emulated proxy</center>
</body>
</html>
`;
}

function isStatusCode(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 200 && (value as number) <= 599;
}

function isNonNegativeInteger(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isStringRecord(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}
