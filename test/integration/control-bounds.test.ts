import { describe, expect, it } from 'vitest';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW });

async function post(path: string, body: unknown) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const r = await fetch(`${env.get().controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function everyVendorServes(): Promise<void> {
  const e = env.get();
  const health = await fetch(`${e.controlUrl}/_emulator/health`);
  expect(health.status).toBe(200);
  expect((await fetch(`${e.controlUrl}/_emulator/manifest`)).status).toBe(200);
  // Unauthenticated requests still go through each vendor's clock-dependent path up to auth; none may be a 5xx.
  for (const p of Object.values(e.providers)) {
    const r = await fetch(`${p.baseUrl}/`);
    await r.arrayBuffer();
    expect(r.status, p.id).toBeLessThan(500);
  }
  const login = await fetch(`${e.providers.octopai.baseUrl}/api/UserAccount/Login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(e.providers.octopai.credentials),
  });
  expect(login.status).toBe(200);
}

describe('clock bounds', () => {
  it.each([
    [{ advance: 1e20 }, 'advance'],
    [{ advance: 'P99999999999D' }, 'advance'],
    [{ advance: '99999999999999999999' }, 'advance'],
    [{ set: '+275760-09-13T00:00:00Z' }, 'set'],
    [{ set: '-271821-04-20T00:00:00Z' }, 'set'],
    [{ set: 'year 99999' }, 'set'],
    [{ set: '1' }, 'set'],
    [{ set: '9999-12-31T23:59:59Z', advance: 'PT1S' }, 'range'],
    [{ set: '1970-01-01T00:00:00Z', advance: -1 }, 'range'],
  ])('refuses %j with a 400 naming %s, and every vendor keeps serving', async (body, word) => {
    const before = env.get().clock.now();
    const r = await post('/_emulator/clock', body);
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toContain(word);
    expect(env.get().clock.now()).toBe(before);
    await everyVendorServes();
  });

  it('applies nothing when one field is bad', async () => {
    const e = env.get();
    const before = e.clock.state();
    const r = await post('/_emulator/clock', { set: '2030-01-01T00:00:00Z', frozen: false, advance: 'bogus' });
    expect(r.status).toBe(400);
    expect(e.clock.state()).toEqual(before);
  });

  it('still takes the edges of the range and a hundred years at once', async () => {
    expect((await post('/_emulator/clock', { set: '9999-12-31T23:59:59Z' })).status).toBe(200);
    expect((await post('/_emulator/clock', { set: '1970-01-01T00:00:00Z' })).status).toBe(200);
    expect((await post('/_emulator/clock', { advance: 100 * 365 * 86400 })).status).toBe(200);
    await everyVendorServes();
    expect((await post('/_emulator/clock', { set: FROZEN_NOW })).body.now).toBe(FROZEN_NOW);
  });
});

describe('injected record limits', () => {
  const deep = (n: number) => {
    let v: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < n; i++) v = { a: v };
    return v;
  };
  const k2Record = (extra: Record<string, unknown>) => ({ eventTime: '2026-03-10T09:00:00Z', eventName: 'RunInstances', ...extra });

  it('refuses a record nested deeper than 32 levels or larger than 1 MiB, and K2 keeps serving', async () => {
    const e = env.get();
    // Built as text: JSON.stringify itself runs out of stack at this depth.
    const nested = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    const tooDeep = await post('/_emulator/providers/k2/events', JSON.stringify(k2Record({ requestParameters: 0 })).replace('0}', `${nested}}`));
    expect(tooDeep.status).toBe(400);
    expect(String(tooDeep.body.error)).toContain('deeper than 32');
    const big = await post('/_emulator/providers/k2/events', k2Record({ requestParameters: { blob: 'x'.repeat(1_100_000) } }));
    expect(big.status).toBe(400);
    expect(String(big.body.error)).toContain('1 MiB');
    const ok = await post('/_emulator/providers/k2/events', k2Record({ requestParameters: deep(20) }));
    expect(ok.status).toBe(201);
    const id = (ok.body.ids as string[])[0];
    expect((await fetch(`${e.controlUrl}/_emulator/events/k2/${id}`)).status).toBe(200);
  });

  it('refuses a record whose time is outside the clock range', async () => {
    const r = await post('/_emulator/providers/crusoe/events', {
      start_time: '+275760-09-13T00:00:00Z',
      end_time: '2026-03-10T09:00:00Z',
      action: 'Create',
      actor_id: 'x',
      actor_email: 'a@b.c',
      actor_type: 'User',
      client_ip: '10.0.0.1:1',
      result: 'OK',
      surface: 'API',
    });
    expect(r.status).toBe(400);
    await everyVendorServes();
  });
});

describe('scenario parameters', () => {
  it.each(['-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', 'yesterday'])("refuses 'at' = %s with a 400", async (at) => {
    const r = await post('/_emulator/scenarios/brute-force-login', { at });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toContain("'at'");
  });

  it('refuses an ip that is not an IP address', async () => {
    const r = await post('/_emulator/scenarios/brute-force-login', { ip: 'not-an-ip' });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toMatch(/'ip' must match format "ipv4" or must match format "ipv6"/);
    expect((await post('/_emulator/scenarios/brute-force-login', { ip: '2001:db8::7' })).status).toBe(201);
  });

  it('stores nothing when one vendor refuses the records a scenario built', async () => {
    const e = env.get();
    const before = [...e.runtimes.get('octopai')!.ctx.store.insertedEntries()].length;
    // A 1970 start puts the scenario's earliest records before the clock's range: the first vendor's batch passes, a later one fails.
    const r = await post('/_emulator/scenarios/brute-force-login', { at: '1970-01-01T00:00:00Z' });
    expect(r.status).toBe(400);
    expect([...e.runtimes.get('octopai')!.ctx.store.insertedEntries()].length).toBe(before);
  });
});

describe('fault bounds', () => {
  it.each([
    [{ throttle: { perSecond: 1e-300 } }, 'throttle.perSecond'],
    [{ throttle: { perSecond: 5, burst: 1e9 } }, 'throttle.burst'],
    [{ throttle: { perSecond: 5, retryAfterSeconds: 86_400 } }, 'throttle.retryAfterSeconds'],
    [{ latency: { uniform: [300, 100] } }, 'latency.uniform'],
    [{ latency: 700_000 }, 'latency'],
  ])('refuses %j naming %s', async (fault, field) => {
    const r = await fetch(`${env.get().controlUrl}/_emulator/faults/crusoe`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([fault]),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toContain(field);
  });

  it('refuses a bad fault in the config at start-up', async () => {
    const { startEmulator, ConfigError } = await import('../../servers/index.js');
    await expect(startEmulator({ portBase: 0, only: ['crusoe'], config: { crusoe: { faults: [{ errorRate: 5 }] } } })).rejects.toBeInstanceOf(ConfigError);
  });
});
