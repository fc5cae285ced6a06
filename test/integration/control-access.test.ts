import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../servers/index.js';

/** A raw request, so that Host and Origin can be set as a browser or a rebinding page would send them. */
function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('the control port on loopback, without a token', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ portBase: 0, now: '2026-03-10T10:00:00Z' });
  });
  afterAll(() => emu.close());

  it('refuses a cross-origin text/plain POST and leaves the clock alone', async () => {
    const before = emu.clock.now();
    const r = await raw(`${emu.controlUrl}/_emulator/clock`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: '{"advance":"P1D"}',
    });
    expect(r.status).toBe(403);
    const plain = await raw(`${emu.controlUrl}/_emulator/clock`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"advance":"P1D"}' });
    expect(plain.status).toBe(415);
    const reset = await raw(`${emu.controlUrl}/_emulator/reset`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(reset.status).toBe(403);
    expect(emu.clock.now()).toBe(before);
  });

  it('refuses a foreign Host (DNS rebinding) before showing the manifest', async () => {
    const r = await raw(`${emu.controlUrl}/_emulator/manifest`, { headers: { host: 'rebound.attacker.example' } });
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('credentials');
    expect((await raw(`${emu.controlUrl}/_emulator/manifest`, { headers: { host: 'localhost' } })).status).toBe(200);
  });

  it('leaves the vendor ports open to any Host: they have their own auth', async () => {
    const r = await raw(`${emu.providers.opsera.baseUrl}/api/v1/logs/user/actions`, { headers: { host: 'app.opsera.io' } });
    expect(r.status).toBe(401);
  });
});

describe('the control port with a token', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ portBase: 0, controlToken: 'sekrit', allowHosts: ['emulator'] });
  });
  afterAll(() => emu.close());

  it('refuses requests without the token and serves those with it, manifest and dashboard included', async () => {
    expect((await fetch(`${emu.controlUrl}/_emulator/manifest`)).status).toBe(401);
    const m = await fetch(`${emu.controlUrl}/_emulator/manifest`, { headers: { authorization: 'Bearer sekrit' } });
    expect(m.status).toBe(200);
    expect(emu.manifest().providers.crusoe.credentials).toBeDefined();
    const page = await fetch(`${emu.controlUrl}/?token=sekrit`);
    expect(page.status).toBe(200);
    const cookie = page.headers.get('set-cookie')!.split(';')[0];
    expect((await fetch(`${emu.controlUrl}/_emulator/timeline?limit=1`, { headers: { cookie } })).status).toBe(200);
    expect((await raw(`${emu.controlUrl}/_emulator/health`, { headers: { host: 'emulator:4100', authorization: 'Bearer sekrit' } })).status).toBe(200);
  });

  it('is generated when bound beyond loopback without one', async () => {
    const open = await startEmulator({ portBase: 0, host: '0.0.0.0', only: ['crusoe'] });
    try {
      expect(open.access.token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect((await fetch(`${open.controlUrl}/_emulator/manifest`)).status).toBe(401);
      // Container health checks need no token.
      expect((await fetch(`${open.controlUrl}/_emulator/health`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('the CLI bound beyond loopback', () => {
  it('prints a generated control token and the dashboard link, and the control port takes it', { timeout: 60_000 }, async () => {
    const { spawn } = await import('node:child_process');
    const proc = spawn(process.execPath, ['dist/bin/cli.js', 'start', '--port-base', '0', '--host', '0.0.0.0', '--only', 'crusoe'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      for (let i = 0; i < 600 && !/dashboard: /.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      const token = /control token: (\S+)/.exec(out)?.[1];
      const control = /control\s+(http:\/\/\S+)/.exec(out)?.[1];
      expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(out).toContain(`/?token=${token}`);
      expect((await fetch(`${control}/_emulator/manifest`)).status).toBe(401);
      expect((await fetch(`${control}/_emulator/manifest`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      proc.kill('SIGKILL');
    }
  });
});
