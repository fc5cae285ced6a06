/**
 * Property test of the control plane: random sequences of control calls, valid and invalid
 * (clock, injection, scenarios, faults, reset, request log). After every step the control API
 * must not have answered 5xx, and health, the manifest and one signed request per vendor must
 * still answer without a 5xx. With a state file, a restart after the sequence must succeed and
 * hold the same clock. CONTROL_STEPS steps (300 in `npm test`, more in `npm run fuzz`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorizerFor } from '../../contracts/auth.js';
import { startEmulator, type Emulator } from '../../servers/index.js';

const STEPS = Number(process.env.CONTROL_STEPS ?? 300);
const NOW = '2026-03-10T10:00:00.000Z';

type Step = { method: string; path: string; body?: unknown; raw?: string; contentType?: string };

const instant = fc.oneof(
  fc.date({ min: new Date('1969-06-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00Z', '-271821-04-20T00:00:00Z', 'year 99999', '1', '', 'now'),
);
const duration = fc.oneof(
  fc.constantFrom('PT1H', 'P1D', '-PT5M', 'P99999999999D', '99999999999999999999', 'bogus', 'P', 'PT', '3600'),
  fc.double({ noNaN: false }),
  fc.integer({ min: -100_000, max: 100_000 }),
);
const clock = fc.record({ set: instant, advance: duration, frozen: fc.oneof(fc.boolean(), fc.constant('yes')) }, { requiredKeys: [] });

const number = fc.oneof(fc.double(), fc.constantFrom(0, -1, 1, 1e-300, 1e300, 0.5, 2));
const fault = fc.record(
  {
    route: fc.constantFrom('/', '/v1', 'POST /', 'nope', ''),
    latency: fc.oneof(
      fc.integer({ min: 0, max: 20 }),
      fc.constantFrom(-1, 'slow', { uniform: [0, 10] }, { normal: { mean: 5, stddev: 1 } }, { exponential: { mean: 2 } }),
    ),
    errorRate: number,
    errorStatus: fc.constantFrom(500, 502, 503, 504, 200, 418),
    dropRate: fc.constantFrom(0, 0.1, 2, -1),
    throttle: fc.record({ perSecond: number, burst: number, retryAfterSeconds: number }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

const vendors = ['crusoe', 'instaclustr', 'k2', 'octopai', 'opsera', 'nosuch'];
const records: Record<string, unknown> = {
  crusoe: {
    start_time: '2026-03-10T09:00:00Z',
    end_time: '2026-03-10T09:00:01Z',
    action: 'Create',
    actor_id: 'u1',
    actor_email: 'a@example.com',
    actor_type: 'User',
    client_ip: '10.0.0.1:1',
    result: 'OK',
    surface: 'API',
  },
  instaclustr: { action: 'CLUSTER_CREATE', timestamp: '2026-03-10T09:00:00Z', userName: 'someone@example.com' },
  k2: { eventTime: '2026-03-10T09:00:00Z', eventName: 'RunInstances' },
  octopai: { eventType: 'Login', eventDate: '2026-03-10T09:00:00Z', ipAddress: '10.0.0.1' },
  opsera: { type: 'pipeline', action: 'run', createdAt: '2026-03-10T09:00:00Z' },
};
const garbage = fc.oneof(
  fc.json({ maxDepth: 3 }).map((j) => JSON.parse(j) as unknown),
  fc.constant([]),
  fc.constant(null),
);
const scenarioNames = ['brute-force-login', 'api-key-churn', 'mass-deletion', 'off-hours-admin', 'audit-tampering', 'departing-employee', 'nosuch'];
const scenarioParams = fc.record(
  {
    at: instant,
    ip: fc.constantFrom('203.0.113.9', 'not-an-ip', '::1', ''),
    attempts: fc.oneof(fc.integer({ min: -5, max: 600 }), fc.constant('x')),
    count: fc.integer({ min: -5, max: 600 }),
    pairs: fc.integer({ min: -5, max: 300 }),
    user: fc.constantFrom('nobody@example.com', '', 42),
    trail: fc.constantFrom('t1', '', 'x'.repeat(200)),
  },
  { requiredKeys: [] },
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: clock.map((body) => ({ method: 'POST', path: '/_emulator/clock', body })) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom(...vendors), fc.oneof(fc.constant(undefined), garbage)).map(([v, g]) => ({
      method: 'POST',
      path: `/_emulator/providers/${v}/events`,
      body: g === undefined ? (records[v] ?? {}) : g,
    })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...scenarioNames), scenarioParams).map(([n, p]) => ({ method: 'POST', path: `/_emulator/scenarios/${n}`, body: p })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...vendors), fc.array(fault, { maxLength: 2 }))
      .map(([v, f]) => ({ method: 'PUT', path: `/_emulator/faults/${v}`, body: f })),
  },
  { weight: 1, arbitrary: fc.constant({ method: 'DELETE', path: '/_emulator/faults' }) },
  { weight: 1, arbitrary: fc.constant({ method: 'POST', path: '/_emulator/reset' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('status=500', 'limit=0', 'status=abc', 'vendor=k2&limit=5').map((q) => ({ method: 'GET', path: `/_emulator/requests?${q}` })),
  },
  { weight: 1, arbitrary: fc.constantFrom('{', 'null', '"x"', '[1,').map((raw) => ({ method: 'POST', path: '/_emulator/clock', raw })) },
);

async function send(emu: Emulator, s: Step): Promise<number> {
  const body = s.raw ?? (s.body === undefined ? undefined : JSON.stringify(s.body));
  const r = await fetch(`${emu.controlUrl}${s.path}`, { method: s.method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body });
  await r.arrayBuffer();
  return r.status;
}

/** Health, manifest and one authenticated request per vendor, with faults cleared (their 5xx are deliberate). */
async function stillServing(emu: Emulator): Promise<string[]> {
  const bad: string[] = [];
  await fetch(`${emu.controlUrl}/_emulator/faults`, { method: 'DELETE' }).then((r) => r.arrayBuffer());
  for (const path of ['/_emulator/health', '/_emulator/manifest', '/_emulator/clock']) {
    const r = await fetch(`${emu.controlUrl}${path}`);
    await r.arrayBuffer();
    if (r.status >= 500) bad.push(`${path} ${r.status}`);
  }
  for (const [id, p] of Object.entries(emu.manifest().providers)) {
    const url = new URL(p.baseUrl + PROBES[id].path);
    const body = PROBES[id].body;
    const headers = { ...(PROBES[id].headers ?? {}) };
    const authorize = await authorizerFor(id, p);
    Object.assign(headers, await authorize({ method: PROBES[id].method, url, headers, body }));
    const r = await fetch(url, { method: PROBES[id].method, headers, body });
    await r.arrayBuffer();
    if (r.status >= 500) bad.push(`${id} ${r.status}`);
  }
  return bad;
}

