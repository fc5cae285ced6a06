import { authorizerFor } from '../auth.js';
import { RequestRecorder } from '../recorder.js';

/**
 * Read-only contract suites that run against any base URL: the emulator (in `npm test`) or the
 * real vendor when credentials are given (`npm run contract:live`). Every call goes through a
 * RequestRecorder, so each request and response is checked against the vendor's spec and every
 * difference is reported. This is how a user notices that a vendor changed its API.
 */
export interface LiveTarget {
  baseUrl: string;
  /** Credentials under the manifest's names for that vendor. */
  credentials: Record<string, any>;
}

export interface CheckResult {
  name: string;
  problems: string[];
}

export interface LiveSuite {
  vendor: string;
  /** Environment variables: required ones, then optional ones with their defaults. */
  env: { required: string[]; optional: Record<string, string> };
  fromEnv(env: NodeJS.ProcessEnv): LiveTarget;
  run(target: LiveTarget): Promise<CheckResult[]>;
}

type Call = { name: string; method: string; path: string; body?: string; headers?: Record<string, string>; auth?: 'valid' | 'wrong'; expect?: number };

/** Run calls through a recorder and report, per call, spec differences and unexpected statuses. */
async function runCalls(vendor: string, target: LiveTarget, calls: Array<Call | ((prev: Map<string, any>) => Call | null)>): Promise<CheckResult[]> {
  const auth = await authorizerFor(vendor, target);
  // For K2 a "wrong" call is signed properly with a wrong secret (a malformed header would be a
  // different exception).
  const wrongK2 = vendor === 'k2' ? await authorizerFor('k2', { ...target, credentials: { ...target.credentials, secretAccessKey: 'wrong-secret' } }) : undefined;
  const results: CheckResult[] = [];
  const bodies = new Map<string, any>();
  for (const make of calls) {
    const call = typeof make === 'function' ? make(bodies) : make;
    if (!call) continue;
    const recorder = new RequestRecorder();
    const url = new URL(call.path, target.baseUrl);
    const headers: Record<string, string> = { accept: 'application/json', ...(call.headers ?? {}) };
    if (call.auth !== 'wrong') Object.assign(headers, await auth({ method: call.method, url, headers, body: call.body }));
    else if (wrongK2) Object.assign(headers, await wrongK2({ method: call.method, url, headers, body: call.body }));
    else headers.authorization = vendor === 'crusoe' ? 'Bearer 1.0:AAAAAAAAAAAAAAAAAAAA:AAAA' : vendor === 'instaclustr' ? `Basic ${Buffer.from('nobody:wrong').toString('base64')}` : 'Bearer not-a-token';
    const problems: string[] = [];
    try {
      const res = await recorder.fetch(url, { method: call.method, headers, body: call.body });
      const text = await res.text();
      try {
        bodies.set(call.name, JSON.parse(text));
      } catch {
        bodies.set(call.name, text);
      }
      const want = call.expect ?? 200;
      if (res.status !== want) problems.push(`expected status ${want}, got ${res.status}: ${text.slice(0, 200)}`);
      // Calls that provoke an error break the request on purpose: only their response is checked.
      for (const p of recorder.problems(vendor)) problems.push(...p.problems.filter((x) => want < 400 || !x.startsWith('request ')));
    } catch (err) {
      problems.push(`request failed: ${(err as Error).message}`);
    }
    results.push({ name: call.name, problems });
  }
  return results;
}

const q = (o: Record<string, string>) => new URLSearchParams(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))).toString();

