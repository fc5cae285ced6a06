// How a user tests their own client against the emulator with the contract helpers
// (the README shows this example).
import { describe, expect, it } from 'vitest';
import { RequestRecorder } from '../../contracts/index.js';
import { signRequest } from '../../servers/crusoe/signature.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

/** A small user-written client: fetches one page of Crusoe audit logs for a SIEM poller. */
async function pollCrusoe(opts: {
  baseUrl: string;
  accessKeyId: string;
  secretKey: string;
  organizationId: string;
  limit: number | string;
  fetch?: typeof fetch;
}) {
  const path = `/v1alpha5/organizations/${opts.organizationId}/audit-logs`;
  const query = `limit=${opts.limit}`;
  const headers = signRequest({ ...opts, method: 'GET', path, query });
  const res = await (opts.fetch ?? fetch)(`${opts.baseUrl}${path}?${query}`, { headers });
  return { status: res.status, body: await res.json() };
}

const env = useEmulator({ now: FROZEN_NOW, only: ['crusoe'] });
const strict = useEmulator({ now: FROZEN_NOW, only: ['crusoe'], validateRequests: true });

describe('testing your own client', () => {
  it('records the calls and asserts they all conformed', async () => {
    const recorder = new RequestRecorder();
    const c = env.get().providers.crusoe;
    const r = await pollCrusoe({ ...(c.credentials as any), baseUrl: c.baseUrl, limit: 5, fetch: recorder.fetch });
    expect(r.status).toBe(200);
    expect(recorder.calls).toHaveLength(1);
    recorder.assertAllConform('crusoe');
  });

  it('names the client mistake: a limit the spec does not allow', async () => {
    const recorder = new RequestRecorder();
    const c = env.get().providers.crusoe;
    await pollCrusoe({ ...(c.credentials as any), baseUrl: c.baseUrl, limit: 'all', fetch: recorder.fetch });
    const problems = recorder.problems('crusoe');
    expect(problems).toHaveLength(1);
    expect(problems[0].problems.join('\n')).toContain("request query.limit: query parameter 'limit' must match pattern");
    expect(() => recorder.assertAllConform('crusoe')).toThrow(/did not conform/);
  });
});

describe('strict mode (--validate-requests)', () => {
  it('answers a non-conforming request with the vendor 400 naming the parameter', async () => {
    const c = strict.get().providers.crusoe;
    const r = await pollCrusoe({ ...(c.credentials as any), baseUrl: c.baseUrl, limit: 'ten' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('bad_request');
    expect(r.body.message).toContain("query parameter 'limit' must match pattern");
    const log = await (await fetch(`${strict.get().controlUrl}/_emulator/requests?vendor=crusoe&status=400`)).json();
    expect(log.requests[0].problem).toContain('strict mode');
    const unknown = await fetch(`${c.baseUrl}/v1alpha5/organizations/x/audit-logs?offset=5`);
    expect(((await unknown.json()) as { message: string }).message).toContain("missing required header parameter 'X-Crusoe-Timestamp'");
    expect((await pollCrusoe({ ...(c.credentials as any), baseUrl: c.baseUrl, limit: 5 })).status).toBe(200);
  });
});
