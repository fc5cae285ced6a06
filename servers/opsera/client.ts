import { idField, shellQuote as q, type ProviderHooks } from '../core/hooks.js';

const ACTIONS = '/api/v1/logs/user/actions';
const TOKENS = '/api/v1/logs/user/tokens';

/** How a client of Opsera talks to it: a personal access token (JWT) as a bearer token. */
export const opseraClient: ProviderHooks = {
  authorizer:
    async ({ credentials: c }) =>
    async () => ({ authorization: `Bearer ${c.tokens.api}` }),

  live: {
    env: { required: ['OPSERA_TOKEN'], optional: { OPSERA_URL: 'https://app.opsera.io' } },
    fromEnv: (e) => ({ baseUrl: e.OPSERA_URL ?? 'https://app.opsera.io', credentials: { tokens: { api: e.OPSERA_TOKEN } } }),
    calls: () => [
      { name: 'user actions', method: 'GET', path: `${ACTIONS}?count=5` },
      { name: 'token usage', method: 'GET', path: `${TOKENS}?count=5` },
      { name: 'a bad token is a 401', method: 'GET', path: ACTIONS, auth: 'wrong', expect: 401 },
    ],
    wrongAuthorizer: async () => async () => ({ authorization: 'Bearer not-a-token' }),
  },

  scenarioRecord(b, { rng, actor }) {
    return {
      user_id: actor.user_id ?? rng.hex(24),
      user_email: actor.user_email ?? b.person.email,
      type: b.target?.type ?? 'authentication',
      action: b.action,
      target_id: b.target?.id ?? actor.user_id ?? rng.hex(24),
      createdAt: new Date(b.at).toISOString(),
      ...b.fields,
    };
  },

  // PATs are minted per emulator day; `tokens.api` is the current one with the audit-log scope.
  snippets: ({ baseUrl, credentials: c }) => [
    { label: 'curl (personal access token)', code: `curl -sf -H ${q(`Authorization: Bearer ${c.tokens.api}`)} ${q(`${baseUrl}${ACTIONS}`)}` },
  ],

  soak: () => ({
    connections: 30,
    requests: [
      { method: 'GET', path: `${ACTIONS}?count=100` },
      { method: 'GET', path: `${TOKENS}?count=50` },
    ],
  }),

  pathValues: () => ({}),
  arrival: { action: 'login', target: { type: 'authentication' } },
  feeds: { actions: { identity: (r) => idField(r, '_id') }, tokens: { identity: (r) => idField(r, '_id') } },
};
