import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { basicAuth } from '../../contracts/instaclustr/client.js';
import { buildCompany } from '../../fixtures/company.js';
import { VendorFailure, renderFailure } from '../../servers/core/failure.js';
import type { CoreEnv } from '../../servers/core/provider.js';
import { RateLimiter } from '../../servers/core/ratelimit.js';
import { Rng, hashSeed } from '../../servers/core/rng.js';
import { admits, allowListOf, instaclustrAuth } from '../../servers/instaclustr/auth.js';
import { instaclustrErrors } from '../../servers/instaclustr/errors.js';
import { buildWorld, credentialsOf } from '../../servers/instaclustr/world.js';

describe('Instaclustr key allow-lists', () => {
  const restricted = allowListOf(['10.20.0.0/16']);
  const any = allowListOf(['0.0.0.0/0', '::/0']);

  it('admit addresses inside their ranges, IPv4-mapped IPv6 counting as IPv4', () => {
    for (const a of ['10.20.0.1', '10.20.255.254', '::ffff:10.20.3.4', '::FFFF:10.20.3.4', '[::ffff:10.20.3.4]']) expect(admits(restricted, a), a).toBe(true);
    for (const a of ['10.21.0.1', '::ffff:10.21.0.1', '2001:db8::1', '::1', 'not-an-address', '']) expect(admits(restricted, a), a).toBe(false);
  });
  it('keep IPv4 and IPv6 rules apart: ::/0 admits no IPv4 caller and 0.0.0.0/0 no IPv6 caller', () => {
    const v6 = allowListOf(['::/0']);
    expect(admits(v6, '::1')).toBe(true);
    expect(admits(v6, 'fe80::1%eth0')).toBe(true);
    expect(admits(v6, '1.2.3.4')).toBe(false);
    expect(admits(v6, '::ffff:1.2.3.4')).toBe(false);
    const v4 = allowListOf(['0.0.0.0/0']);
    expect(admits(v4, '::ffff:1.2.3.4')).toBe(true);
    expect(admits(v4, '::1')).toBe(false);
    for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '2001:db8::7']) expect(admits(any, a), a).toBe(true);
  });
  it('a host rule without a prefix is one address; an unknown caller address passes only an open list', () => {
    const host = allowListOf(['192.0.2.7']);
    expect(admits(host, '192.0.2.7')).toBe(true);
    expect(admits(host, '192.0.2.8')).toBe(false);
    expect(admits(host, undefined)).toBe(false);
    expect(admits(any, undefined)).toBe(true);
    expect(admits(allowListOf(['10.0.0.0/33', 'garbage/8']), '10.0.0.1')).toBe(false);
  });
});

describe('Instaclustr auth middleware', () => {
  const seed = 11;
  const world = buildWorld(seed, buildCompany(seed), new Rng(hashSeed(seed, 'instaclustr', 'world')), {});
  const creds = credentialsOf(world) as Record<string, string>;
  const errors = instaclustrErrors({ rateLimitBody: 'v2' });

  const appWith = (limiter: RateLimiter) => {
    const app = new Hono<CoreEnv>();
    app.get('/account', instaclustrAuth({ world, limiter })('account'), (c) => c.json({ caller: c.var.caller.apiKey, auth: c.get('auth') }));
    app.onError((err, c) => (err instanceof VendorFailure ? renderFailure(errors, err.failure, c) : c.text('crash', 500)));
    return app;
  };
  const call = (app: Hono<CoreEnv>, key: string, remoteAddress: string) =>
    app.request('/account', { headers: { authorization: basicAuth(creds.username, key) } }, { incoming: { socket: { remoteAddress } } });

  it('sets the caller; a restricted key is admitted from an IPv4-mapped address inside its range', async () => {
    const app = appWith(new RateLimiter(0, 1000));
    const ok = await call(app, creds.restrictedApiKey, '::ffff:10.20.9.9');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ caller: creds.restrictedApiKey, auth: { outcome: 'ok' } });
    const refused = await call(app, creds.restrictedApiKey, '::ffff:192.0.2.1');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Basic realm="instaclustr"');
    expect(await refused.json()).toEqual({ name: 'Unauthorized', message: 'Request address is not permitted for this API key' });
  });
  it('a refused rate limit answers with the seconds the limiter computed', async () => {
    class Exhausted extends RateLimiter {
      override take() {
        return { ok: false as const, retryAfterMs: 2_500 };
      }
    }
    const r = await call(appWith(new Exhausted(1, 1000)), creds.provisioningApiKey, '127.0.0.1');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(await r.json()).toEqual({ name: 'Too Many Requests', message: 'Rate Limit Exceeded' });
  });
  it('within a one-second window the limiter gives at most a second: Retry-After 1', async () => {
    const app = appWith(new RateLimiter(1, 1000));
    expect((await call(app, creds.provisioningApiKey, '127.0.0.1')).status).toBe(200);
    const r = await call(app, creds.provisioningApiKey, '127.0.0.1');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
  });
});
