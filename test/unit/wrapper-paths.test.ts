import { describe, expect, it, vi } from 'vitest';
import { buildCompany } from '../../fixtures/company.js';
import { Clock } from '../../servers/core/clock.js';
import { ProviderRuntime } from '../../servers/core/provider.js';
import { RequestLog } from '../../servers/core/requestlog.js';
import { crusoe } from '../../servers/crusoe/index.js';
import { signRequest } from '../../servers/crusoe/signature.js';

/**
 * The core serves a vendor two ways: straight to its routes while nothing needs a middleware, and
 * through the wrapping middleware once a fault is on. A fault that matches no route switches the
 * second way on without changing any answer, so both ways must answer and log alike.
 */
const NOWHERE = [{ route: 'GET /nowhere', errorRate: 1 }];

function runtime(onChange?: () => Promise<void>) {
  const log = new RequestLog();
  const clock = new Clock({ now: Date.parse('2026-03-10T10:00:00Z'), frozen: true });
  const rt = new ProviderRuntime(crusoe, { seed: 1, clock, company: buildCompany(1), config: {}, log, onChange });
  const c = rt.instance.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
  const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
  const query = 'limit=5&results=OK';
  const signed = () => new Request(`http://crusoe${path}?${query}`, { headers: signRequest({ ...c, method: 'GET', path, query }) });
  const unsigned = () => new Request(`http://crusoe${path}?${query}`);
  return { rt, log, path, signed, unsigned };
}

/** What each request answered and what the log kept of it, without error ids, times and latencies. */
async function serve(rt: ProviderRuntime, log: RequestLog, requests: Array<() => Request>) {
  const answers = [];
  for (const make of requests) {
    const res = await rt.app.fetch(make());
    // Error answers carry a fresh id each time.
    const body = (await res.text()).replace(/"error_id":"[^"]*"/, '"error_id":"-"');
    answers.push({ status: res.status, type: res.headers.get('content-type'), body });
  }
  const logged = log.list({ limit: requests.length }).map(({ method, path, status, auth, problem }) => ({ method, path, status, auth, problem }));
  log.clear();
  return { answers, logged };
}

describe('the two ways through the core answer and log alike', () => {
  it('signed, unsigned and unknown routes: the same answers and log entries, with the auth outcome', async () => {
    const { rt, log, path, signed, unsigned } = runtime();
    const unknown = () => new Request('http://crusoe/v1alpha5/nothing');
    const direct = await serve(rt, log, [signed, unsigned, unknown]);
    rt.faults.set(NOWHERE);
    const wrapped = await serve(rt, log, [signed, unsigned, unknown]);
    expect(direct.answers.map((a) => a.status)).toEqual([200, 401, 404]);
    expect(JSON.parse(direct.answers[0].body).items.length).toBeGreaterThan(0);
    expect(wrapped).toEqual(direct);
    expect(direct.logged).toEqual([
      { method: 'GET', path: '/v1alpha5/nothing', status: 404, auth: undefined, problem: undefined },
      { method: 'GET', path, status: 401, auth: { outcome: 'refused', reason: 'missing or malformed authorization header' }, problem: undefined },
      { method: 'GET', path, status: 200, auth: { outcome: 'ok' }, problem: undefined },
    ]);
  });

  it('a request that may have changed state waits for the save; a failed save answers 500 in the vendor shape', async () => {
    let failing = false;
    const onChange = vi.fn(() => (failing ? Promise.reject(new Error('disk full')) : Promise.resolve()));
    const { rt, log, signed } = runtime(onChange);
    const post = () => new Request('http://crusoe/v1alpha5/anything', { method: 'POST' });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const saved = await serve(rt, log, [signed, post]);
    // A read that changed nothing waits for nothing; a POST may have changed state.
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(saved.answers.map((a) => a.status)).toEqual([200, 404]);
    failing = true;
    const direct = await serve(rt, log, [post]);
    rt.faults.set(NOWHERE);
    const wrapped = await serve(rt, log, [post]);
    expect(direct.answers).toEqual([{ status: 500, type: 'application/json', body: expect.stringContaining('state could not be saved') }]);
    expect(direct.logged).toEqual([{ method: 'POST', path: '/v1alpha5/anything', status: 500, auth: undefined, problem: undefined }]);
    expect(wrapped).toEqual(direct);
    vi.restoreAllMocks();
  });
});
