import type { IncomingMessage, ServerResponse } from 'node:http';
import { adminError, isAdminPath } from './admin-routes.ts';
import { type AdminAccess, adminRefusal, answerPreflight, setCorsHeaders } from './cors.ts';
import { credentialKind, presentedCredential, resolveCredential } from './credentials.ts';
import { type FaultQueue, faultReply } from './faults.ts';
import { MAX_BODY_BYTES, type Reply, readRequestBody, textReply, writeReply } from './http.ts';
import { type ApiServices, findRoute, notFoundReply, type Route } from './router.ts';
import type { RequestRecord } from './types.ts';

/** What the request handler of one emulator works with. */
export interface RequestHandlerParts {
  apiRoutes: readonly Route[];
  adminRoutes: readonly Route[];
  /** Who may use the admin routes from a web page. */
  adminAccess: AdminAccess;
  services: ApiServices;
  faults: FaultQueue;
  /** Append a record to the request log; the handler fills in its status later. */
  logRequest(record: RequestRecord): void;
  /** Resolve after `ms`, on a timer the emulator clears when it closes. */
  sleep(ms: number): Promise<void>;
}

/**
 * The emulator's `request` listener. For every request: an admin request (preflights included)
 * from a web origin it does not allow is refused 403 without CORS headers; then CORS headers;
 * OPTIONS preflights answered 204; admin routes answered without logging or faults; anything else
 * is logged, gets its queued fault if any, then the 301 for proxied plain-HTTP requests, body
 * parsing, authentication and its route (or Express's 404 page).
 *
 * @example
 * ```ts
 * server.on('request', createRequestHandler(parts));
 * ```
 */
export function createRequestHandler(parts: RequestHandlerParts) {
  return async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const admin = isAdminPath(url.pathname);
    const refusal = admin ? adminRefusal(req, parts.adminAccess) : undefined;
    if (refusal) {
      req.resume(); // the body is not read: drain it so the connection can be reused
      writeReply(res, adminError(refusal, 403));
      return;
    }
    setCorsHeaders(req, res);
    if (method === 'OPTIONS') {
      answerPreflight(req, res);
      return;
    }
    if (admin) {
      const reply = await adminReply(req, method, url);
      if (reply) writeReply(res, reply);
      return;
    }

    const presented = presentedCredential(req.headers, url.searchParams);
    const record: RequestRecord = {
      method,
      path: url.pathname,
      status: 0,
      authorization: credentialKind(presented),
    };
    const client = req.headers['x-balena-client'];
    if (typeof client === 'string') record.client = client;
    parts.logRequest(record);
    let clientGone = false;
    res.on('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      record.status = 0;
    });
    const answer = (reply: Reply | undefined) => {
      if (!reply || clientGone) return;
      record.status = reply.status;
      writeReply(res, reply);
    };

    const fault = parts.faults.take(url.pathname);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'delay') {
      await parts.sleep(fault.ms);
      if (clientGone) return;
    }
    const faulted = fault && faultReply(fault);
    if (faulted) {
      answer(faulted);
      return;
    }
    answer(await apiReply(req, method, url, presented));
  };

  /** The reply of an API route, or undefined if the client went away while sending its body. */
  async function apiReply(
    req: IncomingMessage,
    method: string,
    url: URL,
    presented: string | undefined,
  ): Promise<Reply | undefined> {
    if (isProxiedPlainHttp(req)) {
      const location = `https://${req.headers.host ?? 'localhost'}${url.pathname}${url.search}`;
      return {
        ...textReply(301, `Moved Permanently. Redirecting to ${location}`),
        headers: { Location: location },
      };
    }
    const body = await readRequestBody(req, MAX_BODY_BYTES);
    if (body.kind === 'clientGone') return undefined;
    if (body.kind === 'tooLarge') return textReply(413, 'Payload Too Large');
    if (body.kind === 'invalidJson') return textReply(400, 'Invalid JSON body');
    const found = findRoute(parts.apiRoutes, method, url.pathname);
    if (!found) return notFoundReply(method, `${url.pathname}${url.search}`);
    try {
      const { store, tokens } = parts.services;
      const credential = await resolveCredential(presented, store, tokens);
      return await found.route.handle({
        method,
        pathname: url.pathname,
        query: url.searchParams,
        params: found.params,
        body: body.fields,
        credential,
        remoteAddress: req.socket.remoteAddress ?? '',
      });
    } catch (error) {
      console.error('balena auth emulator: internal error', error);
      return textReply(500, 'Internal Server Error');
    }
  }

  /** The reply of an admin route, or undefined if the client went away while sending its body. */
  async function adminReply(req: IncomingMessage, method: string, url: URL): Promise<Reply | undefined> {
    const body = await readRequestBody(req, MAX_BODY_BYTES);
    if (body.kind === 'clientGone') return undefined;
    if (body.kind === 'tooLarge') return adminError('Payload Too Large', 413);
    if (body.kind === 'invalidJson') return adminError('Invalid JSON body');
    const found = findRoute(parts.adminRoutes, method, url.pathname);
    if (!found) return adminError(`Unknown emulator admin route: ${method} ${url.pathname}`, 404);
    try {
      return await found.route.handle({
        method,
        pathname: url.pathname,
        query: url.searchParams,
        params: found.params,
        body: body.fields,
        credential: { kind: 'none' },
        remoteAddress: req.socket.remoteAddress ?? '',
      });
    } catch (error) {
      console.error('balena auth emulator: internal error', error);
      return adminError('Internal Server Error', 500);
    }
  }
}

/** A request that came through a proxy (`X-Forwarded-For`) without `X-Forwarded-Proto: https`. */
function isProxiedPlainHttp(req: IncomingMessage): boolean {
  return req.headers['x-forwarded-for'] !== undefined && req.headers['x-forwarded-proto'] !== 'https';
}
