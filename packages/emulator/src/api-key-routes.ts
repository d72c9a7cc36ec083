import { fullSessionOf, fullUserOf } from './credentials.ts';
import { emptyReply, jsonReply, type Reply, textReply } from './http.ts';
import type { ApiServices, Route, RouteRequest } from './router.ts';
import type { ApiKeyOwner, NewApiKey } from './store.ts';

/**
 * API key creation, listing and revocation.
 *
 * - `POST /api-key/user/full` `{name, description?, expiryDate?}` with a full user JWT → JSON string key.
 * - `POST /api-key/device/:deviceId/device-key` and `POST /api-key/application/:appId/provisioning`
 *   with a full user credential → JSON string key.
 * - `GET /v7/api_key` → the caller's user API keys, pine-shaped `{d: [...]}` (query options ignored).
 * - `DELETE /v7/api_key(<id>)` → revokes one of the caller's keys, 200 `OK`.
 *
 * @example
 * ```ts
 * const routes = apiKeyRoutes(services);
 * ```
 */
export function apiKeyRoutes(services: ApiServices): Route[] {
  const { store } = services;

  const createKey = (owner: ApiKeyOwner, request: RouteRequest, nameRequired: boolean): Reply => {
    const options = parseNewApiKey(request.body, nameRequired);
    if (typeof options === 'string') return textReply(400, options);
    return jsonReply(200, store.addApiKey(owner, options).key);
  };

  const createUserKey = (request: RouteRequest): Reply => {
    const session = fullSessionOf(request.credential);
    if (!session) return emptyReply(401);
    return createKey({ kind: 'user', userId: session.user.id }, request, true);
  };

  const createDeviceKey = (request: RouteRequest): Reply => {
    if (!fullUserOf(request.credential)) return emptyReply(401);
    const device = store.findDevice(Number(request.params[0]));
    if (!device) return textReply(404, 'Device not found');
    return createKey({ kind: 'device', deviceId: device.id }, request, false);
  };

  const createProvisioningKey = (request: RouteRequest): Reply => {
    if (!fullUserOf(request.credential)) return emptyReply(401);
    const application = store.findApplication(Number(request.params[0]));
    if (!application) return textReply(404, 'Application not found');
    return createKey({ kind: 'application', applicationId: application.id }, request, false);
  };

  const listUserKeys = (request: RouteRequest): Reply => {
    const user = fullUserOf(request.credential);
    if (!user) return emptyReply(401);
    const d = store.listUserApiKeys(user.id).map((record) => ({
      id: record.id,
      name: record.name,
      description: record.description,
      expiry_date: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
      created_at: new Date(record.createdAt).toISOString(),
      is_of__actor: { __id: user.actorId },
    }));
    return jsonReply(200, { d });
  };

  const deleteKey = (request: RouteRequest): Reply => {
    const user = fullUserOf(request.credential);
    if (!user) return emptyReply(401);
    const record = store.findApiKeyById(Number(request.params[0]));
    if (record?.owner.kind !== 'user' || record.owner.userId !== user.id) {
      return textReply(404, 'Not Found');
    }
    store.deleteApiKey(record);
    return textReply(200, 'OK');
  };

  return [
    { method: 'POST', path: '/api-key/user/full', handle: createUserKey },
    { method: 'POST', path: /^\/api-key\/device\/(\d+)\/device-key$/, handle: createDeviceKey },
    { method: 'POST', path: /^\/api-key\/application\/(\d+)\/provisioning$/, handle: createProvisioningKey },
    { method: 'GET', path: '/v7/api_key', handle: listUserKeys },
    { method: 'DELETE', path: /^\/v7\/api_key\((?:id=)?(\d+)\)$/, handle: deleteKey },
  ];
}

/** The key options of a creation body, or the text of a 400 when a field is invalid. */
function parseNewApiKey(body: Record<string, unknown>, nameRequired: boolean): NewApiKey | string {
  const { name, description, expiryDate } = body;
  if (nameRequired && (name === undefined || name === null || name === '')) return 'Name is required';
  if (!isOptionalString(name)) return 'Name must be a string';
  if (!isOptionalString(description)) return 'Description must be a string';
  let expiresAt: number | null = null;
  if (expiryDate !== undefined && expiryDate !== null) {
    expiresAt = typeof expiryDate === 'string' ? Date.parse(expiryDate) : Number.NaN;
    if (Number.isNaN(expiresAt)) return 'Invalid expiryDate';
  }
  return {
    name: typeof name === 'string' ? name : null,
    description: typeof description === 'string' ? description : null,
    expiresAt,
  };
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}
