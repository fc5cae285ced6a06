import { describe, expect, it } from 'vitest';
import { InstaclustrClient, type OrganisationQuery } from '../../contracts/instaclustr/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const DAY = 86_400_000;
const NOW = Date.parse(FROZEN_NOW);
const emu = useEmulator({ now: FROZEN_NOW, only: ['instaclustr'], config: { instaclustr: { volume: 3, rateLimitPerSecond: 10_000 } } });

interface Action {
  action: string;
  crudOperation: string;
  userName: string;
  accountId: string | null;
}

function client(): { c: InstaclustrClient; creds: Record<string, string> } {
  const p = emu.get().providers.instaclustr;
  const creds = p.credentials as Record<string, string>;
  const c = new InstaclustrClient({
    baseUrl: p.baseUrl,
    username: creds.username,
    apiKey: creds.provisioningApiKey,
    organisationApiKey: creds.organisationManagementApiKey,
  });
  return { c, creds };
}

/** Every page of a query, 1,000 records at a time, with each page's total and action counts. */
async function walk(query: OrganisationQuery, account = false): Promise<{ records: Action[]; totals: number[]; counts: Array<Record<string, number>> }> {
  const { c, creds } = client();
  const out = { records: [] as Action[], totals: [] as number[], counts: [] as Array<Record<string, number>> };
  for (let startIndex = 0; ; startIndex += 1000) {
    const q = { ...query, startIndex, pageSize: 1000, getActionCounts: true };
    const r = account ? await c.getAccountUserActions(q) : await c.getOrganisationUserActions(creds.organisationId, q);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    if (!r.ok) throw new Error('instaclustr refused the page');
    out.records.push(...(r.body.resources as Action[]));
    out.totals.push(r.body.totalResults);
    out.counts.push(r.body.actionCounts as Record<string, number>);
    if (startIndex + 1000 >= r.body.totalResults) return out;
  }
}

function countsOf(records: Action[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.action] = (out[r.action] ?? 0) + 1;
  return out;
}

async function inject(rec: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${emu.get().controlUrl}/_emulator/providers/instaclustr/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rec),
  });
  expect(r.status, await r.text()).toBe(201);
}

describe('totals and action counts at volume 3 are the counts of the records a walk returns', () => {
  const window = { startTime: new Date(NOW - 120 * DAY).toISOString(), endTime: new Date(NOW - DAY / 2).toISOString() };

  it('under filters on facts and on names, with injected records whose facts differ from the catalogue', async () => {
    const { creds } = client();
    const at = (days: number) => new Date(NOW - days * DAY).toISOString();
    // A login marked as a deletion, an organisation-level record and one in the production account.
    await inject({ action: 'USER_LOGIN', crudOperation: 'DELETE', userName: 'odd@example.com', timestamp: at(30) });
    await inject({ action: 'ORGANISATION_INVITE_USER', userName: creds.username, timestamp: at(45), accountId: null });
    await inject({ action: 'CREATE_CLUSTER', userName: creds.username, timestamp: at(60), accountId: creds.accountId });
    // In the day the window starts in: one an hour inside the window, one an hour before it.
    await inject({
      action: 'USER_LOGIN',
      crudOperation: 'DELETE',
      userName: 'edge@example.com',
      timestamp: new Date(NOW - 120 * DAY + 3_600_000).toISOString(),
    });
    await inject({
      action: 'USER_LOGIN',
      crudOperation: 'DELETE',
      userName: 'edge@example.com',
      timestamp: new Date(NOW - 120 * DAY - 3_600_000).toISOString(),
    });
    const queries: Array<[string, OrganisationQuery, (r: Action) => boolean]> = [
      ['everything', {}, () => true],
      ['two action kinds', { actionKinds: ['CREATE_CLUSTER', 'USER_LOGIN'] }, (r) => r.action === 'CREATE_CLUSTER' || r.action === 'USER_LOGIN'],
      ['reads and deletions', { crudOperations: ['READ', 'DELETE'] }, (r) => r.crudOperation === 'READ' || r.crudOperation === 'DELETE'],
      ['account records only', { accountLogsOnly: true }, (r) => r.accountId !== null],
      ['organisation records only', { organisationLogsOnly: true }, (r) => r.accountId === null],
      ['one account', { accountId: [creds.accountId] }, (r) => r.accountId === creds.accountId],
      ['one user (a filter on names)', { userName: [creds.username] }, (r) => r.userName === creds.username],
    ];
    for (const [name, query, passes] of queries) {
      const w = await walk({ ...window, ...query });
      expect(w.records.length, name).toBeGreaterThan(0);
      expect(w.records.every(passes), name).toBe(true);
      expect(new Set(w.totals), name).toEqual(new Set([w.records.length]));
      for (const counts of w.counts) expect(counts, name).toEqual(countsOf(w.records));
    }
    const everything = await walk(window);
    expect(everything.records.length).toBeGreaterThan(5_000);
    expect(everything.records.filter((r) => r.userName === 'odd@example.com')).toHaveLength(1);
    expect(everything.records.filter((r) => r.userName === 'edge@example.com')).toHaveLength(1);
  });

  it('on the account endpoint', async () => {
    const { creds } = client();
    const w = await walk({ ...window, crudOperations: ['UPDATE'] }, true);
    expect(w.records.length).toBeGreaterThan(0);
    expect(w.records.every((r) => r.crudOperation === 'UPDATE' && r.accountId === creds.accountId)).toBe(true);
    expect(new Set(w.totals)).toEqual(new Set([w.records.length]));
    expect(w.counts[0]).toEqual(countsOf(w.records));
  });
});