const PROBES: Record<string, { method: string; path: string; body?: string; headers?: Record<string, string> }> = {
  crusoe: { method: 'GET', path: '' },
  instaclustr: { method: 'GET', path: '/cluster-management/v2/operations/user-actions/v2?pageSize=5' },
  k2: {
    method: 'POST',
    path: '/',
    body: '{"MaxResults":5}',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents' },
  },
  octopai: { method: 'GET', path: '/api/UserAccount/UserEvents?pageSize=5' },
  opsera: { method: 'GET', path: '/api/v1/logs/user/actions?count=5' },
};

describe('control plane under random sequences of calls', () => {
  it(`keeps every vendor serving and never answers 5xx (${STEPS} steps), and restarts from its state file`, { timeout: 600_000 }, async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'control-fuzz-')), 'state.json');
    let emu = await startEmulator({ portBase: 0, now: NOW, stateFile });
    PROBES.crusoe.path = `/v1alpha5/organizations/${(emu.providers.crusoe.credentials as { organizationId: string }).organizationId}/audit-logs?limit=5`;
    const steps = fc.sample(fc.array(step, { minLength: STEPS, maxLength: STEPS }), { numRuns: 1, seed: Number(process.env.CONTROL_SEED ?? 42) })[0];
    const fiveXX: string[] = [];
    const statuses: Record<string, number> = {};
    try {
      for (const s of steps) {
        const status = await send(emu, s);
        statuses[`${Math.floor(status / 100)}xx`] = (statuses[`${Math.floor(status / 100)}xx`] ?? 0) + 1;
        if (status >= 500) fiveXX.push(`${s.method} ${s.path} ${s.raw ?? JSON.stringify(s.body)} -> ${status}`);
        for (const b of await stillServing(emu)) fiveXX.push(`after ${s.method} ${s.path} ${JSON.stringify(s.body)}: ${b}`);
      }
      const before = emu.clock.state();
      // Recorded and injected events still within retention (recovery drops older ones, as the pruner would);
      // a minute's margin keeps a running clock's move between close and restart out of it.
      const stored = (e: Emulator) =>
        Object.fromEntries(
          [...e.runtimes].map(([id, rt]) => {
            const since = e.clock.now() - rt.ctx.store.retentionMs + 60_000;
            return [id, [...rt.ctx.store.insertedEntries()].filter((x) => x.ts >= since).length];
          }),
        );
      const held = stored(emu);
      await emu.close();
      emu = await startEmulator({ portBase: 0, now: NOW, stateFile });
      if (before.frozen) expect(emu.clock.state().now).toBe(before.now);
      expect(emu.clock.state().frozen).toBe(before.frozen);
      // Every recorded and injected event is back (the probes above recorded some too).
      expect(JSON.stringify(stored(emu))).toBe(JSON.stringify(held));
      expect(await stillServing(emu)).toEqual([]);
    } finally {
      await emu.close();
    }
    console.log(`control fuzz: ${steps.length} steps, answers ${JSON.stringify(statuses)}, 5xx seen: ${fiveXX.length}`);
    expect(fiveXX).toEqual([]);
  });
});