export const liveSuites: LiveSuite[] = [
  {
    vendor: 'crusoe',
    env: { required: ['CRUSOE_ACCESS_KEY_ID', 'CRUSOE_SECRET_KEY', 'CRUSOE_ORGANIZATION_ID'], optional: { CRUSOE_API_URL: 'https://api.crusoecloud.com' } },
    fromEnv: (e) => ({ baseUrl: e.CRUSOE_API_URL ?? 'https://api.crusoecloud.com', credentials: { accessKeyId: e.CRUSOE_ACCESS_KEY_ID, secretKey: e.CRUSOE_SECRET_KEY, organizationId: e.CRUSOE_ORGANIZATION_ID } }),
    run: (t) => {
      const base = `/v1alpha5/organizations/${t.credentials.organizationId}/audit-logs`;
      return runCalls('crusoe', t, [
        { name: 'default window', method: 'GET', path: base },
        { name: 'filters and limit', method: 'GET', path: `${base}?${q({ actions: 'Create,Update', limit: '5' })}` },
        (prev) => (prev.get('filters and limit')?.next_page_token ? { name: 'next page', method: 'GET', path: `${base}?${q({ actions: 'Create,Update', limit: '5', next_token: prev.get('filters and limit').next_page_token })}` } : null),
        { name: '/v1 prefix', method: 'GET', path: `/v1/organizations/${t.credentials.organizationId}/audit-logs?limit=5` },
        { name: 'invalid limit is a 400', method: 'GET', path: `${base}?limit=0`, expect: 400 },
        { name: 'a wrong signature is a 401', method: 'GET', path: base, auth: 'wrong', expect: 401 },
      ]);
    },
  },
  {
    vendor: 'instaclustr',
    env: { required: ['INSTACLUSTR_USERNAME', 'INSTACLUSTR_API_KEY'], optional: { INSTACLUSTR_API_URL: 'https://api.instaclustr.com', INSTACLUSTR_ORGANISATION_ID: '', INSTACLUSTR_ORGANISATION_API_KEY: '' } },
    fromEnv: (e) => ({
      baseUrl: e.INSTACLUSTR_API_URL ?? 'https://api.instaclustr.com',
      credentials: { username: e.INSTACLUSTR_USERNAME, provisioningApiKey: e.INSTACLUSTR_API_KEY, organisationId: e.INSTACLUSTR_ORGANISATION_ID, organisationManagementApiKey: e.INSTACLUSTR_ORGANISATION_API_KEY },
    }),
    run: (t) =>
      runCalls('instaclustr', t, [
        { name: 'account actions', method: 'GET', path: '/cluster-management/v2/operations/user-actions/v2?pageSize=5' },
        { name: 'account actions, filtered', method: 'GET', path: '/cluster-management/v2/operations/user-actions/v2?pageSize=5&actionKinds=DELETE_CLUSTER&actionKinds=CREATE_CLUSTER' },
        ...(t.credentials.organisationId && t.credentials.organisationManagementApiKey
          ? [{ name: 'organisation actions', method: 'GET', path: `/v1/organisations/${t.credentials.organisationId}/user-actions?pageSize=5` }]
          : []),
        { name: 'pageSize 0 is a 400', method: 'GET', path: '/cluster-management/v2/operations/user-actions/v2?pageSize=0', expect: 400 },
        { name: 'a wrong key is a 401', method: 'GET', path: '/cluster-management/v2/operations/user-actions/v2', auth: 'wrong', expect: 401 },
      ]),
  },
  {
    vendor: 'octopai',
    env: { required: ['OCTOPAI_URL', 'OCTOPAI_USERNAME', 'OCTOPAI_PASSWORD'], optional: {} },
    fromEnv: (e) => ({ baseUrl: e.OCTOPAI_URL!, credentials: { userName: e.OCTOPAI_USERNAME, password: e.OCTOPAI_PASSWORD } }),
    run: (t) =>
      runCalls('octopai', t, [
        { name: 'user events (GET)', method: 'GET', path: '/api/UserAccount/UserEvents?pageSize=10' },
        { name: 'user events (POST)', method: 'POST', path: '/api/UserAccount/UserEvents', body: JSON.stringify({ pageSize: 5, pageNumber: 1 }), headers: { 'content-type': 'application/json' } },
        { name: 'a bad token is a 401', method: 'GET', path: '/api/UserAccount/UserEvents', auth: 'wrong', expect: 401 },
      ]),
  },
  {
    vendor: 'opsera',
    env: { required: ['OPSERA_TOKEN'], optional: { OPSERA_URL: 'https://app.opsera.io' } },
    fromEnv: (e) => ({ baseUrl: e.OPSERA_URL ?? 'https://app.opsera.io', credentials: { tokens: { api: e.OPSERA_TOKEN } } }),
    run: (t) =>
      runCalls('opsera', t, [
        { name: 'user actions', method: 'GET', path: '/api/v1/logs/user/actions?count=5' },
        { name: 'token usage', method: 'GET', path: '/api/v1/logs/user/tokens?count=5' },
        { name: 'a bad token is a 401', method: 'GET', path: '/api/v1/logs/user/actions', auth: 'wrong', expect: 401 },
      ]),
  },
  {
    vendor: 'k2',
    env: { required: ['AWS_CLOUDTRAIL_URL', 'K2_ACCESS_KEY_ID', 'K2_SECRET_ACCESS_KEY'], optional: { K2_REGION: 'ru-msk' } },
    fromEnv: (e) => ({ baseUrl: e.AWS_CLOUDTRAIL_URL!, credentials: { accessKeyId: e.K2_ACCESS_KEY_ID, secretAccessKey: e.K2_SECRET_ACCESS_KEY, region: e.K2_REGION ?? 'ru-msk' } }),
    run: (t) => {
      const op = (name: string, target: string, body: object, expect = 200): Call => ({
        name, method: 'POST', path: '/', body: JSON.stringify(body), expect,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.${target}` },
      });
      return runCalls('k2', t, [
        op('lookup events', 'LookupEvents', { MaxResults: 5 }),
        op('lookup by event name', 'LookupEvents', { MaxResults: 5, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunInstances' }] }),
        op('describe trails', 'DescribeTrails', {}),
        op('list trails', 'ListTrails', {}),
        op('MaxResults 51 is refused', 'LookupEvents', { MaxResults: 51 }, 400),
        { ...op('a bad signature is refused', 'LookupEvents', {}, 400), auth: 'wrong' },
      ]);
    },
  },
];
