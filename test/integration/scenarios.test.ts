import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import { CrusoeClient, type LogEntry } from '../../contracts/crusoe/client.js';
import { InstaclustrClient } from '../../contracts/instaclustr/client.js';
import { OctopaiClient } from '../../contracts/octopai/client.js';
import { OpseraClient } from '../../contracts/opsera/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW, config: { instaclustr: { rateLimitPerSecond: 0 } } });

async function control(method: string, path: string, body?: unknown) {
  const r = await fetch(`${env.get().controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

/** Ids (as the scenario API reports them) that each vendor's own API returns for the window. */
async function idsServed(vendor: string, from: string): Promise<Set<string>> {
  const e = env.get();
  const p = e.providers[vendor];
  const c = p.credentials as any;
  const out = new Set<string>();
  if (vendor === 'crusoe') {
    const client = new CrusoeClient({ baseUrl: p.baseUrl, ...c });
    const entries: LogEntry[] = [];
    for await (const x of client.entries({ start_time: from, limit: '1000' })) entries.push(x);
    // Crusoe entries carry no id: match the injected ones by content through the control API's ids.
    for (const x of entries) out.add(`${x.actor_email}|${x.start_time}|${x.action}|${x.target_names.join(',')}`);
  } else if (vendor === 'instaclustr') {
    const client = new InstaclustrClient({ baseUrl: p.baseUrl, username: c.username, organisationApiKey: c.organisationManagementApiKey });
    for (let start = 0; ; start += 1000) {
      const r = await client.getOrganisationUserActions(c.organisationId, { startTime: from, pageSize: 1000, startIndex: start, getActionCounts: false });
      if (!r.ok) throw new Error(`instaclustr ${r.status}`);
      for (const x of r.body.resources) out.add(x.id);
      if (r.body.resources.length < 1000) break;
    }
  } else if (vendor === 'octopai') {
    const client = new OctopaiClient({ baseUrl: p.baseUrl, userName: c.userName, password: c.password });
    for (let page = 1; ; page++) {
      const r = await client.getUserEvents({ startDate: from, pageSize: 1000, pageNumber: page } as any);
      if (!r.ok) throw new Error(`octopai ${r.status}`);
      for (const x of r.body) out.add(`default:${x.id}`);
      if (r.body.length < 1000) break;
    }
  } else if (vendor === 'opsera') {
    const client = new OpseraClient({ baseUrl: p.baseUrl, token: c.tokens.api });
    const r = await client.getUserActions({ date: from.slice(0, 10) });
    if (!r.ok) throw new Error(`opsera ${r.status}`);
    for (const x of (r.body as any).data) out.add(x._id);
  } else if (vendor === 'k2') {
    const ct = new CloudTrailClient({ endpoint: p.baseUrl, region: c.region, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } });
    let token: string | undefined;
    do {
      const r = await ct.send(new LookupEventsCommand({ StartTime: new Date(from), MaxResults: 50, NextToken: token }));
      for (const x of r.Events ?? []) out.add(x.EventId!);
      token = r.NextToken;
    } while (token);
  }
  return out;
}

describe('scenarios', () => {
  it('lists every scenario with its parameters', async () => {
    const r = await control('GET', '/_emulator/scenarios');
    const names = r.body.scenarios.map((s: { name: string }) => s.name);
    expect(names).toEqual(['brute-force-login', 'api-key-churn', 'mass-deletion', 'off-hours-admin', 'audit-tampering', 'departing-employee']);
    for (const s of r.body.scenarios) expect(s.params.length).toBeGreaterThan(0);
  });

  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['brute-force-login', { attempts: 12 }, ['octopai', 'opsera']],
    ['api-key-churn', { pairs: 5 }, ['instaclustr']],
    ['mass-deletion', { count: 6 }, ['instaclustr', 'k2', 'crusoe']],
    ['off-hours-admin', {}, ['crusoe', 'k2', 'octopai', 'instaclustr']],
    ['audit-tampering', {}, ['k2']],
    ['departing-employee', {}, ['octopai', 'instaclustr', 'crusoe', 'k2', 'opsera']],
  ];
  it.each(cases)('%s: the vendors return exactly the injected events', async (name, params, vendors) => {
    const r = await control('POST', `/_emulator/scenarios/${name}`, params);
    expect(r.status).toBe(201);
    expect(new Set(r.body.vendors)).toEqual(new Set(vendors));
    const at = Date.parse(r.body.at);
    expect(at).toBeLessThanOrEqual(Date.parse(FROZEN_NOW));
    const from = new Date(at - 2 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const vendor of vendors) {
      const ids = r.body.events.filter((e: { vendor: string }) => e.vendor === vendor).map((e: { id: string }) => e.id);
      expect(ids.length, vendor).toBeGreaterThan(0);
      const served = await idsServed(vendor, from);
      if (vendor === 'crusoe') {
        // Crusoe has no event id: every injected Crusoe entry is in the served set by content.
        const emu = env.get();
        const store = emu.runtimes.get('crusoe')!.ctx.store;
        const injected = [...store.insertedEntries()].filter((e) => ids.includes(`crusoe:${e.seq}`));
        expect(injected).toHaveLength(ids.length);
        for (const e of injected) {
          const x = e.rec as LogEntry;
          expect(served.has(`${x.actor_email}|${x.start_time}|${x.action}|${x.target_names.join(',')}`)).toBe(true);
        }
      } else {
        for (const id of ids) expect(served.has(id), `${vendor} ${id}`).toBe(true);
      }
    }
    const applied = await control('GET', '/_emulator/scenarios/applied');
    expect(applied.body.applied.at(-1).ids).toEqual(r.body.ids);
  });

  it('brute force: failed logins from one foreign IP, then a success, for one user', async () => {
    const r = await control('POST', '/_emulator/scenarios/brute-force-login', { attempts: 5, ip: '192.0.2.99', user: env.get().company.admins[1].email });
    const e = env.get();
    const c = e.providers.octopai.credentials as any;
    const client = new OctopaiClient({ baseUrl: e.providers.octopai.baseUrl, userName: c.userName, password: c.password });
    const ev = await client.getUserEvents({ startDate: new Date(Date.parse(r.body.at) - 3_600_000).toISOString(), pageSize: 1000 } as any);
    if (!ev.ok) throw new Error('octopai');
    const mine = ev.body.filter((x) => x.ipAddress === '192.0.2.99');
    expect(mine.map((x) => x.eventType)).toEqual(['Login', 'LoginFailed', 'LoginFailed', 'LoginFailed', 'LoginFailed', 'LoginFailed']);
    expect(new Set(mine.map((x) => x.userName))).toEqual(new Set([e.company.admins[1].email]));
  });

  it('rejects unknown scenarios and bad parameters', async () => {
    expect((await control('POST', '/_emulator/scenarios/nope', {})).status).toBe(404);
    const bad = await control('POST', '/_emulator/scenarios/brute-force-login', { attempts: 'many' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('attempts');
    expect((await control('POST', '/_emulator/scenarios/brute-force-login', { user: 'nobody@example.com' })).body.error).toContain('no person');
    expect((await control('POST', '/_emulator/scenarios/brute-force-login', { colour: 'red' })).body.error).toContain("field 'colour' is not allowed");
    expect((await control('POST', '/_emulator/scenarios/audit-tampering', { at: 'yesterday' })).status).toBe(400);
  });
});
