// --state-file across a restart, for the state each vendor keeps beyond its events: K2 trails,
// delivered archives, buckets and reports; recorded Octopai logins and Opsera token uses;
// injected Instaclustr actions; the clock settings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, CreateTrailCommand, GetTrailStatusCommand, ListTrailsCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { afterAll, describe, expect, it } from 'vitest';
import { InstaclustrClient } from '../../contracts/instaclustr/client.js';
import { K2Client, K2Console } from '../../contracts/k2/client.js';
import { OctopaiClient } from '../../contracts/octopai/client.js';
import { OpseraClient } from '../../contracts/opsera/client.js';
import { startEmulator, type Emulator } from '../../servers/index.js';
import { FROZEN_NOW } from '../support/emulator.js';

const dir = mkdtempSync(join(tmpdir(), 'audit-emulator-vendor-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const start = (stateFile: string) => startEmulator({ portBase: 0, now: FROZEN_NOW, stateFile, config: { instaclustr: { rateLimitPerSecond: 0 } } });
const k2 = (emu: Emulator) => {
  const p = emu.providers.k2;
  const c = p.credentials as any;
  return {
    sdk: new CloudTrailClient({ endpoint: p.baseUrl, region: c.region, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } }),
    client: new K2Client({ baseUrl: p.baseUrl, accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, region: c.region }),
    console: new K2Console(p.baseUrl, c.customer),
    bucket: `${c.customer}-activity-log`,
  };
};

describe('persistence of vendor state', () => {
  it('keeps trails, archives, reports, recorded and injected events and the clock across a restart', async () => {
    const file = join(dir, 'state.json');
    const a = await start(file);
    let archives: string[];
    let reportId: string;
    const inj = 'persisted-action@example.com';
    try {
      const { sdk, client, console: con, bucket } = k2(a);
      await sdk.send(new CreateTrailCommand({ Name: 'kept-trail', S3BucketName: bucket }));
      await sdk.send(new StartLoggingCommand({ Name: 'kept-trail' }));
      a.setClock({ advance: 'PT20M' });
      const list = await client.s3('GET', `/${bucket}`, { 'list-type': '2' });
      archives = [...(await list.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
      expect(archives.length).toBeGreaterThanOrEqual(3);
      const report = await con.createReport({ format: 'json' } as any);
      expect(report.status).toBe(202);
      reportId = (report.body as { reportId: string }).reportId;
      expect(reportId).toMatch(/\S/);
      const o = a.providers.octopai.credentials as any;
      await new OctopaiClient({ baseUrl: a.providers.octopai.baseUrl, userName: o.userName, password: 'wrong-password' }).login().catch(() => undefined);
      const op = a.providers.opsera.credentials as any;
      expect((await new OpseraClient({ baseUrl: a.providers.opsera.baseUrl, token: op.tokens.api }).getUserActions({ count: '1' } as any)).status).toBe(200);
      const r = await fetch(`${a.controlUrl}/_emulator/providers/instaclustr/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'DELETE_CLUSTER', timestamp: new Date(a.clock.now() - 60_000).toISOString(), userName: inj }),
      });
      expect(r.status).toBe(201);
    } finally {
      await a.close();
    }

    const b = await start(file);
    try {
      expect(new Date(b.clock.now()).toISOString()).toBe('2026-03-10T10:20:00.000Z');
      const { sdk, client, console: con, bucket } = k2(b);
      expect((await sdk.send(new ListTrailsCommand({}))).Trails?.map((t) => t.Name)).toContain('kept-trail');
      expect((await sdk.send(new GetTrailStatusCommand({ Name: 'kept-trail' }))).IsLogging).toBe(true);
      const list = await (await client.s3('GET', `/${bucket}`, { 'list-type': '2' })).text();
      for (const key of archives) expect(list).toContain(key);
      expect((await con.reports()).body.reports.map((x) => x.reportId)).toContain(reportId);
      // The CloudTrail calls made before the restart are still in the log.
      const events = await client.lookupEvents({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateTrail' }] });
      expect(events.ok && events.body.Events.length).toBeGreaterThan(0);
      const o = b.providers.octopai.credentials as any;
      const ev = await new OctopaiClient({ baseUrl: b.providers.octopai.baseUrl, userName: o.userName, password: o.password }).getUserEvents({
        eventType: 'LoginFailed',
        startDate: '2026-03-10',
      });
      expect(ev.ok && ev.body.some((x) => x.userName === o.userName && x.eventDate >= '2026-03-10T10:00')).toBe(true);
      const op = b.providers.opsera.credentials as any;
      const uses = await new OpseraClient({ baseUrl: b.providers.opsera.baseUrl, token: op.tokens.api }).getTokenUsage({ count: '1000' });
      expect(uses.ok && (uses.body as any).data.filter((x: any) => x.target === '/v1/logs/user/actions').length).toBeGreaterThan(0);
      const ic = b.providers.instaclustr.credentials as any;
      const acts = await new InstaclustrClient({
        baseUrl: b.providers.instaclustr.baseUrl,
        username: ic.username,
        organisationApiKey: ic.organisationManagementApiKey,
      }).getOrganisationUserActions(ic.organisationId, { userName: [inj], getActionCounts: false });
      expect(acts.ok && acts.body.resources.map((x) => x.userName)).toEqual([inj]);
    } finally {
      await b.close();
    }
  });
});
