import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizerFor } from '../../contracts/auth.js';
import { liveSuite } from '../../contracts/live/suites.js';
import { RequestRecorder } from '../../contracts/recorder.js';
import { scenarios } from '../../fixtures/scenarios.js';
import { checkFetchResponse } from '../../servers/core/conformance.js';
import { startCore, type Emulator } from '../../servers/core/emulator.js';
import { controlPort } from '../../servers/control/index.js';
import { buildCompany } from '../../fixtures/company.js';
import type { ScenarioDef, ScenarioEvent } from '../../servers/core/scenarios.js';
import { loadSpec } from '../../servers/core/spec.js';
import { providers } from '../../servers/registry.js';
import { FROZEN_NOW } from '../support/emulator.js';
import { fuzzProvider } from '../support/fuzz.js';
import { sample } from '../support/sample-vendor/index.js';

/**
 * A sixth vendor is one folder: test/support/sample-vendor exists only in the test tree, is
 * registered here next to the five, and goes through the same machinery as they do: its responses
 * are validated against its own spec (parity), its live suite and a recorded client find no
 * difference (conformance), scenarios build its records through its hooks, and the fuzzer finds
 * no 5xx. Nothing outside its folder names it.
 */
const spec = loadSpec(sample.specFile);
const MIN = 60_000;

/** A story with the sample vendor's own actions next to a real vendor's, both built through ctx.record. */
const exportSpree: ScenarioDef = {
  name: 'sample-export-spree',
  title: 'Export spree',
  description: 'Exports on the sample vendor, then an Opsera pipeline deleted.',
  vendors: ['sample', 'opsera'],
  params: [{ name: 'count', type: 'integer', default: 4, min: 1, max: 50, description: 'Exports' }],
  build(ctx) {
    const p = ctx.company.admins[0];
    const n = ctx.params.count as number;
    const out: ScenarioEvent[] = [];
    for (let i = 0; i < n; i++) {
      out.push(ctx.record('sample', { person: p, at: ctx.at - (n - i) * MIN, action: 'export', target: { name: `report-${i}.csv` } }));
    }
    out.push(ctx.record('opsera', { person: p, at: ctx.at, action: 'delete', target: { type: 'pipeline' } }));
    return out;
  },
};

let emu: Emulator;
beforeAll(async () => {
  emu = await startCore(
    { providers: [...providers, sample], buildCompany, scenarios: [...scenarios, exportSpree], control: controlPort },
    { portBase: 0, now: FROZEN_NOW, validateResponses: true },
  );
});
afterAll(async () => {
  await emu?.close();
  expect(emu?.violations ?? [], 'responses that do not conform to their OpenAPI spec').toEqual([]);
});

type Credentials = { token: string; noScopeToken: string };
/** The sample vendor's manifest entry in a given emulator (this file's by default). */
function target(of: Emulator = emu): { baseUrl: string; credentials: Credentials } {
  const p = of.manifest().providers.sample;
  return { baseUrl: p.baseUrl, credentials: p.credentials as Credentials };
}

