import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { OpseraClient, type ActionRecord, type TokenRecord } from '../../contracts/opsera/client.js';
import { startEmulator } from '../../servers/index.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

// Every `opsera.<setting>` switch of the spec turned away from its default.
const env = useEmulator({
  now: FROZEN_NOW,
  only: ['opsera'],
  config: {
    opsera: {
      errorBodyFormat: 'text',
      dateMode: 'day',
      includeExtendedFields: true,
      logRefusedTokenCalls: false,
      tokenTargetIncludesQuery: true,
      allowedRoles: ['Site Administrator', 'Power User', 'User'],
      retentionDays: 30,
    },
  },
});
const NOW = Date.parse(FROZEN_NOW);
const DAY = 86_400_000;
type TokenName = 'api' | 'securityLogs' | 'readOnly' | 'expired' | 'deactivated' | 'notAdmin';

function creds() {
  return env.get().providers.opsera.credentials as { account: string; tokenIds: Record<TokenName, string>; tokens: Record<TokenName, string> };
}
function client(name: TokenName = 'api') {
  return new OpseraClient({ baseUrl: env.get().providers.opsera.baseUrl, token: creds().tokens[name] });
}

describe('Opsera switches', () => {
  it('errorBodyFormat=text: bare strings as text/plain', async () => {
    const base = request(env.get().providers.opsera.baseUrl);
    const cases: Array<[request.Test, number, string]> = [
      [base.get('/api/v1/logs/user/actions'), 401, 'Unauthorized'],
      [base.get('/api/v1/logs/user/actions').set('Authorization', `Bearer ${creds().tokens.readOnly}`), 403, 'Forbidden'],
      [base.get('/api/v1/logs/user/actions?count=x').set('Authorization', `Bearer ${creds().tokens.api}`), 400, 'Invalid count, expected a positive integer'],
      [base.post('/api/v1/logs/user/actions').send('{'), 404, 'Not Found'],
    ];
    for (const [req, status, text] of cases) {
      const r = await req;
      expect(r.status).toBe(status);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      expect(r.text).toBe(text);
    }
    const viaClient = await client('expired').getTokenUsage();
    expect(viaClient).toMatchObject({ ok: false, status: 401, body: 'Unauthorized' });
  });

  it('dateMode=day: only that UTC day', async () => {
    const r = await client().getUserActions({ date: '2026-03-05' });
    if (!r.ok) throw new Error(String(r.status));
    expect(r.body.count).toBeGreaterThan(0);
    expect(r.body.data.every((x) => x.createdAt.startsWith('2026-03-05T'))).toBe(true);
  });

  it('includeExtendedFields: target_name and changeLog on /actions only', async () => {
    const r = await client().getUserActions({ date: '2026-03-09' });
    if (!r.ok) throw new Error(String(r.status));
    const data: ActionRecord[] = r.body.data;
    expect(data.every((x) => typeof x.target_name === 'string' && Array.isArray(x.changeLog))).toBe(true);
    expect(data.some((x) => x.action === 'update' && (x.changeLog?.length ?? 0) > 0)).toBe(true);
    expect(data.filter((x) => x.type === 'authentication').every((x) => x.target_name === x.user_email)).toBe(true);
  });

  it('logRefusedTokenCalls=false and tokenTargetIncludesQuery: only successful calls logged, with their query', async () => {
    expect((await client('readOnly').getUserActions()).status).toBe(403);
    expect((await client().getUserActions({ count: '0' })).status).toBe(400);
    expect((await client().getUserActions({ count: '1' })).status).toBe(200);
    const r = await client().getTokenUsage({ count: '3' });
    if (!r.ok) throw new Error(String(r.status));
    const data: TokenRecord[] = r.body.data;
    expect(data[0].target).toBe('/v1/logs/user/tokens?count=3');
    expect(data[1].target).toBe('/v1/logs/user/actions?count=1');
    expect(data.some((x) => x.target.includes('count=0'))).toBe(false);
    expect(data.some((x) => x.token_id === creds().tokenIds.readOnly)).toBe(false);
  });

  it('allowedRoles and retentionDays', async () => {
    expect((await client('notAdmin').getUserActions({ count: '1' })).status).toBe(200);
    const r = await client().getUserActions({ date: '2025-01-01', type: 'task' });
    if (!r.ok) throw new Error(String(r.status));
    // dateMode=day: a day before retention is simply empty; without date the default window applies.
    expect(r.body.count).toBe(0);
    const d = await client().getUserActions({ date: new Date(NOW - 29 * DAY).toISOString().slice(0, 10) });
    expect(d.ok && d.body.count).toBeGreaterThan(0);
    const gone = await client().getUserActions({ date: new Date(NOW - 31 * DAY).toISOString().slice(0, 10) });
    expect(gone.ok && gone.body.count).toBe(0);
  });

  it('an unknown switch or a value of the wrong type or range stops start-up, naming it', async () => {
    const start = (opsera: Record<string, unknown>) => startEmulator({ portBase: 0, now: FROZEN_NOW, only: ['opsera'], config: { opsera } });
    await expect(start({ errorBodyFormat: 'xml' })).rejects.toThrow(/'opsera\.errorBodyFormat'/);
    await expect(start({ includeExtendedFields: 'yes' })).rejects.toThrow(/'opsera\.includeExtendedFields'/);
    await expect(start({ retentionDays: 0 })).rejects.toThrow(/'opsera\.retentionDays'/);
    await expect(start({ allowedRoles: ['Power User', 7] })).rejects.toThrow(/'opsera\.allowedRoles\.1'/);
    await expect(start({ deactivated: [] })).rejects.toThrow(/unknown setting 'opsera\.deactivated'/);
  });
});
