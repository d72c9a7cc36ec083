import { BalenaNetworkError } from './errors.ts';

/** The largest response body the client reads (after decompression): 1 MiB. Auth answers are under 2 KiB. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** What the client reads of a response: `fetch`'s `Response`, or anything shaped like it. */
export type ResponseLike = Pick<Response, 'status' | 'headers'> &
  Partial<Pick<Response, 'body' | 'text' | 'type' | 'url' | 'redirected'>>;

/**
 * Reads a response body as UTF-8 text, incrementally, up to `limit` bytes. A larger body (by its
 * `Content-Length`, or once that many bytes have arrived) is cancelled and `tooLarge()` is thrown;
 * each read gives up when `signal` aborts, even if the stream never answers.
 *
 * @example
 * const text = await readBodyText(response, MAX_RESPONSE_BYTES, signal, () => new Error('too large'));
 */
export async function readBodyText(
  response: ResponseLike,
  limit: number,
  signal: AbortSignal,
  tooLarge: () => Error,
): Promise<string> {
  const body = response.body;
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await body?.cancel().catch(() => {});
    throw tooLarge();
  }
  // A declared, uncompressed length within the limit bounds the body already: read it whole.
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  if (declared <= limit && !encoded && typeof response.text === 'function')
    return wholeText(response, signal);
  if (!body || typeof body.getReader !== 'function') {
    const text = await wholeText(response, signal);
    if (new TextEncoder().encode(text).byteLength > limit) throw tooLarge();
    return text;
  }
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = '';
  try {
    for (;;) {
      const { done, value } = await untilAborted(reader.read(), signal);
      if (done) return text + decoder.decode();
      if (!ArrayBuffer.isView(value)) throw new BalenaNetworkError('network error: unreadable response body');
      received += value.byteLength;
      if (received > limit) throw tooLarge();
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
}

/** The body by `response.text()` ('' when there is none), given up when `signal` aborts. */
async function wholeText(response: ResponseLike, signal: AbortSignal): Promise<string> {
  const text = typeof response.text === 'function' ? await untilAborted(response.text(), signal) : '';
  if (typeof text !== 'string') throw new BalenaNetworkError('network error: unreadable response body');
  return text;
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
