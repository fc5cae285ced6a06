import { describe, expect, it } from 'vitest';
import { CrusoeClient } from '../../contracts/crusoe/client.js';
import { K2Client } from '../../contracts/k2/client.js';
import { RateLimiter } from '../../servers/core/ratelimit.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW, only: ['crusoe', 'k2'], config: { crusoe: { rateLimitPerMinute: 3 }, k2: { lookupEventsPerSecond: 2 } } });

describe('the shared rate limiter', () => {
  it('allows `limit` requests per sliding window and per key', () => {
    const l = new RateLimiter(2, 1000);
    expect(l.take('a', 0).ok).toBe(true);
    expect(l.take('a', 100).ok).toBe(true);
    const refused = l.take('a', 200);
    expect(refused).toEqual({ ok: false, retryAfterMs: 800 });
    expect(l.take('b', 200).ok).toBe(true);
    expect(l.take('a', 1001).ok).toBe(true);
    expect(new RateLimiter(0, 1000).take('a').ok).toBe(true);
  });

  it('keeps counting right once the window has turned over many times', () => {
    const l = new RateLimiter(3, 1000);
    const granted: number[] = [];
    for (let t = 0; t < 10_000; t += 100) if (l.take('k', t).ok) granted.push(t);
    // Three at the start of each second, none more.
    expect(granted.length).toBe(30);
    for (let i = 3; i < granted.length; i++) expect(granted[i] - granted[i - 3]).toBeGreaterThanOrEqual(1000);
  });

  it('expresses a rate with a burst (the throttle fault) as a window', () => {
    const l = RateLimiter.perSecond(1, 2);
    expect(l.take('', 0).ok).toBe(true);
    expect(l.take('', 100).ok).toBe(true);
    expect(l.take('', 200)).toEqual({ ok: false, retryAfterMs: 1800 });
    expect(l.take('', 2000).ok).toBe(true);
    const fast = RateLimiter.perSecond(10);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => fast.take('', i).ok).filter(Boolean)).toHaveLength(10);
  });
});

describe('vendor rate-limit switches', () => {
  it('crusoe.rateLimitPerMinute answers 429 too_many_requests with Retry-After per key', async () => {
    const p = env.get().providers.crusoe;
    const c = p.credentials as any;
    const client = new CrusoeClient({ baseUrl: p.baseUrl, ...c });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await client.getAuditLogs({ limit: '1' }));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    const last = statuses[3];
    expect(last.body).toEqual({ code: 'too_many_requests', message: 'rate limit exceeded' });
    expect(Number(last.response.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another key has its own window (a 403 proves it got past the limiter).
    const other = new CrusoeClient({ baseUrl: p.baseUrl, ...c, accessKeyId: c.nonAdmin.accessKeyId, secretKey: c.nonAdmin.secretKey });
    expect((await other.getAuditLogs()).status).toBe(403);
  });

  it('k2.lookupEventsPerSecond throttles LookupEvents with ThrottlingException', async () => {
    const p = env.get().providers.k2;
    const c = p.credentials as any;
    const client = new K2Client({ baseUrl: p.baseUrl, accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, region: c.region });
    // The first lookup generates the history; on a busy machine that alone can outlast the
    // one-second window. Warm up, let the window pass, then send three at once.
    expect((await client.lookupEvents({ MaxResults: 1 })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    const results = await Promise.all([0, 1, 2].map(() => client.lookupEvents({ MaxResults: 1 })));
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(1);
    expect((refused[0].body as { __type: string }).__type).toBe('ThrottlingException');
  });
});
