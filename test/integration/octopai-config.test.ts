import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { OctopaiClient, type UserEvent } from '../../contracts/octopai/client.js';
import { startEmulator } from '../../servers/index.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({
  now: FROZEN_NOW,
  only: ['octopai'],
  config: {
    octopai: {
      tenants: ['acme'],
      loginFailureStatus: 200,
      lockoutAfterFailures: 3,
      trustForwardedFor: true,
      clockSkewSeconds: 300,
      credentials: { password: 'Correct-Horse-1' },
    },
  },
});
type Creds = { userName: string; password: string; nonAdmin: { userName: string; password: string } };
const creds = () => env.get().providers.octopai.credentials as Creds;
const base = () => request(env.get().providers.octopai.baseUrl);
const login = (c: { userName: string; password: string }, host?: string) => {
  const r = base().post('/api/UserAccount/Login').send({ Username: c.userName, Password: c.password });
  return host ? r.set('Host', host) : r;
};

describe('Octopai config switches', () => {
  afterEach(() => env.get().setClock({ set: FROZEN_NOW }));

  it('credential overrides land in the manifest and work', async () => {
    expect(creds().password).toBe('Correct-Horse-1');
    expect((await login(creds())).status).toBe(200);
  });

  it('loginFailureStatus 200: bad credentials answer 200 with the failure envelope; the client sees the error', async () => {
    const r = await login({ userName: creds().userName, password: 'wrong' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ accessToken: null, error: 'Invalid username or password', isAdmin: false });
    const c = new OctopaiClient({ baseUrl: env.get().providers.octopai.baseUrl, userName: creds().userName, password: 'wrong' });
    const l = await c.login();
    expect(l.ok).toBe(false);
    expect(l.status).toBe(200);
    // Malformed bodies stay 400.
    expect((await base().post('/api/UserAccount/Login').send({})).status).toBe(400);
  });

  it('lockoutAfterFailures locks a user after consecutive failures, even with the right password', async () => {
    const u = creds().nonAdmin;
    for (let i = 0; i < 3; i++) expect((await login({ userName: u.userName, password: `bad${i}` })).body.error).toBe('Invalid username or password');
    const locked = await login(u);
    expect(locked.body).toMatchObject({ accessToken: null, error: 'User is locked' });
  });

  it('trustForwardedFor records the first X-Forwarded-For address', async () => {
    await login(creds()).set('X-Forwarded-For', '203.0.113.9, 10.0.0.1').set('User-Agent', 'proxy-test');
    const tok = (await login(creds())).body.accessToken;
    const r = await base().get('/api/UserAccount/UserEvents?eventType=Login&pageSize=2').set('Authorization', `Bearer ${tok}`);
    expect((r.body as UserEvent[])[1]).toMatchObject({ ipAddress: '203.0.113.9', userAgent: 'proxy-test' });
    expect((r.body as UserEvent[])[0].ipAddress).toBe('127.0.0.1');
  });

  it('clockSkewSeconds extends token validity past exp', async () => {
    const tok = (await login(creds())).body.accessToken;
    const get = () => base().get('/api/UserAccount/UserEvents?pageSize=1').set('Authorization', `Bearer ${tok}`);
    env.get().setClock({ advance: 'PT2H4M' });
    expect((await get()).status).toBe(200);
    env.get().setClock({ advance: 'PT2M' });
    expect((await get()).status).toBe(401);
  });

  it('tenants: the first host label picks the tenant; keys, users and events are kept apart', async () => {
    const acme = (env.get().manifest().providers.octopai as unknown as { tenants: Record<string, { host: string; credentials: Creds }> }).tenants.acme;
    expect(acme.host).toBe('acme.localhost');
    const a = await login(acme.credentials, 'acme.localhost:8080').set('User-Agent', 'acme-agent');
    expect(a.status).toBe(200);
    const d = (await login(creds())).body.accessToken;
    // A default-tenant token fails on the acme host, and the other way round.
    const onAcme = await base().get('/api/UserAccount/UserEvents').set('Host', 'acme.localhost').set('Authorization', `Bearer ${d}`);
    expect(onAcme.status).toBe(401);
    expect((await base().get('/api/UserAccount/UserEvents').set('Authorization', `Bearer ${a.body.accessToken}`)).status).toBe(401);
    const acmeEvents = await base()
      .get('/api/UserAccount/UserEvents?eventType=Login&pageSize=1')
      .set('Host', 'acme.localhost')
      .set('Authorization', `Bearer ${a.body.accessToken}`);
    expect(acmeEvents.body[0]).toMatchObject({ userAgent: 'acme-agent' });
    const defEvents = await base().get('/api/UserAccount/UserEvents?pageSize=1000&startDate=2026-03-10T09:00:00Z').set('Authorization', `Bearer ${d}`);
    expect((defEvents.body as UserEvent[]).some((e) => e.userAgent === 'acme-agent')).toBe(false);
    // Each tenant has its own generated history.
    const acmeDay = await base()
      .get('/api/UserAccount/UserEvents?startDate=2026-03-09&endDate=2026-03-09&pageSize=5')
      .set('Host', 'acme.localhost')
      .set('Authorization', `Bearer ${a.body.accessToken}`);
    const defDay = await base().get('/api/UserAccount/UserEvents?startDate=2026-03-09&endDate=2026-03-09&pageSize=5').set('Authorization', `Bearer ${d}`);
    expect(acmeDay.body.length).toBe(5);
    expect(acmeDay.body).not.toEqual(defDay.body);
  });

  it('state: issued refresh tokens survive a reset through save/load', async () => {
    const first = (await login(creds())).body;
    const rt = env.get().runtimes.get('octopai')!;
    const saved = JSON.parse(JSON.stringify(rt.saveState()));
    env.get().reset();
    const refresh = () => base().post('/api/UserAccount/RefreshToken').send({ accessToken: first.accessToken, refreshToken: first.refreshToken.token });
    expect((await refresh()).status).toBe(401);
    env.get().runtimes.get('octopai')!.loadState(saved);
    expect((await refresh()).status).toBe(200);
  });

  it('ill-typed, out-of-range and unknown switches stop start-up with a line naming them', async () => {
    const start = (octopai: Record<string, unknown>) => startEmulator({ portBase: 0, now: FROZEN_NOW, only: ['octopai'], config: { octopai } });
    await expect(start({ loginFailureStatus: 500 })).rejects.toThrow(/octopai\.loginFailureStatus/);
    await expect(start({ retentionDays: 365 })).rejects.toThrow(/octopai\.retentionDays/);
    await expect(start({ tenants: ['not a host label'] })).rejects.toThrow(/octopai\.tenants/);
    await expect(start({ credentials: { nonAdmin: { user: 'x' } } })).rejects.toThrow(/octopai\.credentials\.nonAdmin\.user/);
    await expect(start({ lockoutAfterFailure: 3 })).rejects.toThrow(/unknown setting 'octopai\.lockoutAfterFailure'/);
  });
});