/** A call to the sample vendor whose answer must conform to its spec; returns status, headers and JSON body. */
async function call(path: string, init: RequestInit & { token?: string | null } = {}) {
  const { token = target().credentials.token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  const url = target().baseUrl + path;
  const res = await fetch(url, { ...rest, headers });
  const conf = await checkFetchResponse(spec, rest.method ?? 'GET', url, res);
  expect(conf.errors, `${path} ${res.status}`).toEqual([]);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

function control(method: string, path: string, body?: unknown) {
  return fetch(emu.controlUrl + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

describe('a vendor that exists only in the test tree', () => {
  it('is served, listed and summarised like the five', async () => {
    expect(Object.keys(emu.manifest().providers)).toEqual(['crusoe', 'instaclustr', 'k2', 'octopai', 'opsera', 'sample']);
    const snippets = (await (await control('GET', '/_emulator/snippets')).json()).snippets;
    expect(snippets.sample[0].code).toContain(`${target().baseUrl}/v1/events`);
    expect(snippets.sample[0].code).toContain(target().credentials.token);
    const timeline = await (await control('GET', '/_emulator/timeline?vendor=sample&limit=5')).json();
    expect(timeline.events).toHaveLength(5);
    expect(timeline.events[0]).toMatchObject({ vendor: 'sample', actor: expect.stringContaining('@'), outcome: 'success' });
  });

  it('answers success and every failure kind in its own shape, as its spec says (parity)', async () => {
    const first = await call('/v1/events?limit=3');
    expect(first.body.events).toHaveLength(3);
    const next = await call(`/v1/events?cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect(Date.parse(next.body.events[0].time)).toBeLessThanOrEqual(Date.parse(first.body.events[2].time));

    expect((await call('/v1/events?limit=0')).body.error).toMatchObject({ code: 'bad_request', field: 'limit' });
    const anonymous = await call('/v1/events', { token: null });
    expect([anonymous.status, anonymous.body.error.code, anonymous.headers.get('www-authenticate')]).toEqual([401, 'missing_token', 'Bearer realm="sample"']);
    expect((await call('/v1/events', { token: 'smp_wrong' })).body.error.code).toBe('invalid_token');
    expect((await call('/v1/events', { token: target().credentials.noScopeToken })).body.error).toMatchObject({ code: 'insufficient_scope' });
    expect(await call('/v2/nothing')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const big = JSON.stringify({ actions: ['x'.repeat(70_000)] });
    expect(await call('/v1/events/search', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } })).toMatchObject({ status: 413 });
  });

  it('renders the core faults through its renderer: throttled with the exact Retry-After, unavailable, internal', async () => {
    try {
      await control('PUT', '/_emulator/faults/sample', [{ throttle: { perSecond: 0.001, burst: 1, retryAfterSeconds: 7 } }]);
      expect((await call('/v1/events')).status).toBe(200);
      const throttled = await call('/v1/events');
      expect([throttled.status, throttled.body.error.code, throttled.headers.get('retry-after')]).toEqual([429, 'throttled', '7']);
      await control('PUT', '/_emulator/faults/sample', [{ errorRate: 1, errorStatus: 503 }]);
      expect(await call('/v1/events')).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
      await control('PUT', '/_emulator/faults/sample', [{ errorRate: 1 }]);
      expect(await call('/v1/events')).toMatchObject({ status: 500, body: { error: { code: 'internal' } } });
    } finally {
      await control('DELETE', '/_emulator/faults/sample');
    }
    expect((await call('/v1/events')).status).toBe(200);
  });

  it('refuses an unknown or ill-typed switch at start, and applies its own', async () => {
    await expect(
      startCore({ providers: [sample], buildCompany, control: controlPort }, { portBase: 0, config: { sample: { maxPageSiz: 3 } } }),
    ).rejects.toThrow(/unknown setting 'sample\.maxPageSiz'/);
    await expect(
      startCore({ providers: [sample], buildCompany, control: controlPort }, { portBase: 0, config: { sample: { maxPageSize: '3' } } }),
    ).rejects.toThrow(/sample\.maxPageSize/);
    const small = await startCore(
      { providers: [sample], buildCompany, control: controlPort },
      { portBase: 0, now: FROZEN_NOW, config: { sample: { maxPageSize: 3 } } },
    );
    try {
      const p = target(small);
      const res = await fetch(`${p.baseUrl}/v1/events?limit=50`, { headers: { authorization: `Bearer ${p.credentials.token}` } });
      expect(((await res.json()) as { events: unknown[] }).events).toHaveLength(3);
    } finally {
      await small.close();
    }
  });

  it('its live suite and a recorded client find no difference from its spec (conformance)', async () => {
    const results = await liveSuite(sample).run(target());
    expect(results.length).toBeGreaterThanOrEqual(4);
    expect(results.filter((r) => r.problems.length)).toEqual([]);

    const recorder = new RequestRecorder();
    const auth = await authorizerFor(sample, target());
    let cursor: string | undefined;
    let seen = 0;
    do {
      const url = new URL('/v1/events/search', target().baseUrl);
      const body = JSON.stringify(cursor ? { cursor } : { actions: ['delete', 'export'], limit: 100 });
      const headers = { 'content-type': 'application/json', ...(await auth({ method: 'POST', url, headers: {}, body })) };
      const page = (await (await recorder.fetch(url, { method: 'POST', headers, body })).json()) as { events: unknown[]; next_cursor: string | null };
      seen += page.events.length;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toBeGreaterThan(100);
    recorder.assertAllConform(spec);
  });

  it('scenarios build its records through its hooks, next to a real vendor', async () => {
    const res = await control('POST', '/_emulator/scenarios/sample-export-spree', { count: 3 });
    const applied = (await res.json()) as { vendors: string[]; events: Array<{ vendor: string; id: string }> };
    expect(res.status).toBe(201);
    expect(applied.vendors.sort()).toEqual(['opsera', 'sample']);
    const ids = applied.events.filter((e) => e.vendor === 'sample').map((e) => e.id);
    expect(ids).toHaveLength(3);
    const served = await call('/v1/events?action=export&limit=100&since=2026-03-10T09:00:00Z');
    const mine = served.body.events.filter((e: { id: string }) => ids.includes(e.id));
    expect(mine.map((e: { target: string }) => e.target)).toEqual(['report-2.csv', 'report-1.csv', 'report-0.csv']);
    expect(new Set(mine.map((e: { actor: string }) => e.actor))).toEqual(new Set([emu.company.admins[0].email]));
  });

  it('its soak traffic, signed by its own authorizer, is served', async () => {
    const auth = await authorizerFor(sample, target());
    for (const r of sample.hooks!.soak(target()).requests) {
      const url = new URL(r.path, target().baseUrl);
      const headers = { ...r.headers, ...(await auth({ method: r.method, url, headers: r.headers ?? {}, body: r.body })) };
      expect((await fetch(url, { method: r.method, headers, body: r.body })).status, r.path).toBe(200);
    }
  });

  it('bad input never gets a 5xx (the fuzz machinery)', async () => {
    const runs = Number(process.env.FUZZ_RUNS ?? 500);
    const tally = await fuzzProvider(emu, sample, { runs, seed: Number(process.env.FUZZ_SEED ?? 424242) });
    console.log(`sample vendor fuzz cases (status class counts): ${JSON.stringify(tally)}`);
    expect(Object.values(tally).reduce((a, b) => a + b, 0)).toBe(runs);
    expect(tally['2xx'] ?? 0).toBeGreaterThan(0);
    expect(tally['4xx'] ?? 0).toBeGreaterThan(0);
  }, 300_000);
});
