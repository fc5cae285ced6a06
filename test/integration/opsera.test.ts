import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { OpseraClient, type ActionRecord, type TokenRecord } from '../../contracts/opsera/client.js';
import { JwtIssuer } from '../../servers/core/auth.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW, only: ['opsera'] });
const NOW = Date.parse(FROZEN_NOW);
const DAY = 86_400_000;
const ACTIONS = '/api/v1/logs/user/actions';
const TOKENS = '/api/v1/logs/user/tokens';
type TokenName = 'api' | 'securityLogs' | 'readOnly' | 'expired' | 'deactivated' | 'notAdmin';

function creds() {
  return env.get().providers.opsera.credentials as { account: string; userId: string; tokenIds: Record<TokenName, string>; tokens: Record<TokenName, string> };
}
function client(name: TokenName = 'api') {
  return new OpseraClient({ baseUrl: env.get().providers.opsera.baseUrl, token: creds().tokens[name] });
}
function http() {
  return request(env.get().providers.opsera.baseUrl);
}
async function actions(query: Record<string, string> = {}, name: TokenName = 'api'): Promise<ActionRecord[]> {
  const r = await client(name).getUserActions(query);
  if (!r.ok) throw new Error(`actions ${r.status} ${JSON.stringify(r.body)}`);
  expect(r.body.count).toBe(r.body.data.length);
  return r.body.data;
}
async function tokens(query: Record<string, string> = {}, name: TokenName = 'api'): Promise<TokenRecord[]> {
  const r = await client(name).getTokenUsage(query);
  if (!r.ok) throw new Error(`tokens ${r.status} ${JSON.stringify(r.body)}`);
  expect(r.body.count).toBe(r.body.data.length);
  return r.body.data;
}
function newestFirst(recs: Array<{ createdAt: string; _id: string }>) {
  for (let i = 1; i < recs.length; i++) {
    const a = recs[i - 1];
    const b = recs[i];
    expect(a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a._id > b._id), `${a._id} before ${b._id}`).toBe(true);
  }
}
/** Records in the store for the caller's account in a window, straight from the emulator. */
function stored(kind: 'actions' | 'tokens', from: number, to: number, pred: (r: Record<string, unknown>) => boolean = () => true): number {
  let n = 0;
  const account = creds().account;
  for (const e of env.get().runtimes.get('opsera')!.ctx.store.scan({ from, to })) {
    const r = e.rec as Record<string, unknown>;
    if (r.account === account && 'token_id' in r === (kind === 'tokens') && pred(r)) n++;
  }
  return n;
}

