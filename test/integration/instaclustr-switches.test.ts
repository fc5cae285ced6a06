import { describe, expect, it } from 'vitest';
import { ACCOUNT_USER_ACTIONS_PATH, basicAuth, organisationUserActionsPath } from '../../contracts/instaclustr/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

interface Creds {
  username: string;
  provisioningApiKey: string;
  organisationManagementApiKey: string;
  organisationId: string;
  accountId: string;
  keys: Array<{ userName: string; apiKey: string; keyType: string; active: boolean }>;
}

function handle(e: ReturnType<typeof useEmulator>) {
  const c = (): Creds => ({ ...e.get().providers.instaclustr.credentials, ...e.get().manifest().providers.instaclustr }) as unknown as Creds;
  const get = (path: string, query = '', key = c().provisioningApiKey, user = c().username) =>
    fetch(`${e.get().providers.instaclustr.baseUrl}${path}${query ? `?${query}` : ''}`, { headers: { Authorization: basicAuth(user, key) } });
  return { c, get, emu: () => e.get() };
}

// Recent window only: these emulators need not generate a year of history.
const RECENT = `startTime=2026-03-09T00:00:00Z&pageSize=1`;

describe('rate limit on by default: 35 requests per second per user', () => {
  const emu = handle(useEmulator({ now: FROZEN_NOW, only: ['instaclustr'] }));
  it('a burst beyond 35 gets 429 Rate Limit Exceeded with Retry-After: 1; other users are unaffected', async () => {
    const burst = await Promise.all(Array.from({ length: 80 }, () => emu.get(ACCOUNT_USER_ACTIONS_PATH, RECENT)));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(70);
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const limited = burst.find((r) => r.status === 429)!;
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toEqual({ name: 'Too Many Requests', message: 'Rate Limit Exceeded' });
    const c = emu.c();
    const other = c.keys.find((k) => k.userName !== c.username && k.keyType === 'PROVISIONING' && k.active)!;
    expect((await emu.get(ACCOUNT_USER_ACTIONS_PATH, RECENT, other.apiKey, other.userName)).status).toBe(200);
  });
  it('refused credentials do not count against the limit', async () => {
    const bad = await Promise.all(Array.from({ length: 50 }, () => emu.get(ACCOUNT_USER_ACTIONS_PATH, '', 'f'.repeat(32), 'someone@else.example')));
    expect(bad.every((r) => r.status === 401)).toBe(true);
  });
});

describe('legacy 429 body', () => {
  const emu = handle(useEmulator({ now: FROZEN_NOW, only: ['instaclustr'], config: { instaclustr: { rateLimitPerSecond: 1, rateLimitBody: 'legacy' } } }));
  it('answers the v1 ErrorMessage shape', async () => {
    const rs = await Promise.all([0, 1, 2].map(() => emu.get(ACCOUNT_USER_ACTIONS_PATH, RECENT)));
    const limited = rs.find((r) => r.status === 429)!;
    expect(await limited.json()).toEqual({ status: 429, message: 'Rate Limit Exceeded', errorDetails: {}, code: 429, link: '' });
  });
});

describe('response and data switches', () => {
  const emu = handle(
    useEmulator({
      now: FROZEN_NOW,
      only: ['instaclustr'],
      config: {
        instaclustr: {
          rateLimitPerSecond: 0,
          wrapResponseInArray: true,
          itemsPerPageMode: 'returned',
          visibilityStepSeconds: 0,
          unknownActionKindsMatchNothing: true,
          retentionDays: 30,
        },
      },
    }),
  );
  it('wraps in an array, reports the returned count, matches nothing for unknown kinds, keeps 30 days', async () => {
    const c = emu.c();
    const path = organisationUserActionsPath(c.organisationId);
    const r = await emu.get(path, 'pageSize=1000&startTime=2020-01-01', c.organisationManagementApiKey);
    const body = await r.json();
    expect(Array.isArray(body)).toBe(true);
    expect(body).toHaveLength(1);
    const pageBody = body[0];
    expect(pageBody.itemsPerPage).toBe(pageBody.resources.length);
    const last = await (await emu.get(path, `startIndex=${pageBody.totalResults - 1}`, c.organisationManagementApiKey)).json();
    expect(Date.parse(last[0].resources[0].timestamp)).toBeGreaterThanOrEqual(Date.parse(FROZEN_NOW) - 30 * 86_400_000);
    expect(last[0].itemsPerPage).toBe(1);
    const none = await (await emu.get(path, 'actionKinds=NOT_A_KIND', c.organisationManagementApiKey)).json();
    expect(none[0].totalResults).toBe(0);
    expect(none[0].actionCounts).toEqual({});
  });
  it('visibilityStepSeconds=0 shows a record the moment it happens', async () => {
    const c = emu.c();
    const e = emu.emu();
    const now = Date.parse(FROZEN_NOW);
    expect(e.runtimes.get('instaclustr')!.inject({ action: 'BACKUP', timestamp: new Date(now + 1_234).toISOString(), userName: 'step@probe.example' }).ok).toBe(
      true,
    );
    const path = organisationUserActionsPath(c.organisationId);
    const probe = async () => (await (await emu.get(path, 'userName=step@probe.example', c.organisationManagementApiKey)).json())[0].totalResults;
    try {
      e.setClock({ set: now + 1_233 });
      expect(await probe()).toBe(0);
      e.setClock({ set: now + 1_234 });
      expect(await probe()).toBe(1);
    } finally {
      e.setClock({ set: now });
    }
  });
  it("injected faults answer in Instaclustr's error shape", async () => {
    const e = emu.emu();
    const c = emu.c();
    const put = (faults: unknown) =>
      fetch(`${e.controlUrl}/_emulator/faults/instaclustr`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ faults }),
      });
    try {
      for (const status of [500, 502, 503, 504]) {
        expect((await put([{ errorRate: 1, errorStatus: status }])).status).toBe(200);
        const r = await emu.get(ACCOUNT_USER_ACTIONS_PATH, RECENT, c.provisioningApiKey);
        expect(r.status).toBe(status);
        expect(Object.keys(await r.json()).sort()).toEqual(['message', 'name']);
      }
      await put([{ throttle: { perSecond: 1, burst: 1 } }]);
      const rs = await Promise.all([0, 1, 2].map(() => emu.get(ACCOUNT_USER_ACTIONS_PATH, RECENT, c.provisioningApiKey)));
      const limited = rs.find((r) => r.status === 429)!;
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(await limited.json()).toEqual({ name: 'Too Many Requests', message: 'Rate Limit Exceeded' });
    } finally {
      await fetch(`${e.controlUrl}/_emulator/faults/instaclustr`, { method: 'DELETE' });
    }
  });
});
