import { describe, expect, it } from 'vitest';
import { ACTION_KINDS } from '../../fixtures/catalogues/instaclustr.js';
import { ACCOUNT_USER_ACTIONS_PATH, basicAuth, organisationUserActionsPath } from '../../contracts/instaclustr/client.js';
import { checkFetchResponse } from '../../contracts/validator.js';
import { loadSpec } from '../../servers/core/spec.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const SPEC = 'openapi/instaclustr.yaml';
const env = useEmulator({ now: FROZEN_NOW, only: ['instaclustr'], config: { instaclustr: { rateLimitPerSecond: 0 } } });

interface Creds {
  username: string;
  provisioningApiKey: string;
  readOnlyProvisioningApiKey: string;
  monitoringApiKey: string;
  organisationManagementApiKey: string;
  organisationId: string;
  foreignOrganisationId: string;
  revokedApiKey: string;
  restrictedApiKey: string;
}

/** Send, then validate the response against the spec explicitly (on top of the automatic check). */
async function call(method: string, path: string, query: string, key?: string, user?: string): Promise<{ status: number; body: unknown }> {
  const c = env.get().providers.instaclustr.credentials as unknown as Creds;
  const url = `${env.get().providers.instaclustr.baseUrl}${path}${query ? `?${query}` : ''}`;
  const headers: Record<string, string> = key === undefined ? {} : { Authorization: basicAuth(user ?? c.username, key) };
  const res = await fetch(url, { method, headers });
  const check = await checkFetchResponse(SPEC, method, url, res);
  expect(check.errors, `${method} ${path}?${query} → ${res.status}`).toEqual([]);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, body: await res.json() };
}

describe('Instaclustr contract: every response conforms to openapi/instaclustr.yaml', () => {
  it('successful reads with every parameter, on both endpoints', async () => {
    const c = env.get().providers.instaclustr.credentials as unknown as Creds;
    const org = organisationUserActionsPath(c.organisationId);
    const shared = [
      '',
      'pageSize=1',
      'pageSize=1000',
      'startIndex=5&pageSize=3',
      'startIndex=999999',
      'actionKinds=USER_LOGIN,BACKUP&actionKinds=NOPE',
      'crudOperations=READ&crudOperations=UPDATE',
      'getActionCounts=false',
      'startTime=2026-03-01&endTime=2026-03-02T00:00:00.5%2B01:00',
      'userName=' + encodeURIComponent(c.username),
      'actionKinds=NOT_A_KIND',
    ];
    for (const q of shared) {
      expect((await call('GET', ACCOUNT_USER_ACTIONS_PATH, q, c.provisioningApiKey)).status).toBe(200);
      expect((await call('GET', ACCOUNT_USER_ACTIONS_PATH, q, c.readOnlyProvisioningApiKey)).status).toBe(200);
      expect((await call('GET', org, q, c.organisationManagementApiKey)).status).toBe(200);
    }
    for (const q of ['organisationLogsOnly=true', 'accountLogsOnly=TRUE&pageSize=50', 'accountId=00000000-0000-4000-8000-000000000000']) {
      expect((await call('GET', org, q, c.organisationManagementApiKey)).status).toBe(200);
    }
  });

  it('every error status: 400, 401, 403, 404, 405', async () => {
    const c = env.get().providers.instaclustr.credentials as unknown as Creds;
    const org = organisationUserActionsPath(c.organisationId);
    const cases: Array<[number, string, string, string, string | undefined, string?]> = [
      [
        400,
        'GET',
        org,
        'pageSize=x&startIndex=-1&crudOperations=NOPE&getActionCounts=2&organisationLogsOnly=true&accountLogsOnly=true&startTime=x&endTime=y',
        c.organisationManagementApiKey,
      ],
      [400, 'GET', ACCOUNT_USER_ACTIONS_PATH, 'startTime=2026-03-02&endTime=2026-03-01', c.provisioningApiKey],
      [401, 'GET', ACCOUNT_USER_ACTIONS_PATH, '', undefined],
      [401, 'GET', ACCOUNT_USER_ACTIONS_PATH, '', c.revokedApiKey],
      [401, 'GET', ACCOUNT_USER_ACTIONS_PATH, '', c.restrictedApiKey],
      [401, 'GET', org, '', c.organisationManagementApiKey, 'ghost@example.com'],
      [403, 'GET', ACCOUNT_USER_ACTIONS_PATH, '', c.monitoringApiKey],
      [403, 'GET', org, '', c.provisioningApiKey],
      [404, 'GET', organisationUserActionsPath(c.foreignOrganisationId), '', c.organisationManagementApiKey],
      [404, 'GET', '/v1/organisations', '', c.organisationManagementApiKey],
      [405, 'DELETE', ACCOUNT_USER_ACTIONS_PATH, '', c.provisioningApiKey],
      [405, 'POST', org, '', c.organisationManagementApiKey],
    ];
    for (const [status, method, path, q, key, user] of cases) {
      const r = await call(method, path, q, key, user);
      expect(r.status, `${method} ${path}?${q}`).toBe(status);
    }
  });

  it('the spec enumerates exactly the catalogue, and documents every parameter the server reads', () => {
    const spec = loadSpec(SPEC);
    expect(spec.at('/components/schemas/ActionKind/enum')).toEqual(ACTION_KINDS.map((a) => a.kind));
    const names = (op: string) => (spec.doc.paths[op].get.parameters as Array<{ $ref: string }>).map((p) => spec.deref(p).name).sort();
    expect(names('/cluster-management/v2/operations/user-actions/v2')).toEqual([
      'actionKinds',
      'crudOperations',
      'endTime',
      'getActionCounts',
      'pageSize',
      'startIndex',
      'startTime',
      'userName',
    ]);
    expect(names('/v1/organisations/{organisationId}/user-actions')).toEqual([
      'accountId',
      'accountLogsOnly',
      'actionKinds',
      'crudOperations',
      'endTime',
      'getActionCounts',
      'organisationId',
      'organisationLogsOnly',
      'pageSize',
      'startIndex',
      'startTime',
      'userName',
    ]);
    const domainTypes = new Set(spec.at('/components/schemas/DomainType/enum') as string[]);
    for (const a of ACTION_KINDS) expect(domainTypes.has(a.domainType), a.kind).toBe(true);
    expect(spec.doc.components?.responses?.NotFound).toBeDefined();
  });
});
