// The gauntlet fault profile and the ingestion delay: expanded into plain faults, repeatable from a
// seed, and a delay that hides records from the API (never from the truth) until it has passed.
import { describe, expect, it } from 'vitest';
import { CrusoeClient } from '../../contracts/crusoe/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW, only: ['crusoe'] });

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(env.get().controlUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

const client = () => {
  const c = env.get().providers.crusoe.credentials as Record<string, string>;
  return new CrusoeClient({
    baseUrl: env.get().providers.crusoe.baseUrl,
    accessKeyId: c.accessKeyId,
    secretKey: c.secretKey,
    organizationId: c.organizationId,
  });
};

describe('the gauntlet profile', () => {
  it('expands into throttling, 503s, drops, latency and an ingestion delay drawn from its seed, and combines with other faults', async () => {
    const r = await control('PUT', '/_emulator/faults/crusoe', { profile: 'gauntlet', seed: 3 });
    expect(r.status).toBe(200);
    expect(r.body.faults).toEqual([
      { throttle: { perSecond: 10, burst: 5, retryAfterSeconds: 4 } },
      { errorRate: 0.05, errorStatus: 503, seed: 3 },
      { dropRate: 0.02, seed: 4 },
      { latency: { uniform: [0, 40] }, seed: 5 },
      { ingestionDelay: { maxSeconds: 120 }, seed: 6 },
      { arrivals: { perAnswer: 1 } },
      { tokenExpiry: { rate: 0.05 }, seed: 7 },
    ]);
    const both = await control('PUT', '/_emulator/faults/crusoe', { faults: [{ profile: 'gauntlet' }, { route: 'GET /v1', latency: 1 }] });
    expect(both.body.faults).toHaveLength(8);
    expect(both.body.faults[0].throttle.retryAfterSeconds).toBe(2);
    expect((await control('PUT', '/_emulator/faults/crusoe', { profile: 'other' })).status).toBe(400);
    await control('DELETE', '/_emulator/faults/crusoe');
  });

  it('answers the same statuses for the same seed', async () => {
    const run = async () => {
      await control('PUT', '/_emulator/faults/crusoe', { errorRate: 0.5, errorStatus: 503, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await client().getAuditLogs({ limit: '1' })).status);
      return statuses;
    };
    const first = await run();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
    await control('DELETE', '/_emulator/faults/crusoe');
  });
});

describe('arrivals', () => {
  it('lands records at the head of the log after every successful answer, in the vendor shape, at now', async () => {
    const now = (await control('GET', '/_emulator/clock')).body.now as string;
    const from = new Date(Date.parse(now) - 60_000).toISOString();
    const truth = async () => (await control('GET', `/_emulator/providers/crusoe/truth?from=${from}&to=${now}`)).body.records as any[];
    const before = await truth();
    await control('PUT', '/_emulator/faults/crusoe', { arrivals: { perAnswer: 2 } });
    const page = await client().getAuditLogs({ start_time: from, end_time: now, limit: '1000' });
    expect(page.status).toBe(200);
    const after = await truth();
    expect(after).toHaveLength(before.length + 2);
    expect(after.slice(0, 2).map((e) => [e.action, e.start_time])).toEqual([
      ['Create', now],
      ['Create', now],
    ]);
    expect((await client().getAuditLogs({ start_time: from, end_time: now, limit: '1000' })).ok && (await truth()).length).toBe(before.length + 4);
    await control('DELETE', '/_emulator/faults/crusoe');
  });
});

describe('ingestion delay', () => {
  it('hides a record from the API until its delay has passed; the truth has it all along', async () => {
    const now = Date.parse((await control('GET', '/_emulator/clock')).body.now);
    const at = new Date(now - 1000).toISOString();
    const actor = {
      actor_id: '00000000-0000-4000-8000-000000000002',
      actor_email: 'late@example.com',
      actor_type: 'User',
      client_ip: '192.0.2.9:443',
      result: 'OK',
      surface: 'Console',
    };
    const batch = Array.from({ length: 20 }, (_, i) => ({ ...actor, action: `Late${i}`, start_time: at, end_time: at }));
    expect((await control('POST', '/_emulator/providers/crusoe/events', batch)).status).toBe(201);
    await control('PUT', '/_emulator/faults/crusoe', { ingestionDelay: { maxSeconds: 3600 }, seed: 9 });
    const window = { start_time: new Date(now - 60_000).toISOString(), end_time: new Date(now).toISOString(), limit: 1000 };
    const late = async () => {
      const r = await client().getAuditLogs(window as never);
      return r.ok ? r.body.items.filter((e) => e.actor_email === 'late@example.com').length : -1;
    };
    const seen = await late();
    expect(seen).toBeLessThan(20);
    const truth = await control('GET', `/_emulator/providers/crusoe/truth?from=${window.start_time}&to=${window.end_time}`);
    expect(truth.body.records.filter((e: any) => e.actor_email === 'late@example.com')).toHaveLength(20);
    await control('POST', '/_emulator/clock', { advance: 'PT61M' });
    expect(await late()).toBe(20);
    await control('DELETE', '/_emulator/faults/crusoe');
  });
});