describe('Opsera: /actions', () => {
  it('defaults to the last 7 days, newest first, capped at 1000, records exactly as documented', async () => {
    const data = await actions();
    expect(data).toHaveLength(1000);
    // The cap is real: the window holds thousands of records for this account.
    expect(stored('actions', NOW - 7 * DAY, NOW)).toBeGreaterThan(2000);
    newestFirst(data);
    for (const r of data) {
      expect(Object.keys(r).sort()).toEqual(['__v', '_id', 'account', 'action', 'createdAt', 'target_id', 'type', 'updatedAt', 'user_email', 'user_id']);
      expect(r._id).toMatch(/^[0-9a-f]{24}$/);
      expect(r.user_id).toMatch(/^[0-9a-f]{24}$/);
      expect(r.target_id).toMatch(/^[0-9a-f]{24}$/);
      expect(r.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(r.updatedAt).toBe(r.createdAt);
      expect(r.__v).toBe(0);
      expect(r.account).toBe(creds().account);
      expect(Date.parse(r.createdAt)).toBeLessThanOrEqual(NOW);
      expect(Date.parse(r.createdAt)).toBeGreaterThanOrEqual(NOW - 7 * DAY);
      // ObjectIds start with their creation second.
      expect(parseInt(r._id.slice(0, 8), 16)).toBe(Math.floor(Date.parse(r.createdAt) / 1000));
    }
  });

  it('count: fewer records, clamped above 1000, leading zeros accepted', async () => {
    const all = await actions({ count: '1000' });
    expect(await actions({ count: '5' })).toEqual(all.slice(0, 5));
    expect(await actions({ count: '007' })).toEqual(all.slice(0, 7));
    expect(await actions({ count: '5000' })).toEqual(all);
    expect(await actions({ count: '99999999999999999999999999' })).toEqual(all);
  });

  it('type: exact, case-sensitive, comma lists ORed, first of repeated keys, unknown matches nothing', async () => {
    const types = new Set((await actions()).map((r) => r.type));
    expect([...types].sort()).toEqual(['authentication', 'pipeline', 'registry', 'task']);
    for (const t of types) {
      const got = await actions({ type: t, count: '300' });
      expect(got.length).toBeGreaterThan(0);
      expect(got.every((r) => r.type === t)).toBe(true);
    }
    const or = await actions({ type: 'registry,task' });
    expect(new Set(or.map((r) => r.type))).toEqual(new Set(['registry', 'task']));
    expect(await actions({ type: 'Pipeline' })).toEqual([]);
    expect(await actions({ type: 'nothing' })).toEqual([]);
    const rep = await http().get(`${ACTIONS}?type=registry&type=pipeline&count=50`).set('Authorization', `Bearer ${creds().tokens.api}`);
    expect(rep.status).toBe(200);
    expect(rep.body.data.every((r: ActionRecord) => r.type === 'registry')).toBe(true);
  });

  it('date: records from 00:00Z of that day on; a future day is empty; a day before retention is clamped', async () => {
    const got = await actions({ date: '2026-03-09' });
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(1000);
    expect(got.length).toBe(stored('actions', Date.parse('2026-03-09T00:00:00Z'), NOW));
    expect(got.every((r) => r.createdAt >= '2026-03-09T00:00:00.000Z')).toBe(true);
    expect(got[got.length - 1].createdAt.slice(0, 10)).toBe('2026-03-09');
    // A longer window than 7 days is allowed: still at most 1000, newest first.
    const long = await actions({ date: '2026-02-20', type: 'task' });
    expect(long.length).toBe(
      Math.min(
        1000,
        stored('actions', Date.parse('2026-02-20T00:00:00Z'), NOW, (r) => r.type === 'task'),
      ),
    );
    expect(long[long.length - 1].createdAt < new Date(NOW - 7 * DAY).toISOString()).toBe(true);
    expect(await actions({ date: '2026-03-11' })).toEqual([]);
    const old = await actions({ date: '2020-01-01', type: 'task', count: '1' });
    expect(old).toHaveLength(1);
  });

  it('history is coherent: logins target the user, webhook runs carry the pipeline owner, ids per kind are disjoint', async () => {
    const data = await actions({ date: '2026-03-02' });
    const byType = (t: string) => data.filter((r) => r.type === t);
    for (const r of byType('authentication')) {
      expect(r.action).toBe('login');
      expect(r.target_id).toBe(r.user_id);
    }
    const owner = new Map<string, string>();
    for (const r of data.filter((x) => x.action === 'webhook_start')) {
      expect(owner.get(r.target_id) ?? r.user_id).toBe(r.user_id);
      owner.set(r.target_id, r.user_id);
    }
    expect(owner.size).toBeGreaterThan(0);
    const pipelines = new Set(byType('pipeline').map((r) => r.target_id));
    const tools = new Set(byType('registry').map((r) => r.target_id));
    expect(pipelines.size).toBeGreaterThan(1);
    expect(tools.size).toBeGreaterThan(1);
    expect([...tools].some((id) => pipelines.has(id))).toBe(false);
    const email = new Map<string, string>();
    for (const r of data) {
      expect(email.get(r.user_id) ?? r.user_email).toBe(r.user_email);
      email.set(r.user_id, r.user_email);
    }
    expect(new Set(data.map((r) => r.action))).toContain('approve');
  });
});

describe('Opsera: /tokens and token-usage recording', () => {
  it('every authenticated call appends a record, visible on the next call; a /tokens call sees its own first', async () => {
    await actions({ count: '1' }, 'securityLogs');
    const t = await tokens({ count: '2' }, 'securityLogs');
    expect(t[0]).toMatchObject({
      token_id: creds().tokenIds.securityLogs,
      scope: 'security-logs',
      target: '/v1/logs/user/tokens',
      user_id: creds().userId,
      account: creds().account,
      __v: 0,
    });
    expect(t[1]).toMatchObject({ token_id: creds().tokenIds.securityLogs, target: '/v1/logs/user/actions' });
    expect(t[0].createdAt).toBe(FROZEN_NOW);
    expect(t[0]._id > t[1]._id).toBe(true);
    expect(t[0]._id).toMatch(/^[0-9a-f]{24}$/);
  });

  it('refused calls after authentication (403, 400) are recorded; 401s are not', async () => {
    const readOnly = await client('readOnly').getUserActions();
    expect(readOnly.status).toBe(403);
    const bad = await client('api').getUserActions({ count: 'x' });
    expect(bad.status).toBe(400);
    expect((await client('expired').getTokenUsage()).status).toBe(401);
    const recent = await tokens({ count: '4' });
    expect(recent.slice(0, 3).map((r) => [r.scope, r.target, r.token_id])).toEqual([
      ['api', '/v1/logs/user/tokens', creds().tokenIds.api],
      ['api', '/v1/logs/user/actions', creds().tokenIds.api],
      ['api-readonly', '/v1/logs/user/actions', creds().tokenIds.readOnly],
    ]);
    expect(recent.some((r) => r.token_id === creds().tokenIds.expired)).toBe(false);
  });

  it('scope filter, 7-day default, cap and history of collectors and automation', async () => {
    const all = await tokens();
    expect(all).toHaveLength(1000);
    expect(stored('tokens', NOW - 7 * DAY, NOW)).toBeGreaterThan(1000);
    newestFirst(all);
    expect(all.every((r) => r.account === creds().account && Date.parse(r.createdAt) >= NOW - 7 * DAY)).toBe(true);
    const sec = await tokens({ scope: 'security-logs' });
    expect(sec.length).toBeGreaterThan(0);
    expect(sec.every((r) => r.scope === 'security-logs' && r.target.startsWith('/v1/logs/user/'))).toBe(true);
    const auto = await tokens({ scope: 'api,pipeline', date: '2026-03-02' });
    expect(auto.some((r) => /^\/v1\/pipelines\/[0-9a-f]{24}\/run$/.test(r.target))).toBe(true);
    expect(auto.every((r) => r.scope === 'api' || r.scope === 'pipeline')).toBe(true);
    expect(await tokens({ scope: 'Security-Logs' })).toEqual([]);
    expect(await tokens({ count: '3' })).toHaveLength(3);
    expect(await tokens({ date: '2027-01-01' })).toEqual([]);
  });
});

describe('Opsera: the failure ladder', () => {
  const expectStatus = (res: request.Response, status: number, message: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ message });
  };

  it('1-2: missing, non-Bearer, garbage, tampered and foreign-signed tokens get 401', async () => {
    const api = creds().tokens.api;
    const [h, p, s] = api.split('.');
    const foreign = await new JwtIssuer('some other secret', () => NOW).issue({ token_id: creds().tokenIds.api, user_id: creds().userId, scope: 'api' }, 3600);
    const cases: Array<string | undefined> = [
      undefined,
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer ',
      `Token ${api}`,
      'Bearer garbage',
      'Bearer a.b.c',
      'Bearer ....',
      `Bearer ${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`,
      `Bearer ${h}.${Buffer.from('{"scope":"api"}').toString('base64url')}.${s}`,
      `Bearer ${foreign}`,
      `Bearer ${'x'.repeat(8_000)}`,
      `Bearer ${api} extra`,
    ];
    for (const auth of cases) {
      const req = http().get(ACTIONS);
      expectStatus(await (auth === undefined ? req : req.set('Authorization', auth)), 401, 'Unauthorized');
    }
    // The scheme is case-insensitive.
    expect((await http().get(ACTIONS).set('Authorization', `bearer ${api}`)).status).toBe(200);
  });

  it('3-6: expired, unknown and deactivated tokens get 401', async () => {
    expectStatus(await http().get(TOKENS).set('Authorization', `Bearer ${creds().tokens.expired}`), 401, 'Unauthorized');
    expectStatus(await http().get(TOKENS).set('Authorization', `Bearer ${creds().tokens.deactivated}`), 401, 'Unauthorized');
    // Signed with the emulator's own secret but naming a token it never issued.
    const rt = env.get().runtimes.get('opsera')!;
    const issuer = new JwtIssuer(rt.ctx.secret.toString('hex'), () => NOW);
    const unknown = await issuer.issue({ token_id: 'ffffffffffffffffffffffff', user_id: creds().userId, scope: 'api' }, 3600);
    expectStatus(await http().get(ACTIONS).set('Authorization', `Bearer ${unknown}`), 401, 'Unauthorized');
    const wrongOwner = await issuer.issue({ token_id: creds().tokenIds.api, user_id: 'ffffffffffffffffffffffff', scope: 'api' }, 3600);
    expectStatus(await http().get(ACTIONS).set('Authorization', `Bearer ${wrongOwner}`), 401, 'Unauthorized');
  });

  it('7-8: a read-only scope and an owner who is neither Site Administrator nor Power User get 403', async () => {
    expectStatus(await http().get(ACTIONS).set('Authorization', `Bearer ${creds().tokens.readOnly}`), 403, 'Forbidden');
    expectStatus(await http().get(TOKENS).set('Authorization', `Bearer ${creds().tokens.notAdmin}`), 403, 'Forbidden');
    // Auth is checked before parameters.
    expectStatus(await http().get(`${ACTIONS}?date=bad`).set('Authorization', `Bearer ${creds().tokens.readOnly}`), 403, 'Forbidden');
    expectStatus(await http().get(`${ACTIONS}?date=bad`), 401, 'Unauthorized');
  });

  it('state: the live ObjectId counter is saved and loaded; a state that is not an object gives a fresh one', async () => {
    const rt = env.get().runtimes.get('opsera')!;
    const before = rt.saveState();
    try {
      // Above every counter the earlier calls used, so this call's own record is the newest of the frozen instant.
      rt.loadState({ counter: 0xfff000 });
      expect(rt.saveState()).toEqual({ counter: 0xfff000 });
      const [own] = await tokens({ count: '1' });
      expect(own._id.slice(-6)).toBe('fff000');
      expect(rt.saveState()).toEqual({ counter: 0xfff001 });
      rt.loadState('garbage');
      expect(rt.saveState()).toEqual({ counter: 0 });
    } finally {
      rt.loadState(before);
    }
    expect(
      (
        await http()
          .get(ACTIONS + '?count=1')
          .set('Authorization', `Bearer ${creds().tokens.securityLogs}`)
      ).status,
    ).toBe(200);
  });

  it('tokens expire when the emulator clock passes exp; the manifest then hands out fresh ones', async () => {
    const old = creds().tokens;
    try {
      // Tokens run from the start of the day they were handed out: 30 days for securityLogs, 90 for api.
      env.get().setClock({ advance: 'P29DT13H' });
      expect(
        (
          await http()
            .get(ACTIONS + '?count=1')
            .set('Authorization', `Bearer ${old.securityLogs}`)
        ).status,
      ).toBe(200);
      env.get().setClock({ advance: 'PT1H' });
      expect(
        (
          await http()
            .get(ACTIONS + '?count=1')
            .set('Authorization', `Bearer ${old.securityLogs}`)
        ).status,
      ).toBe(401);
      expect(
        (
          await http()
            .get(ACTIONS + '?count=1')
            .set('Authorization', `Bearer ${old.api}`)
        ).status,
      ).toBe(200);
      env.get().setClock({ advance: 'P60D' });
      expect(
        (
          await http()
            .get(ACTIONS + '?count=1')
            .set('Authorization', `Bearer ${old.api}`)
        ).status,
      ).toBe(401);
      const fresh = creds().tokens;
      expect(fresh.api).not.toBe(old.api);
      expect(
        (
          await http()
            .get(ACTIONS + '?count=1')
            .set('Authorization', `Bearer ${fresh.api}`)
        ).status,
      ).toBe(200);
      expect(
        (
          await http()
            .get(ACTIONS + '?count=1')
            .set('Authorization', `Bearer ${fresh.expired}`)
        ).status,
      ).toBe(401);
      // A clock set far in the past still gets working tokens and an expired one.
      env.get().setClock({ set: '2001-06-01T12:00:00Z' });
      expect(
        (
          await http()
            .get(ACTIONS + '?count=1')
            .set('Authorization', `Bearer ${creds().tokens.api}`)
        ).status,
      ).toBe(200);
      expect(
        (
          await http()
            .get(ACTIONS + '?count=1')
            .set('Authorization', `Bearer ${creds().tokens.expired}`)
        ).status,
      ).toBe(401);
    } finally {
      env.get().reset();
    }
    expect(creds().tokens).toEqual(old);
  });
});

