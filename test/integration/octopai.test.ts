import request from 'supertest';
import { sign } from 'hono/jwt';
import { afterEach, describe, expect, it } from 'vitest';
import { OctopaiClient, type UserEvent } from '../../contracts/octopai/client.js';
import { PAGES } from '../../fixtures/catalogues/octopai.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW, only: ['octopai'] });
const NOW = Date.parse(FROZEN_NOW);
const DAY = 86_400_000;
const NET_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;

type Creds = { userName: string; password: string; nonAdmin: { userName: string; password: string } };
const creds = () => env.get().providers.octopai.credentials as Creds;
const base = () => request(env.get().providers.octopai.baseUrl);
const client = (c: { userName: string; password: string } = creds()) =>
  new OctopaiClient({ baseUrl: env.get().providers.octopai.baseUrl, userName: c.userName, password: c.password });

async function login(body: unknown = { Username: creds().userName, Password: creds().password }, ua = 'octopai-test/1.0') {
  return base()
    .post('/api/UserAccount/Login')
    .set('User-Agent', ua)
    .send(body as object);
}
async function token(c: { userName: string; password: string } = creds()): Promise<string> {
  const r = await login({ Username: c.userName, Password: c.password });
  expect(r.status).toBe(200);
  return r.body.accessToken;
}
function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}
async function events(query: Record<string, string> = {}, tok?: string) {
  return base()
    .get('/api/UserAccount/UserEvents')
    .query(query)
    .set('Authorization', `Bearer ${tok ?? (await token())}`);
}

