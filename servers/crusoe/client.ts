import { decodedPath, shellQuote as q, type ClientTarget, type ProviderHooks } from '../core/hooks.js';
import { signRequest } from './signature.js';

const iso = (ms: number) => new Date(ms).toISOString();
/** Keys sorted, as client-go sends them (the signature covers the order). */
const sorted = (o: Record<string, string>) => new URLSearchParams(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))).toString();
const logsPath = (t: ClientTarget, version = 'v1alpha5') => `/${version}/organizations/${t.credentials.organizationId}/audit-logs`;

/** How a client of Crusoe talks to it: every request signed with signature v1.0. */
export const crusoeClient: ProviderHooks = {
  async authorizer({ credentials: c }) {
    return async (req) =>
      signRequest({ accessKeyId: c.accessKeyId, secretKey: c.secretKey, method: req.method, path: decodedPath(req.url), query: req.url.search.slice(1) });
  },

  live: {
    env: { required: ['CRUSOE_ACCESS_KEY_ID', 'CRUSOE_SECRET_KEY', 'CRUSOE_ORGANIZATION_ID'], optional: { CRUSOE_API_URL: 'https://api.crusoecloud.com' } },
    fromEnv: (e) => ({
      baseUrl: e.CRUSOE_API_URL ?? 'https://api.crusoecloud.com',
      credentials: { accessKeyId: e.CRUSOE_ACCESS_KEY_ID, secretKey: e.CRUSOE_SECRET_KEY, organizationId: e.CRUSOE_ORGANIZATION_ID },
    }),
    calls: (t) => {
      const base = logsPath(t);
      const filters = { actions: 'Create,Update', limit: '5' };
      return [
        { name: 'default window', method: 'GET', path: base },
        { name: 'filters and limit', method: 'GET', path: `${base}?${sorted(filters)}` },
        (prev) => {
          const next = prev.get('filters and limit')?.next_page_token;
          return next ? { name: 'next page', method: 'GET', path: `${base}?${sorted({ ...filters, next_token: next })}` } : null;
        },
        { name: '/v1 prefix', method: 'GET', path: `${logsPath(t, 'v1')}?limit=5` },
        { name: 'invalid limit is a 400', method: 'GET', path: `${base}?limit=0`, expect: 400 },
        { name: 'a wrong signature is a 401', method: 'GET', path: base, auth: 'wrong', expect: 401 },
      ];
    },
    wrongAuthorizer: async () => async () => ({ authorization: 'Bearer 1.0:AAAAAAAAAAAAAAAAAAAA:AAAA' }),
  },

  scenarioRecord(b, { rng, actor }) {
    const p = b.person;
    return {
      action: b.action,
      action_detail: b.detail ?? '',
      actor_id: actor.actor_id ?? p.id,
      actor_email: actor.actor_email ?? p.email,
      actor_type: 'User',
      client_ip: `${b.ip ?? p.officeIp}:${rng.int(1024, 65535)}`,
      start_time: iso(b.at),
      end_time: iso(b.at + rng.int(200, 4000)),
      result: 'OK',
      surface: 'Crusoe CLI/v0.30.0',
      target_type: b.target?.type ?? '',
      target_names: [b.target?.name ?? ''],
      target_ids: [b.target?.id ?? rng.uuid()],
      locations: ['us-east1-a'],
      ...b.fields,
    };
  },

  snippets({ baseUrl, credentials: c }) {
    const path = logsPath({ baseUrl, credentials: c });
    // Signs as crusoecloud/client-go does: path, canonical query, method, timestamp; HMAC-SHA256, URL-safe base64.
    const script = [
      `import { createHmac } from "node:crypto";`,
      `const base = ${JSON.stringify(baseUrl)}, key = ${JSON.stringify(c.accessKeyId)}, secret = ${JSON.stringify(c.secretKey)};`,
      `const path = ${JSON.stringify(path)}, query = "limit=5";`,
      `const ts = new Date().toISOString().replace(/\\.\\d+Z$/, "Z");`,
      `const sig = createHmac("sha256", Buffer.from(secret, "base64url")).update(path + "\\n" + query + "\\n" + "GET\\n" + ts + "\\n").digest("base64url");`,
      `const res = await fetch(base + path + "?" + query, { headers: { "X-Crusoe-Timestamp": ts, Authorization: "Bearer 1.0:" + key + ":" + sig } });`,
      `console.log(res.status, await res.text());`,
      `if (!res.ok) process.exit(1);`,
    ].join('\n');
    return [{ label: 'Signed call (Node, no dependencies)', code: `node --input-type=module -e ${q(script)}` }];
  },

  soak(t) {
    const day = new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      connections: 60,
      requests: [
        { method: 'GET', path: `${logsPath(t)}?limit=50` },
        { method: 'GET', path: `${logsPath(t)}?actor_types=User&limit=50&results=OK&start_time=${encodeURIComponent(day)}` },
        { method: 'GET', path: `${logsPath(t, 'v1')}?actions=Create%2CDelete&limit=20` },
      ],
    };
  },

  pathValues: ({ credentials: c }) => ({ organization_id: [c.organizationId].filter(Boolean) }),
  // Crusoe's entries carry no id: a record is its own identity.
  feeds: { 'audit-logs': {} },
  arrival: { action: 'Create', target: { type: 'VM', name: 'arrival' } },
};