describe('Opsera: bad input never gets a 5xx', () => {
  const auth = () => ({ Authorization: `Bearer ${creds().tokens.api}` });

  it('bad dates and counts get 400 with the specified messages; date is checked first', async () => {
    const badDates = [
      '2024-02-30',
      '2024-13-01',
      '2024-00-10',
      '20240101',
      '2024-1-1',
      'yesterday',
      '2024-01-01T00:00:00Z',
      '',
      '%E0%A4%A',
      encodeURIComponent('２０２４-01-01'),
    ];
    for (const d of badDates) {
      for (const path of [ACTIONS, TOKENS]) {
        const r = await http().get(`${path}?date=${d}`).set(auth());
        expect(r.status, d).toBe(400);
        expect(r.body).toEqual({ message: 'Invalid date, expected YYYY-MM-DD' });
      }
    }
    for (const c of ['0', '000', '-1', '1.5', 'ten', '', '1e3', '%205', '0x10', '+5']) {
      for (const path of [ACTIONS, TOKENS]) {
        const r = await http().get(`${path}?count=${c}`).set(auth());
        expect(r.status, c).toBe(400);
        expect(r.body).toEqual({ message: 'Invalid count, expected a positive integer' });
      }
    }
    const both = await http().get(`${ACTIONS}?count=0&date=nope`).set(auth());
    expect(both.body).toEqual({ message: 'Invalid date, expected YYYY-MM-DD' });
    // Unknown parameters are ignored; a leap day is a real date.
    expect((await http().get(`${ACTIONS}?page=2&date=2024-02-29&count=1`).set(auth())).status).toBe(200);
  });

  it('bodies: non-JSON and oversized bodies on the log paths get 404 (no such method), a GET body is ignored', async () => {
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      const r = await http()[method](ACTIONS).set(auth()).set('Content-Type', 'application/json').send('{not json');
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: 'Not Found' });
    }
    const big = await http()
      .post(TOKENS)
      .set(auth())
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ x: 'y'.repeat(3_000_000) }));
    expect(big.status).toBe(404);
    expect(big.body).toEqual({ message: 'Not Found' });
    const withBody = await http().get(`${ACTIONS}?count=1`).set(auth()).set('Content-Type', 'text/plain').send('garbage');
    expect(withBody.status).toBe(200);
  });

  it('unknown and differently cased paths get 404 {"message":"Not Found"}', async () => {
    for (const p of ['/', '/api/v1/logs/user', '/api/v1/logs/user/Actions', '/API/v1/logs/user/actions', '/v1/logs/user/actions', '/api/v2/logs/user/tokens']) {
      const r = await http().get(p).set(auth());
      expect(r.status, p).toBe(404);
      expect(r.body).toEqual({ message: 'Not Found' });
    }
  });
});

