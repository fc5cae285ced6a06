import { describe, expect, it } from 'vitest';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';
import { clientsOf, creds, markedCrusoeRecord, readAll, worldControl, type CreatedWorld } from '../support/worlds.js';

const env = useEmulator({ now: FROZEN_NOW });
const WORKERS = 20;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** What one worker did in its own world, to be found there and nowhere else. */
interface Work {
  world: CreatedWorld;
  now: number;
  marker: string;
  vendorCalls: number;
}

/**
 * One test file's worth of work in a world of its own: freeze and advance its clock, inject, apply a
 * scenario, switch a fault on (even workers), create a K2 trail, log in to Octopai and use an
 * Opsera token (i + 1 times), as parallel test workers against one emulator do.
 */
async function work(i: number): Promise<Work> {
  const start = Date.parse(FROZEN_NOW) + i * HOUR;
  const world = await worldControl(() => env.get().controlUrl).createWorld({ name: `worker-${i}`, now: iso(start) });
  const { control } = worldControl(() => world.controlUrl);
  const now = start + (i + 1) * 60_000;
  expect((await control('POST', '/clock', { advance: `PT${i + 1}M` })).body.now).toBe(iso(now));
  const marker = `worker-${i}`;
  expect((await control('POST', '/providers/crusoe/events', [markedCrusoeRecord(marker, iso(now - 1000))])).status).toBe(201);
  expect((await control('POST', '/scenarios/mass-deletion', {})).status).toBe(201);
  if (i % 2 === 0) expect((await control('PUT', '/faults/instaclustr', [{ errorRate: 1, errorStatus: 503 }])).status).toBe(200);
  const k = clientsOf(world.manifest);
  const bucket = `${creds(world.manifest, 'k2').customer}-activity-log`;
  expect((await k.k2.call('CreateTrail', { Name: `trail-${i}`, S3BucketName: bucket })).status).toBe(200);
  expect((await k.octopai.login()).status).toBe(200);
  for (let n = 0; n <= i; n++) expect((await k.opsera.getUserActions({})).status).toBe(200);
  expect((await k.instaclustr.getAccountUserActions({ pageSize: 1 })).status).toBe(i % 2 === 0 ? 503 : 200);
  return { world, now, marker, vendorCalls: 3 + (i + 1) };
}

/** Everything the worker can see in its world is its own. */
async function check(i: number, w: Work): Promise<void> {
  const { control } = worldControl(() => w.world.controlUrl);
  expect((await control('GET', '/clock')).body).toMatchObject({ now: iso(w.now), frozen: true });
  const k = clientsOf(w.world.manifest);
  const page = await k.crusoe.getAuditLogs({ start_time: iso(w.now - HOUR), end_time: iso(w.now), limit: '1000' });
  expect(page.ok).toBe(true);
  const workers = page.ok ? page.body.items.filter((e) => e.actor_id.startsWith('worker-')).map((e) => e.actor_id) : [];
  expect(workers).toEqual([w.marker]);
  const trails = await k.k2.call('DescribeTrails', {});
  if (!trails.ok) throw new Error(`DescribeTrails answered ${trails.status}`);
  expect(trails.body.trailList?.map((t) => t.Name)).toEqual([`trail-${i}`]);
  const applied = (await control('GET', '/scenarios/applied')).body.applied as unknown[];
  expect(applied).toHaveLength(1);
  const faults = (await control('GET', '/faults')).body.faults as Record<string, unknown[]>;
  expect(faults.instaclustr).toHaveLength(i % 2 === 0 ? 1 : 0);
  const uses = await control('GET', `/providers/opsera/truth?feed=tokens&from=${iso(w.now)}&to=${iso(w.now)}`);
  expect(uses.body.count).toBe(i + 1);
  const logins = await control('GET', `/providers/octopai/truth?from=${iso(w.now)}&to=${iso(w.now)}`);
  const own = logins.body.records.filter((r: { eventType: string }) => r.eventType === 'Login');
  expect(own.map((r: { userName: string }) => r.userName)).toEqual([creds(w.world.manifest, 'octopai').userName]);
  // Each request log entry is one of this worker's vendor calls (two more made here), and every one of them is there.
  const log = (await control('GET', '/requests?limit=500')).body.requests as unknown[];
  expect(log).toHaveLength(w.vendorCalls + 2);
}

describe('worlds: 20 workers in parallel, each in its own world', () => {
  it("never lets a worker see another's clock, events, trails, recorded calls, faults or request log", async () => {
    const done = await Promise.all(Array.from({ length: WORKERS }, (_, i) => work(i)));
    await Promise.all(done.map((w, i) => check(i, w)));
    // The default world saw none of it.
    const { control } = worldControl(() => env.get().controlUrl);
    expect((await control('GET', '/_emulator/requests?limit=500')).body.requests).toEqual([]);
    expect((await control('GET', '/_emulator/clock')).body.now).toBe(FROZEN_NOW);
    // Deleted, a world's credentials fail on all five vendors, while the others' still work.
    await Promise.all(done.filter((_, i) => i % 2 === 1).map((w) => control('DELETE', `/_emulator/worlds/${w.world.id}`)));
    for (const [i, w] of done.entries()) {
      const statuses = await readAll(w.world.manifest);
      if (i % 2 === 1) expect(statuses).toEqual({ crusoe: 401, instaclustr: 401, k2: 400, octopai: 401, opsera: 401 });
      else expect(statuses).toEqual({ crusoe: 200, instaclustr: 503, k2: 200, octopai: 200, opsera: 200 });
    }
  });
});