describe('Octopai Login', () => {
  it('issues an HS256 JWT (2 h, nbf 60 s early) and a 30-day refresh token in the documented envelope', async () => {
    const r = await login();
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const b = r.body;
    expect(Object.keys(b)).toEqual([
      'accessToken',
      'expiration',
      'refreshToken',
      'userName',
      'displayName',
      'userEmail',
      'isAdmin',
      'error',
      'groupMember',
      'authLevel',
      'displayModules',
    ]);
    expect(b).toMatchObject({
      userName: creds().userName,
      userEmail: null,
      isAdmin: true,
      error: null,
      groupMember: [],
      authLevel: 'ADMIN',
      displayModules: 'lineage;e2e;discovery;compare;adc;adc dashboard;livelineage',
    });
    expect(JSON.parse(Buffer.from(b.accessToken.split('.')[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const c = claims(b.accessToken);
    const iat = NOW / 1000;
    expect(c).toMatchObject({
      email: creds().userName,
      role: 'IsAdmin',
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/authentication': 'admin',
      iat,
      nbf: iat - 60,
      exp: iat + 7200,
      iss: 'DemoIssuer',
      aud: 'DemoAudience',
    });
    expect(typeof c.unique_name).toBe('string');
    expect(b.expiration).toBe('2026-03-10T12:00:00.0000000Z');
    expect(b.refreshToken.expiration).toBe('2026-04-09T10:00:00.0000000Z');
    expect(b.refreshToken.token).toMatch(/^[A-Za-z0-9+/]{86}==$/);
  });

  it('accepts the field names in any casing and the user name in any case', async () => {
    const { userName, password } = creds();
    for (const body of [
      { userName, password },
      { username: userName.toUpperCase(), PASSWORD: password },
      { USERNAME: userName, Password: password },
    ]) {
      const r = await login(body);
      expect(r.status, JSON.stringify(Object.keys(body))).toBe(200);
      expect(r.body.userName).toBe(userName);
    }
  });

  it('a non-admin gets a token without the role claim and authLevel USER', async () => {
    const r = await login({ Username: creds().nonAdmin.userName, Password: creds().nonAdmin.password });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ isAdmin: false, authLevel: 'USER' });
    const c = claims(r.body.accessToken);
    expect(c.role).toBeUndefined();
    expect(c['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/authentication']).toBe('user');
  });

  it('failure ladder: bad body 400, missing fields 400, bad credentials 401, all in the failure envelope', async () => {
    const envelope = (userName: string | null, error: string) => ({
      accessToken: null,
      expiration: null,
      refreshToken: null,
      userName,
      displayName: null,
      userEmail: null,
      isAdmin: false,
      error,
      groupMember: [],
      authLevel: null,
      displayModules: null,
    });
    const { userName } = creds();
    const cases: Array<[PromiseLike<request.Response>, number, ReturnType<typeof envelope>]> = [
      [base().post('/api/UserAccount/Login').set('Content-Type', 'application/json').send('{"Username":'), 400, envelope(null, 'Invalid request body')],
      [base().post('/api/UserAccount/Login').set('Content-Type', 'application/json').send('[1,2]'), 400, envelope(null, 'Invalid request body')],
      [base().post('/api/UserAccount/Login').set('Content-Type', 'text/plain').send(`Username=${userName}`), 400, envelope(null, 'Invalid request body')],
      [base().post('/api/UserAccount/Login'), 400, envelope(null, 'Invalid request body')],
      [login({ Username: userName, Password: 42 }), 400, envelope(userName, 'Invalid request body')],
      [login({ Username: userName }), 400, envelope(userName, 'Username and password are required')],
      [login({ Username: '  ', Password: 'x' }), 400, envelope('  ', 'Username and password are required')],
      [login({ Username: userName, Password: 'wrong' }), 401, envelope(userName, 'Invalid username or password')],
      [login({ Username: 'nobody@nowhere.example', Password: 'x' }), 401, envelope('nobody@nowhere.example', 'Invalid username or password')],
      [login({ Username: userName, Password: creds().password.toUpperCase() + 'x' }), 401, envelope(userName, 'Invalid username or password')],
    ];
    for (const [req, status, body] of cases) {
      const r = await req;
      expect(r.status, body.error).toBe(status);
      expect(r.body).toEqual(body);
    }
  });

  it('an oversized body gets 413, never a 5xx', async () => {
    const r = await base()
      .post('/api/UserAccount/Login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ Username: 'a', Password: 'x'.repeat(1_100_000) }));
    expect(r.status).toBe(413);
    expect(r.text).toBe('');
  });

  it('records every attempt at once, with the caller IP and user agent, newest first', async () => {
    const { userName, password } = creds();
    await login({ Username: userName, Password: 'typo' }, 'burst-client/2.0');
    await login({ Username: 'nobody@nowhere.example', Password: 'x' }, 'burst-client/2.0');
    await login({}, 'burst-client/2.0');
    await login({ Username: userName, Password: password }, 'burst-client/2.0');
    const r = await events({ eventType: 'Login,LoginFailed', startDate: FROZEN_NOW, pageSize: '5' }, await token());
    expect(r.status).toBe(200);
    const [own, ok, noName, unknown, bad] = r.body as UserEvent[];
    // The first one is the token() login made to read the trail.
    expect(own).toMatchObject({ eventType: 'Login', userAgent: 'octopai-test/1.0' });
    expect(ok).toMatchObject({
      userName,
      userEmail: userName,
      eventType: 'Login',
      eventDate: '2026-03-10T10:00:00.0000000Z',
      ipAddress: '127.0.0.1',
      userAgent: 'burst-client/2.0',
      details: null,
    });
    expect(noName).toMatchObject({ userName: null, userEmail: null, eventType: 'LoginFailed', details: 'Username and password are required' });
    expect(unknown).toMatchObject({ userName: 'nobody@nowhere.example', userEmail: null, eventType: 'LoginFailed', details: 'Invalid username or password' });
    expect(bad).toMatchObject({ userName, userEmail: userName, eventType: 'LoginFailed', details: 'Invalid username or password', ipAddress: '127.0.0.1' });
    // Same instant on the frozen clock: ties go by id, descending.
    const ids = (r.body as UserEvent[]).map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });
});

describe('Octopai UserEvents: reads', () => {
  it('default window is the last 7 days, 100 per page, newest first, eight keys each', async () => {
    const r = await events();
    expect(r.status).toBe(200);
    const list = r.body as UserEvent[];
    expect(list).toHaveLength(100);
    for (const e of list) {
      expect(Object.keys(e)).toEqual(['id', 'userName', 'userEmail', 'eventType', 'eventDate', 'ipAddress', 'userAgent', 'details']);
      expect(e.eventDate).toMatch(NET_ISO);
      const t = Date.parse(e.eventDate);
      expect(t).toBeLessThanOrEqual(NOW);
      expect(t).toBeGreaterThanOrEqual(NOW - 7 * DAY);
    }
    for (let i = 1; i < list.length; i++) {
      const a = Date.parse(list[i - 1].eventDate);
      const b = Date.parse(list[i].eventDate);
      expect(a > b || (a === b && list[i - 1].id > list[i].id)).toBe(true);
    }
    // The whole default window reaches back 7 days and no further.
    const all: UserEvent[] = [];
    for await (const e of client().allEvents({ pageSize: 1000, eventType: 'Logout,Export' })) all.push(e);
    const oldest = Math.min(...all.map((e) => Date.parse(e.eventDate)));
    expect(oldest).toBeGreaterThanOrEqual(NOW - 7 * DAY);
    expect(oldest).toBeLessThan(NOW - 6 * DAY);
  });

  it('dates: date-only start from midnight, date-only end through the day, offsets honoured, no offset = UTC', async () => {
    const tok = await token();
    const day = await events({ startDate: '2026-03-05', endDate: '2026-03-05', pageSize: '1000' }, tok);
    expect(day.status).toBe(200);
    expect(day.body.length).toBeGreaterThan(0);
    for (const e of day.body as UserEvent[]) expect(e.eventDate.slice(0, 10)).toBe('2026-03-05');
    const times = (day.body as UserEvent[]).map((e) => Date.parse(e.eventDate));
    expect(Math.max(...times)).toBeGreaterThan(Date.parse('2026-03-05T12:00:00Z'));
    const win = await events({ startDate: '2026-03-05T14:00:00', endDate: '2026-03-05T17:00:00+02:00', pageSize: '1000' }, tok);
    for (const e of win.body as UserEvent[]) {
      expect(Date.parse(e.eventDate)).toBeGreaterThanOrEqual(Date.parse('2026-03-05T14:00:00Z'));
      expect(Date.parse(e.eventDate)).toBeLessThanOrEqual(Date.parse('2026-03-05T15:00:00Z'));
    }
    // Only endDate: the 7 days before it.
    const end = client().allEvents({ endDate: '2026-03-01T00:00:00Z', eventType: 'Export', pageSize: 1000 });
    const got: UserEvent[] = [];
    for await (const e of end) got.push(e);
    expect(got.length).toBeGreaterThan(0);
    for (const e of got) {
      expect(Date.parse(e.eventDate)).toBeLessThanOrEqual(Date.parse('2026-03-01T00:00:00Z'));
      expect(Date.parse(e.eventDate)).toBeGreaterThanOrEqual(Date.parse('2026-02-22T00:00:00Z'));
    }
  });

  it('clamps to 90 days of retention; a future window is empty', async () => {
    const tok = await token();
    const got: UserEvent[] = [];
    for await (const e of client().allEvents({ startDate: '2020-01-01', eventType: 'Export', pageSize: 1000 })) got.push(e);
    const oldest = Math.min(...got.map((e) => Date.parse(e.eventDate)));
    expect(oldest).toBeGreaterThanOrEqual(NOW - 90 * DAY);
    expect(oldest).toBeLessThan(NOW - 85 * DAY);
    const future = await events({ startDate: '2026-03-11' }, tok);
    expect(future.status).toBe(200);
    expect(future.body).toEqual([]);
  });

  it('filters: userName exact and case-insensitive, eventType lists ORed, AND across; unknown type matches nothing', async () => {
    const tok = await token();
    const all = (await events({ pageSize: '1000', startDate: '2026-03-09' }, tok)).body as UserEvent[];
    expect(all.length).toBeGreaterThan(200);
    expect(all.length).toBeLessThan(1000);
    const someone = all.find((e) => e.eventType === 'PageLoad')!.userName!;
    const cases: Array<[Record<string, string>, (e: UserEvent) => boolean]> = [
      [{ userName: someone.toUpperCase() }, (e) => e.userName?.toLowerCase() === someone.toLowerCase()],
      [{ eventType: 'search,EXPORT' }, (e) => e.eventType === 'Search' || e.eventType === 'Export'],
      [{ eventType: 'PageLoad', userName: someone }, (e) => e.eventType === 'PageLoad' && e.userName?.toLowerCase() === someone.toLowerCase()],
      [{ eventType: 'Nope' }, () => false],
      [{ userName: someone.slice(0, 5) }, () => false],
    ];
    for (const [f, pred] of cases) {
      const r = await events({ pageSize: '1000', startDate: '2026-03-09', ...f }, tok);
      expect(r.status).toBe(200);
      expect(r.body, JSON.stringify(f)).toEqual(all.filter(pred));
    }
    // Repeated eventType keys add up like a comma list.
    const rep = await base()
      .get('/api/UserAccount/UserEvents?eventType=Search&eventType=Export&pageSize=1000&startDate=2026-03-09')
      .set('Authorization', `Bearer ${tok}`);
    expect(rep.body).toEqual(all.filter((e) => e.eventType === 'Search' || e.eventType === 'Export'));
  });

  it('pages with pageNumber and pageSize without overlap; past the end is []', async () => {
    const tok = await token();
    const q = { startDate: '2026-03-05', endDate: '2026-03-05T14:00:00Z', eventType: 'PageLoad,Search' };
    const whole = (await events({ ...q, pageSize: '1000' }, tok)).body as UserEvent[];
    expect(whole.length).toBeGreaterThan(60);
    const pages: UserEvent[] = [];
    for (let n = 1; ; n++) {
      const r = await events({ ...q, pageSize: '25', pageNumber: String(n) }, tok);
      expect(r.status).toBe(200);
      pages.push(...r.body);
      if (r.body.length < 25) break;
    }
    expect(pages).toEqual(whole);
    expect((await events({ ...q, pageSize: '25', pageNumber: '9999' }, tok)).body).toEqual([]);
  });

  it('POST takes the same parameters in a JSON body (any casing); body beats query; empty body = {}', async () => {
    const tok = await token();
    const get = (await events({ startDate: '2026-03-07', endDate: '2026-03-07', eventType: 'Search', pageSize: '50' }, tok)).body;
    const post = await base()
      .post('/api/UserAccount/UserEvents')
      .set('Authorization', `Bearer ${tok}`)
      .send({ STARTDATE: '2026-03-07', enddate: '2026-03-07', EventType: ['Search'], pageSize: 50, pageNumber: '1', unknown: true });
    expect(post.status).toBe(200);
    expect(post.body).toEqual(get);
    const mixed = await base()
      .post('/api/UserAccount/UserEvents?eventType=Export&pageSize=3')
      .set('Authorization', `Bearer ${tok}`)
      .send({ startDate: '2026-03-07', endDate: '2026-03-07', eventType: 'Search', pageSize: 50 });
    expect(mixed.body).toEqual(get);
    const empty = await base().post('/api/UserAccount/UserEvents').set('Authorization', `Bearer ${tok}`);
    expect(empty.status).toBe(200);
    expect(empty.body).toHaveLength(100);
  });

  it('routes match case-insensitively and with a trailing slash; other methods get 405 with Allow; unknown paths 404', async () => {
    const tok = await token();
    expect((await base().get('/api/useraccount/userevents/?pageSize=1').set('Authorization', `Bearer ${tok}`)).status).toBe(200);
    const l = await base().post('/API/USERACCOUNT/LOGIN/').send({ username: creds().userName, password: creds().password });
    expect(l.status).toBe(200);
    const m1 = await base().get('/api/UserAccount/Login');
    expect(m1.status).toBe(405);
    expect(m1.headers.allow).toBe('POST');
    expect(m1.text).toBe('');
    const m2 = await base().delete('/api/UserAccount/UserEvents');
    expect(m2.status).toBe(405);
    expect(m2.headers.allow).toBe('GET, POST');
    const nf = await base().get('/api/v2.0/assets/query');
    expect(nf.status).toBe(404);
    expect(nf.text).toBe('');
  });
});

describe('Octopai UserEvents: bad input gets 400 problem details naming the parameter, never a 5xx', () => {
  it('query parameters', async () => {
    const tok = await token();
    const bad: Array<[Record<string, string>, Record<string, string[]>]> = [
      [{ startDate: 'yesterday' }, { startDate: ["The value 'yesterday' is not valid for startDate."] }],
      [{ startDate: '2026-02-30' }, { startDate: ["The value '2026-02-30' is not valid for startDate."] }],
      [{ endDate: '2026-03-01T25:00:00Z' }, { endDate: ["The value '2026-03-01T25:00:00Z' is not valid for endDate."] }],
      [{ startDate: '2026-03-05', endDate: '2026-03-04' }, { startDate: ['startDate must not be later than endDate.'] }],
      [{ pageSize: '0' }, { pageSize: ['pageSize must be between 1 and 1000.'] }],
      [{ pageSize: '1001' }, { pageSize: ['pageSize must be between 1 and 1000.'] }],
      [{ pageSize: 'ten' }, { pageSize: ["The value 'ten' is not valid for pageSize."] }],
      [{ pageSize: '1.5' }, { pageSize: ["The value '1.5' is not valid for pageSize."] }],
      [{ pageNumber: '0' }, { pageNumber: ['pageNumber must be 1 or greater.'] }],
      [{ pageNumber: '-3' }, { pageNumber: ['pageNumber must be 1 or greater.'] }],
      [{ pageNumber: '99999999999' }, { pageNumber: ["The value '99999999999' is not valid for pageNumber."] }],
      [
        { pageNumber: '0', pageSize: '5000', startDate: 'x' },
        {
          startDate: ["The value 'x' is not valid for startDate."],
          pageNumber: ['pageNumber must be 1 or greater.'],
          pageSize: ['pageSize must be between 1 and 1000.'],
        },
      ],
    ];
    for (const [q, errors] of bad) {
      const r = await events(q, tok);
      expect(r.status, JSON.stringify(q)).toBe(400);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body).toEqual({ title: 'One or more validation errors occurred.', status: 400, errors });
    }
  });

  it('POST bodies: non-JSON, non-object, wrong types, wrong content type, oversized', async () => {
    const tok = await token();
    const post = () => base().post('/api/UserAccount/UserEvents').set('Authorization', `Bearer ${tok}`);
    const cases: Array<[request.Test, Record<string, string[]>]> = [
      [post().set('Content-Type', 'application/json').send('{"pageSize":'), { $: ['The request body is not valid JSON.'] }],
      [post().set('Content-Type', 'application/json').send('[]'), { $: ['The request body must be a JSON object.'] }],
      [post().set('Content-Type', 'application/json').send('"text"'), { $: ['The request body must be a JSON object.'] }],
      [post().set('Content-Type', 'text/plain').send('pageSize=5'), { $: ["Unsupported content type 'text/plain'; send application/json."] }],
      [
        post().set('Content-Type', 'application/x-www-form-urlencoded').send('pageSize=5'),
        { $: ["Unsupported content type 'application/x-www-form-urlencoded'; send application/json."] },
      ],
      [post().send({ pageSize: 1.5 }), { pageSize: ["The value '1.5' is not valid for pageSize."] }],
      [post().send({ startDate: 20260301 }), { startDate: ["The value '20260301' is not valid for startDate."] }],
      [post().send({ userName: ['a'] }), { userName: ['The value \'["a"]\' is not valid for userName.'] }],
      [post().send({ eventType: [1] }), { eventType: ["The value '[1]' is not valid for eventType."] }],
    ];
    for (const [req, errors] of cases) {
      const r = await req;
      expect(r.status, JSON.stringify(errors)).toBe(400);
      expect(r.body).toEqual({ title: 'One or more validation errors occurred.', status: 400, errors });
    }
    const big = await post()
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ userName: 'x'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
  });
});

describe('Octopai UserEvents: tokens', () => {
  afterEach(() => env.get().setClock({ set: FROZEN_NOW }));

  it('missing, malformed, non-Bearer, forged and tampered tokens get 401 with the Bearer challenge', async () => {
    const tok = await token();
    const [h, p] = tok.split('.');
    const forged = await sign(claims(tok), 'not-the-secret', 'HS256');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims(tok), email: creds().nonAdmin.userName })).toString('base64url')}.${tok.split('.')[2]}`;
    const otherIss = await sign({ ...claims(tok), iss: 'Elsewhere' }, 'not-the-secret', 'HS256');
    for (const auth of [
      undefined,
      'Bearer',
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Bearer not.a.jwt',
      `Bearer ${h}.${p}`,
      `Bearer ${forged}`,
      `Bearer ${tampered}`,
      `Bearer ${otherIss}`,
    ]) {
      const req = base().get('/api/UserAccount/UserEvents');
      const r = await (auth ? req.set('Authorization', auth) : req);
      expect(r.status, auth).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(r.text).toBe('');
    }
  });

  it('a non-admin user gets 403 with an empty body', async () => {
    const r = await events({}, await token(creds().nonAdmin));
    expect(r.status).toBe(403);
    expect(r.text).toBe('');
  });

  it('the access token expires after 2 hours of emulator time; refresh rotates the pair', async () => {
    const first = (await login()).body;
    expect((await events({ pageSize: '1' }, first.accessToken)).status).toBe(200);
    env.get().setClock({ advance: 'PT1H59M' });
    expect((await events({ pageSize: '1' }, first.accessToken)).status).toBe(200);
    env.get().setClock({ advance: 'PT2M' });
    const expired = await events({ pageSize: '1' }, first.accessToken);
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toBe(`Bearer error="invalid_token", error_description="The token expired at '2026-03-10T12:00:00.0000000Z'"`);

    // Refresh with the expired access token and the refresh token object.
    const r = await base().post('/api/UserAccount/RefreshToken').send({ AccessToken: first.accessToken, refreshToken: first.refreshToken });
    expect(r.status).toBe(200);
    expect(r.body.error).toBeNull();
    expect(r.body.refreshToken.token).not.toBe(first.refreshToken.token);
    expect(r.body.expiration).toBe('2026-03-10T14:01:00.0000000Z');
    expect((await events({ pageSize: '1' }, r.body.accessToken)).status).toBe(200);
    // The used refresh token is gone; the new one works once (string form).
    const again = await base().post('/api/UserAccount/RefreshToken').send({ accessToken: first.accessToken, refreshToken: first.refreshToken.token });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('Invalid refresh token');
    const next = await base().post('/api/UserAccount/RefreshToken').send({ accessToken: r.body.accessToken, refreshToken: r.body.refreshToken.token });
    expect(next.status).toBe(200);
  });

  it('refresh refuses mismatched users, forged tokens, expired refresh tokens and bad bodies', async () => {
    const admin = (await login()).body;
    const other = (await login({ Username: creds().nonAdmin.userName, Password: creds().nonAdmin.password })).body;
    const post = (body: unknown) =>
      base()
        .post('/api/UserAccount/RefreshToken')
        .send(body as object);
    const mismatch = await post({ accessToken: other.accessToken, refreshToken: admin.refreshToken.token });
    expect(mismatch.status).toBe(401);
    expect(mismatch.body.error).toBe('Invalid refresh token');
    const forged = await sign(claims(admin.accessToken), 'nope', 'HS256');
    expect((await post({ accessToken: forged, refreshToken: admin.refreshToken.token })).status).toBe(401);
    expect((await post({ accessToken: admin.accessToken })).body).toMatchObject({ error: 'Access token and refresh token are required' });
    const nonJson = await base().post('/api/UserAccount/RefreshToken').set('Content-Type', 'application/json').send('{');
    expect(nonJson.status).toBe(400);
    expect(nonJson.body.error).toBe('Invalid request body');
    env.get().setClock({ advance: 'P30DT1M' });
    const old = await post({ accessToken: admin.accessToken, refreshToken: admin.refreshToken.token });
    expect(old.status).toBe(401);
  });

  it('the typed client refreshes an expired token and retries once', async () => {
    const c = client();
    expect((await c.getUserEvents({ pageSize: '1' })).ok).toBe(true);
    expect(c.stats).toEqual({ logins: 1, refreshes: 0, retries: 0 });
    env.get().setClock({ advance: 'PT2H1M' });
    const r = await c.getUserEvents({ pageSize: '1' });
    expect(r.ok).toBe(true);
    expect(c.stats).toEqual({ logins: 1, refreshes: 1, retries: 1 });
    // Past the refresh token's life the client logs in again.
    env.get().setClock({ advance: 'P31D' });
    expect((await c.postUserEvents({ pageSize: 1 })).ok).toBe(true);
    expect(c.stats).toEqual({ logins: 2, refreshes: 2, retries: 2 });
  });
});

describe('Octopai generated history', () => {
  it('has every event type, module page loads, failed-login bursts before a success, and working-hours rhythm', async () => {
    const all: UserEvent[] = [];
    for await (const e of client().allEvents({ startDate: '2026-03-02', endDate: '2026-03-06', pageSize: 1000 })) all.push(e);
    const types = new Set(all.map((e) => e.eventType));
    expect([...types].sort()).toEqual(['Export', 'Login', 'LoginFailed', 'Logout', 'PageLoad', 'Search']);
    const share = (t: string) => all.filter((e) => e.eventType === t).length / all.length;
    expect(share('PageLoad')).toBeGreaterThan(0.5);
    expect(share('LoginFailed')).toBeLessThan(0.05);
    const pages = new Set(PAGES.map((p) => p.value));
    for (const e of all.filter((x) => x.eventType === 'PageLoad')) expect(pages.has(e.details!)).toBe(true);
    // Each failed login is followed by that person's successful login within a few minutes.
    const asc = [...all].reverse();
    const fails = asc.filter((e) => e.eventType === 'LoginFailed' && e.userEmail);
    expect(fails.length).toBeGreaterThan(0);
    for (const f of fails) {
      const t = Date.parse(f.eventDate);
      expect(
        asc.some((e) => e.eventType === 'Login' && e.userEmail === f.userEmail && Date.parse(e.eventDate) > t && Date.parse(e.eventDate) - t < 3 * 60_000),
      ).toBe(true);
    }
    expect(all.some((e) => e.eventType === 'LoginFailed' && e.userEmail === null)).toBe(true);
    expect(all.some((e) => e.ipAddress.includes(':'))).toBe(true);
    expect(all.some((e) => /python-requests|PowerShell|^node$/.test(e.userAgent ?? ''))).toBe(true);
    // Ids are unique.
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });
});
