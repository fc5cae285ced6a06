import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { controlGuard, hostName } from '../../servers/core/guard.js';

function app(opts: { host?: string; token?: string; allowHosts?: string[] } = {}) {
  const a = new Hono();
  a.use(
    '*',
    controlGuard({ host: opts.host ?? '127.0.0.1', token: opts.token, allowHosts: opts.allowHosts }, (r) =>
      Response.json({ error: r.message }, { status: r.status }),
    ),
  );
  a.get('/x', (c) => c.json({ ok: true }));
  a.post('/x', (c) => c.json({ ok: true }));
  return a;
}
const req = (a: Hono, init: RequestInit & { path?: string } = {}) => a.request(`http://127.0.0.1:4100${init.path ?? '/x'}`, init);

describe('control guard', () => {
  it('reads the host name from Host headers with and without ports', () => {
    expect(hostName('127.0.0.1:4100')).toBe('127.0.0.1');
    expect(hostName('[::1]:4100')).toBe('[::1]');
    expect(hostName('LocalHost')).toBe('localhost');
  });

  it('refuses a foreign Host (DNS rebinding) and accepts loopback names and --allow-host ones', async () => {
    const a = app({ allowHosts: ['emulator'] });
    expect((await req(a, { headers: { host: 'attacker.example:4100' } })).status).toBe(403);
    for (const host of ['localhost:4100', '127.0.0.1:4100', '[::1]:4100', 'emulator:4100']) {
      expect((await req(a, { headers: { host } })).status, host).toBe(200);
    }
  });

  it('refuses a cross-site text/plain or form POST with 415, and a body-less one from a foreign page with 403', async () => {
    const a = app();
    expect((await req(a, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"advance":"P1D"}' })).status).toBe(415);
    expect((await req(a, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' })).status).toBe(415);
    expect((await req(a, { method: 'POST', headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await req(a, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    expect((await req(a, { method: 'POST' })).status).toBe(200);
    expect((await req(a, { method: 'POST', headers: { origin: 'http://localhost:4100', 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
  });

  it('with a token: refuses requests without it, accepts the bearer, and turns a ?token= link into a same-site cookie', async () => {
    const a = app({ token: 'sekrit' });
    expect((await req(a)).status).toBe(401);
    expect((await req(a, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await req(a, { headers: { authorization: 'Bearer sekrit' } })).status).toBe(200);
    const viaLink = await req(a, { path: '/x?token=sekrit' });
    expect(viaLink.status).toBe(200);
    const cookie = viaLink.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await req(a, { headers: { cookie: cookie.split(';')[0] } })).status).toBe(200);
    expect((await req(a, { method: 'POST', path: '/x?token=sekrit' })).status).toBe(401);
  });
});
