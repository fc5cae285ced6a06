import { idField, shellQuote as q, type ProviderHooks } from '../core/hooks.js';

const ACCOUNT = '/cluster-management/v2/operations/user-actions/v2';
const iso = (ms: number) => new Date(ms).toISOString();
const basic = (user: string, key: string) => `Basic ${Buffer.from(`${user}:${key}`, 'utf8').toString('base64')}`;

/** How a client of Instaclustr talks to it: HTTP Basic with the key the endpoint asks for. */
export const instaclustrClient: ProviderHooks = {
  async authorizer({ credentials: c }) {
    // The organisation endpoint takes the Organization Management key, the account endpoint a provisioning key.
    return async (req) => ({
      authorization: basic(c.username, req.url.pathname.startsWith('/v1/organisations') ? c.organisationManagementApiKey : c.provisioningApiKey),
    });
  },

  live: {
    env: {
      required: ['INSTACLUSTR_USERNAME', 'INSTACLUSTR_API_KEY'],
      optional: { INSTACLUSTR_API_URL: 'https://api.instaclustr.com', INSTACLUSTR_ORGANISATION_ID: '', INSTACLUSTR_ORGANISATION_API_KEY: '' },
    },
    fromEnv: (e) => ({
      baseUrl: e.INSTACLUSTR_API_URL ?? 'https://api.instaclustr.com',
      credentials: {
        username: e.INSTACLUSTR_USERNAME,
        provisioningApiKey: e.INSTACLUSTR_API_KEY,
        organisationId: e.INSTACLUSTR_ORGANISATION_ID,
        organisationManagementApiKey: e.INSTACLUSTR_ORGANISATION_API_KEY,
      },
    }),
    calls: ({ credentials: c }) => [
      { name: 'account actions', method: 'GET', path: `${ACCOUNT}?pageSize=5` },
      { name: 'account actions, filtered', method: 'GET', path: `${ACCOUNT}?pageSize=5&actionKinds=DELETE_CLUSTER&actionKinds=CREATE_CLUSTER` },
      ...(c.organisationId && c.organisationManagementApiKey
        ? [{ name: 'organisation actions', method: 'GET', path: `/v1/organisations/${c.organisationId}/user-actions?pageSize=5` }]
        : []),
      { name: 'pageSize 0 is a 400', method: 'GET', path: `${ACCOUNT}?pageSize=0`, expect: 400 },
      { name: 'a wrong key is a 401', method: 'GET', path: ACCOUNT, auth: 'wrong', expect: 401 },
    ],
    wrongAuthorizer: async () => async () => ({ authorization: basic('nobody', 'wrong') }),
  },

  scenarioRecord(b, { actor }) {
    return {
      action: b.action,
      timestamp: iso(b.at),
      userName: actor.userName ?? b.person.email,
      ...(actor.userId ? { userId: actor.userId } : {}),
      ...(actor.accountId ? { accountId: actor.accountId } : {}),
      ...b.fields,
    };
  },

  snippets: ({ baseUrl, credentials: c }) => [
    { label: 'curl (HTTP Basic)', code: `curl -sf -u ${q(`${c.username}:${c.provisioningApiKey}`)} ${q(`${baseUrl}${ACCOUNT}?pageSize=5`)}` },
  ],

  soak: ({ credentials: c }) => ({
    connections: 40,
    requests: [
      { method: 'GET', path: `${ACCOUNT}?pageSize=50` },
      { method: 'GET', path: `/v1/organisations/${c.organisationId}/user-actions?pageSize=100&getActionCounts=false` },
    ],
  }),

  pathValues: ({ credentials: c }) => ({ organisationId: [c.organisationId].filter(Boolean) }),
  arrival: { action: 'ACCOUNT_GENERATE_API_KEY' },
  feeds: { account: { identity: (r) => idField(r, 'id') }, organisation: { identity: (r) => idField(r, 'id') } },
};
