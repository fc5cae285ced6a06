import { shellQuote as q, type ProviderHooks } from '../../../servers/core/hooks.js';

const EVENTS = '/v1/events';
const JSON_TYPE = { 'content-type': 'application/json' };

/** How a client of the sample vendor talks to it: a bearer token with the audit:read scope. */
export const sampleClient: ProviderHooks = {
  authorizer:
    async ({ credentials: c }) =>
    async () => ({ authorization: `Bearer ${c.token}` }),

  live: {
    env: { required: ['SAMPLE_TOKEN'], optional: { SAMPLE_URL: 'http://127.0.0.1:4199' } },
    fromEnv: (e) => ({ baseUrl: e.SAMPLE_URL ?? 'http://127.0.0.1:4199', credentials: { token: e.SAMPLE_TOKEN } }),
    calls: () => [
      { name: 'newest events', method: 'GET', path: `${EVENTS}?limit=5` },
      (prev) => {
        const next = prev.get('newest events')?.next_cursor;
        return next ? { name: 'next page', method: 'GET', path: `${EVENTS}?cursor=${encodeURIComponent(next)}` } : null;
      },
      { name: 'search', method: 'POST', path: `${EVENTS}/search`, body: JSON.stringify({ actions: ['login', 'export'], limit: 5 }), headers: JSON_TYPE },
      { name: 'limit 0 is a 400', method: 'GET', path: `${EVENTS}?limit=0`, expect: 400 },
      { name: 'a wrong token is a 401', method: 'GET', path: EVENTS, auth: 'wrong', expect: 401 },
    ],
    wrongAuthorizer: async () => async () => ({ authorization: 'Bearer smp_not-a-token' }),
  },

  scenarioRecord(b, { actor }) {
    return {
      time: new Date(b.at).toISOString(),
      actor: actor.actor ?? b.person.email,
      action: b.action,
      ip: b.ip ?? b.person.officeIp,
      ...(b.target?.name ? { target: b.target.name } : {}),
      ...b.fields,
    };
  },

  snippets: ({ baseUrl, credentials: c }) => [
    { label: 'curl (bearer token)', code: `curl -sf -H ${q(`Authorization: Bearer ${c.token}`)} ${q(`${baseUrl}${EVENTS}?limit=5`)}` },
  ],

  soak: () => ({
    connections: 10,
    requests: [
      { method: 'GET', path: `${EVENTS}?limit=50` },
      { method: 'POST', path: `${EVENTS}/search`, body: JSON.stringify({ actions: ['delete'], limit: 20 }), headers: JSON_TYPE },
    ],
  }),

  pathValues: () => ({}),
  feeds: {},
  arrival: { action: 'arrival' },
};
