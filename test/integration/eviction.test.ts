// Generated history is a cache under a memory budget: a walk under a budget too small to hold two
// days returns exactly what the same walk returns with every day kept, injected records included,
// and offsets, totals and action counts agree.
import { describe, expect, it } from 'vitest';
import { CrusoeClient } from '../../contracts/crusoe/client.js';
import { InstaclustrClient } from '../../contracts/instaclustr/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const DAY = 86_400_000;
const NOW = Date.parse(FROZEN_NOW);
const config = { crusoe: { volume: 2 }, instaclustr: { volume: 2, rateLimitPerSecond: 10_000 } };
const tiny = useEmulator({ now: FROZEN_NOW, only: ['crusoe', 'instaclustr'], config, memoryBudget: 1 });
const roomy = useEmulator({ now: FROZEN_NOW, only: ['crusoe', 'instaclustr'], config, memoryBudget: Infinity });
const both = () => [tiny.get(), roomy.get()];
type Emu = ReturnType<typeof tiny.get>;

async function inject(emu: Emu, vendor: string, rec: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${emu.controlUrl}/_emulator/providers/${vendor}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rec),
  });
  expect(r.status, await r.text()).toBe(201);
}

async function crusoeWalk(emu: Emu): Promise<unknown[]> {
  const c = emu.providers.crusoe.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
  const client = new CrusoeClient({ baseUrl: emu.providers.crusoe.baseUrl, ...c });
  const out: unknown[] = [];
  const window = { start_time: new Date(NOW - 89 * DAY).toISOString(), end_time: FROZEN_NOW, limit: 250 };
  for await (const e of client.entries(window as never)) out.push(e);
  return out;
}

async function instaclustrWalk(emu: Emu): Promise<{ pages: unknown[][]; totals: number[]; counts: unknown[] }> {
  const c = emu.providers.instaclustr.credentials as Record<string, string>;
  const client = new InstaclustrClient({
    baseUrl: emu.providers.instaclustr.baseUrl,
    username: c.username,
    apiKey: c.provisioningApiKey,
    organisationApiKey: c.organisationManagementApiKey,
  });
  const out = { pages: [] as unknown[][], totals: [] as number[], counts: [] as unknown[] };
  const query = { startTime: new Date(NOW - 200 * DAY).toISOString(), endTime: new Date(NOW - DAY / 2).toISOString(), pageSize: 500, getActionCounts: true };
  for (let start = 0; ; start += 500) {
    const r = await client.getOrganisationUserActions(c.organisationId, { ...query, startIndex: start });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    if (!r.ok) throw new Error('instaclustr refused the page');
    out.pages.push(r.body.resources);
    out.totals.push(r.body.totalResults);
    out.counts.push(r.body.actionCounts);
    if (start + 500 >= r.body.totalResults) return out;
  }
}

describe('paging stays exact when generated days are evicted and made again', () => {
  it('crusoe: a 90-day cursor walk, page by page', async () => {
    const at = new Date(NOW - 40 * DAY).toISOString();
    const rec = {
      action: 'Delete',
      actor_id: '00000000-0000-4000-8000-000000000001',
      actor_email: 'kept@example.com',
      actor_type: 'User',
      client_ip: '192.0.2.1:443',
      start_time: at,
      end_time: at,
      result: 'OK',
      surface: 'Console',
    };
    for (const emu of both()) await inject(emu, 'crusoe', rec);
    const [small, large] = await Promise.all(both().map(crusoeWalk));
    expect(large.length).toBeGreaterThan(5_000);
    expect(small.length).toBe(large.length);
    expect(small).toEqual(large);
    expect(small.filter((e) => (e as { actor_email: string }).actor_email === 'kept@example.com')).toHaveLength(1);
    // The small budget really evicted: it holds a day or two, the roomy one all ninety.
    const held = both().map((e) => e.runtimes.get('crusoe')!.ctx.store.size);
    expect(held[0] * 10).toBeLessThan(held[1]);
  });

  it('crusoe: a page read again after its day was evicted is the same page', async () => {
    const [emu] = both();
    const c = emu.providers.crusoe.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
    const client = new CrusoeClient({ baseUrl: emu.providers.crusoe.baseUrl, ...c });
    const q = { start_time: new Date(NOW - 60 * DAY).toISOString(), end_time: new Date(NOW - 59 * DAY).toISOString(), limit: 20 };
    const first = await client.getAuditLogs(q as never);
    await crusoeWalk(emu);
    const again = await client.getAuditLogs(q as never);
    expect(first.ok).toBe(true);
    expect(again.ok).toBe(true);
    if (!first.ok || !again.ok) throw new Error('crusoe refused the page');
    expect(first.body.items.length).toBe(20);
    expect(again.body).toEqual(first.body);
  });

  it('the dashboard finds a numbered event whose day was evicted', async () => {
    const emu = tiny.get();
    const store = emu.runtimes.get('crusoe')!.ctx.store;
    const [entry] = store.page({ from: NOW - 80 * DAY, to: NOW - 79 * DAY }, 1).entries;
    const json = store.json(entry);
    await crusoeWalk(emu);
    const r = await fetch(`${emu.controlUrl}/_emulator/events/crusoe/crusoe:${entry.seq}`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe(json);
  });

  it('instaclustr: an offset walk over 200 days, with its totals and action counts', async () => {
    const at = new Date(NOW - 100 * DAY).toISOString();
    for (const emu of both())
      await inject(emu, 'instaclustr', {
        id: '6f1d2c3b-0000-4000-8000-00000000abcd',
        action: 'USER_LOGIN',
        userName: 'kept@example.com',
        timestamp: at,
        accountId: null,
      });
    const [small, large] = await Promise.all(both().map(instaclustrWalk));
    expect(large.pages.flat().length).toBeGreaterThan(2_000);
    expect(small.pages).toEqual(large.pages);
    expect(small.totals).toEqual(large.totals);
    expect(new Set(large.totals).size).toBe(1);
    expect(large.totals[0]).toBe(large.pages.flat().length);
    expect(small.counts).toEqual(large.counts);
    const counted = Object.values(large.counts[0] as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(counted).toBe(large.totals[0]);
    expect(large.pages.flat().filter((r) => (r as { userName: string }).userName === 'kept@example.com')).toHaveLength(1);
    // A record landing in a day whose tally is remembered counts at once.
    await inject(tiny.get(), 'instaclustr', {
      id: '6f1d2c3b-0000-4000-8000-00000000abce',
      action: 'USER_LOGIN',
      userName: 'kept@example.com',
      timestamp: at,
      accountId: null,
    });
    const after = await instaclustrWalk(tiny.get());
    expect(after.totals[0]).toBe(large.totals[0] + 1);
    expect((after.counts[0] as Record<string, number>).USER_LOGIN).toBe((large.counts[0] as Record<string, number>).USER_LOGIN + 1);
  });
});
