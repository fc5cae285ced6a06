import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CrusoeClient } from '../../contracts/crusoe/client.js';
import { startEmulator } from '../../servers/index.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';
import { crusoeRecord } from '../support/records.js';

const env = useEmulator({ now: FROZEN_NOW });
const ctl = () => request(env.get().controlUrl);

describe('control API', () => {
  it('health and manifest name every vendor with base URL and credentials under the vendor names', async () => {
    expect((await ctl().get('/_emulator/health')).body).toMatchObject({ status: 'ok', now: FROZEN_NOW });
    const m = (await ctl().get('/_emulator/manifest')).body;
    expect(m).toMatchObject({ now: FROZEN_NOW, seed: 20240721 });
    expect(Object.keys(m.providers).sort()).toEqual(['crusoe', 'instaclustr', 'k2', 'octopai', 'opsera']);
    expect(Object.keys(m.providers.crusoe.credentials)).toEqual(expect.arrayContaining(['accessKeyId', 'secretKey', 'organizationId', 'nonAdmin']));
    expect(Object.keys(m.providers.k2.credentials)).toEqual(expect.arrayContaining(['accessKeyId', 'secretAccessKey', 'region', 'nonAdmin']));
    expect(Array.isArray(m.providers.k2.buckets)).toBe(true);
    expect(Object.keys(m.providers.instaclustr.credentials)).toEqual(
      expect.arrayContaining(['username', 'provisioningApiKey', 'readOnlyProvisioningApiKey', 'organisationManagementApiKey', 'accountId', 'organisationId']),
    );
    expect(Object.keys(m.providers.octopai.credentials)).toEqual(expect.arrayContaining(['userName', 'password', 'nonAdmin']));
    expect(Object.keys(m.providers.opsera.credentials.tokens).sort()).toEqual(['api', 'deactivated', 'expired', 'notAdmin', 'readOnly', 'securityLogs']);
  });

  it('sets, advances, freezes and thaws the clock, and refuses bad input', async () => {
    expect((await ctl().post('/_emulator/clock').send({ advance: 'PT1H30M' })).body.now).toBe('2026-03-10T11:30:00.000Z');
    expect((await ctl().post('/_emulator/clock').send({ advance: -5400 })).body.now).toBe(FROZEN_NOW);
    expect((await ctl().post('/_emulator/clock').send({ set: '2025-01-01T00:00:00Z' })).body.now).toBe('2025-01-01T00:00:00.000Z');
    const thawed = (await ctl().post('/_emulator/clock').send({ frozen: false })).body;
    expect(thawed.frozen).toBe(false);
    expect(Math.abs(Date.parse((await ctl().get('/_emulator/clock')).body.now) - Date.parse('2025-01-01T00:00:00Z'))).toBeLessThan(5000);
    expect((await ctl().post('/_emulator/clock').send({ set: FROZEN_NOW, frozen: true })).body).toMatchObject({ now: FROZEN_NOW, frozen: true });
    for (const bad of [{ advance: 'an hour' }, { set: 'yesterday' }, { frozen: 'yes' }, { speed: 2 }]) {
      const r = await ctl().post('/_emulator/clock').send(bad);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/'(advance|set|frozen|speed)'/);
    }
    expect((await ctl().post('/_emulator/clock').set('content-type', 'application/json').send('{oops')).status).toBe(400);
  });

  it('serves injected non-ASCII text intact, among ASCII history, over HTTP', async () => {
    const name = 'vm-Zoë-東京-🚀';
    expect(
      (
        await ctl()
          .post('/_emulator/providers/crusoe/events')
          .send(crusoeRecord({ target_names: [name], action_detail: 'Größe geändert' }))
      ).status,
    ).toBe(201);
    const e = env.get();
    const client = new CrusoeClient({ baseUrl: e.providers.crusoe.baseUrl, ...(e.providers.crusoe.credentials as any) });
    // Twice: the second page is written into a response buffer the first one returned to the pool.
    for (let i = 0; i < 2; i++) {
      const r = await client.getAuditLogs({ limit: '50' });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const mine = r.body.items.filter((x) => x.target_names[0] === name);
      expect(mine).toHaveLength(1);
      expect(mine[0].action_detail).toBe('Größe geändert');
      expect(r.body.items.length).toBeGreaterThan(1);
    }
    await ctl().post('/_emulator/reset');
  });

  it('injects records in the vendor shape, refuses bad ones naming the field, and reset removes them', async () => {
    const ok = await ctl().post('/_emulator/providers/crusoe/events').send(crusoeRecord());
    expect(ok.status).toBe(201);
    expect(ok.body.accepted).toBe(1);
    const e = env.get();
    const c = e.providers.crusoe.credentials as any;
    const client = new CrusoeClient({ baseUrl: e.providers.crusoe.baseUrl, ...c });
    const seen = async () => {
      const r = await client.getAuditLogs({ target_names: ['injected-vm'] });
      return r.ok ? r.body.items : [];
    };
    expect(await seen()).toHaveLength(1);
    expect((await seen())[0]).toMatchObject({ organization_id: c.organizationId, locations: [], target_type: '' });
    const missing = await ctl()
      .post('/_emulator/providers/crusoe/events')
      .send({ ...crusoeRecord(), action: undefined });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("field 'action' is required");
    const wrongType = await ctl()
      .post('/_emulator/providers/crusoe/events')
      .send([crusoeRecord(), crusoeRecord({ locations: 'us-east1' })]);
    expect(wrongType.body.error).toBe("record 1: field 'locations' must be array");
    const badTime = await ctl()
      .post('/_emulator/providers/crusoe/events')
      .send(crusoeRecord({ start_time: 'soon' }));
    expect(badTime.body.error).toContain("field 'start_time'");
    expect((await ctl().post('/_emulator/providers/nosuch/events').send({})).status).toBe(404);
    for (const vendor of ['instaclustr', 'octopai', 'k2', 'opsera']) {
      const r = await ctl().post(`/_emulator/providers/${vendor}/events`).send({ nonsense: true });
      expect(r.status, vendor).toBe(400);
      expect(r.body.error, vendor).toMatch(/field '/);
    }
    expect((await ctl().post('/_emulator/reset')).status).toBe(200);
    expect(await seen()).toHaveLength(0);
  });

  it('tells subscribers of the reset event once the stores are new', async () => {
    const e = env.get();
    const before = e.runtimes.get('crusoe')!.ctx.store;
    const seen: boolean[] = [];
    const listener = () => seen.push(e.runtimes.get('crusoe')!.ctx.store !== before);
    e.events.on('reset', listener);
    try {
      expect((await ctl().post('/_emulator/reset')).status).toBe(200);
    } finally {
      e.events.off('reset', listener);
    }
    expect(seen).toEqual([true]);
  });

  it('serves identical data for the same seed and clock, different data for another seed', async () => {
    const a = await startEmulator({ portBase: 0, now: FROZEN_NOW, only: ['crusoe'] });
    const b = await startEmulator({ portBase: 0, now: FROZEN_NOW, only: ['crusoe'] });
    const c = await startEmulator({ portBase: 0, now: FROZEN_NOW, only: ['crusoe'], seed: 7 });
    try {
      const page = async (emu: typeof a) => {
        const p = emu.providers.crusoe;
        const r = await new CrusoeClient({ baseUrl: p.baseUrl, ...(p.credentials as any) }).getAuditLogs({ start_time: '2026-03-01T00:00:00Z', limit: '200' });
        return r.ok ? r.body.items : null;
      };
      const [pa, pb, pc] = [await page(a), await page(b), await page(c)];
      expect(pa).not.toBeNull();
      expect(pa).toEqual(pb);
      expect(a.manifest().providers.crusoe.credentials).toEqual(b.manifest().providers.crusoe.credentials);
      expect(pc).not.toEqual(pa);
      // People are shared across vendors: Crusoe's actors are the company's people.
      const emails = new Set(a.company.people.map((p) => p.email));
      expect(pa!.filter((e) => e.actor_type === 'User').every((e) => emails.has(e.actor_email))).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('new history keeps arriving as the clock moves', async () => {
    const e = env.get();
    const c = e.providers.crusoe.credentials as any;
    const client = new CrusoeClient({ baseUrl: e.providers.crusoe.baseUrl, ...c });
    const before = await client.getAuditLogs({ limit: '1000' });
    await ctl().post('/_emulator/clock').send({ advance: 'P1D' });
    const after = await client.getAuditLogs({ limit: '1000' });
    await ctl().post('/_emulator/clock').send({ set: FROZEN_NOW });
    if (!before.ok || !after.ok) throw new Error('read failed');
    const newest = (xs: { start_time: string }[]) => xs[0]?.start_time ?? '';
    expect(newest(after.body.items) > newest(before.body.items)).toBe(true);
    expect(after.body.items.some((x) => x.start_time > FROZEN_NOW)).toBe(true);
  });
});