describe('Opsera: account scope, determinism, injection', () => {
  it('only the caller account is visible; the other tenant exists but never leaks', async () => {
    const accounts = env.get().manifest().providers.opsera.accounts as string[];
    expect(accounts).toContain(creds().account);
    expect(accounts.length).toBeGreaterThan(1);
    const other = accounts.find((a) => a !== creds().account)!;
    let otherStored = 0;
    for (const e of env
      .get()
      .runtimes.get('opsera')!
      .ctx.store.scan({ from: NOW - DAY, to: NOW }))
      if ((e.rec as { account: string }).account === other) otherStored++;
    expect(otherStored).toBeGreaterThan(0);
    const data = [...(await actions({ date: '2026-03-09' })), ...(await tokens({ date: '2026-03-09' }))];
    expect(data.every((r) => r.account === creds().account)).toBe(true);
  });

  it('tokens and history are a function of the seed and day', async () => {
    expect(creds().tokens).toEqual(creds().tokens);
    const a = await actions({ count: '50' });
    const b = await actions({ count: '50' });
    expect(b).toEqual(a);
  });

  it('injected records of both kinds show up in their own log, and bad ones are refused', async () => {
    const ctl = request(env.get().controlUrl);
    const at = new Date(NOW - 60_000).toISOString();
    const action = {
      user_id: creds().userId,
      user_email: 'inject@example.com',
      type: 'pipeline',
      action: 'publish',
      target_id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
      createdAt: at,
    };
    const use = { token_id: 'bbbbbbbbbbbbbbbbbbbbbbbb', scope: 'pipeline', target: '/v1/pipelines', user_id: creds().userId, createdAt: at };
    const ok = await ctl.post('/_emulator/providers/opsera/events').send([action, use]);
    expect(ok.status).toBe(201);
    expect(ok.body.ids.every((id: string) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
    const got = (await actions({ type: 'pipeline', count: '1000' })).find((r) => r.user_email === 'inject@example.com');
    expect(got).toMatchObject({ ...action, account: creds().account, updatedAt: at, __v: 0 });
    const gotUse = (await tokens({ scope: 'pipeline', count: '1000' })).find((r) => r.token_id === use.token_id);
    expect(gotUse).toMatchObject({ ...use, account: creds().account, updatedAt: at, __v: 0 });
    const bad = await ctl.post('/_emulator/providers/opsera/events').send({ ...action, token_id: 'cccccccccccccccccccccccc' });
    expect(bad.status).toBe(400);
    const badId = await ctl.post('/_emulator/providers/opsera/events').send({ ...use, user_id: 'not-an-object-id' });
    expect(badId.status).toBe(400);
  });
});
