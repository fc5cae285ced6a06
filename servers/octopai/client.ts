import { idField, shellQuote as q, type ProviderHooks } from '../core/hooks.js';

const EVENTS = '/api/UserAccount/UserEvents';
const iso = (ms: number) => new Date(ms).toISOString();

/** How a client of Octopai talks to it: log in once, then a bearer access token. */
export const octopaiClient: ProviderHooks = {
  async authorizer({ baseUrl, credentials: c }) {
    const r = await fetch(`${baseUrl}/api/UserAccount/Login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ UserName: c.userName, Password: c.password }),
    });
    const body = (await r.json()) as Record<string, any>;
    // Deployments differ in where they put the token; take the first place that has one.
    const token = body.accessToken ?? body.AccessToken ?? body.data?.accessToken ?? body.token;
    if (typeof token !== 'string') throw new Error(`octopai login gave no token: ${JSON.stringify(body).slice(0, 200)}`);
    return async () => ({ authorization: `Bearer ${token}` });
  },

  live: {
    env: { required: ['OCTOPAI_URL', 'OCTOPAI_USERNAME', 'OCTOPAI_PASSWORD'], optional: {} },
    fromEnv: (e) => ({ baseUrl: e.OCTOPAI_URL!, credentials: { userName: e.OCTOPAI_USERNAME, password: e.OCTOPAI_PASSWORD } }),
    calls: () => [
      { name: 'user events (GET)', method: 'GET', path: `${EVENTS}?pageSize=10` },
      {
        name: 'user events (POST)',
        method: 'POST',
        path: EVENTS,
        body: JSON.stringify({ pageSize: 5, pageNumber: 1 }),
        headers: { 'content-type': 'application/json' },
      },
      { name: 'a bad token is a 401', method: 'GET', path: EVENTS, auth: 'wrong', expect: 401 },
    ],
    wrongAuthorizer: async () => async () => ({ authorization: 'Bearer not-a-token' }),
  },

  scenarioRecord(b) {
    const p = b.person;
    return {
      eventType: b.action,
      eventDate: iso(b.at),
      ipAddress: b.ip ?? p.officeIp,
      userAgent: b.userAgent ?? p.userAgent,
      userName: p.email,
      userEmail: p.email,
      details: b.detail ?? null,
      ...b.fields,
    };
  },

  snippets({ baseUrl, credentials: c }) {
    const login = JSON.stringify({ Username: c.userName, Password: c.password });
    const code = [
      `TOKEN=$(curl -sf -X POST -H 'content-type: application/json' -d ${q(login)} ${q(`${baseUrl}/api/UserAccount/Login`)}` +
        ` | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).accessToken')`,
      `curl -sf -H "Authorization: Bearer $TOKEN" ${q(`${baseUrl}${EVENTS}?pageSize=5`)}`,
    ].join('\n');
    return [{ label: 'curl (log in, then read UserEvents)', code }];
  },

  soak: () => ({
    connections: 40,
    requests: [
      { method: 'GET', path: `${EVENTS}?pageSize=100` },
      { method: 'POST', path: EVENTS, body: JSON.stringify({ eventType: 'Login', pageSize: 50 }), headers: { 'content-type': 'application/json' } },
    ],
  }),

  pathValues: () => ({}),
  arrival: { action: 'Login' },
  feeds: { 'user-events': { identity: (r) => idField(r, 'id') } },
};
