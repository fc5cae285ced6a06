import { describe, expect, it, vi } from 'vitest';
import { signRequest } from '../../servers/crusoe/signature.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW });
const NOW = Date.parse(FROZEN_NOW);
const DAY = 86_400_000;

interface Ev {
  vendor: string;
  id: string;
  time: string;
  actor: string;
  action: string;
  outcome: string;
  target?: string;
  sourceIp?: string;
  injected: boolean;
}

async function get(path: string): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(env.get().controlUrl + path);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

async function timeline(qs: string): Promise<{ events: Ev[]; next: string }> {
  const r = await get(`/_emulator/timeline?${qs}`);
  expect(r.status, r.text).toBe(200);
  return r.body;
}

/** Every event of a query, page by page. */
async function walk(qs: string, limit: number): Promise<Ev[]> {
  const out: Ev[] = [];
  let cursor = '';
  for (let i = 0; i < 1000; i++) {
    const page = await timeline(`${qs}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...page.events);
    if (!page.next) return out;
    cursor = page.next;
  }
  throw new Error('paging did not end');
}

function injectCrusoe(at: number, over: Record<string, unknown> = {}) {
  const c = env.get().providers.crusoe.credentials as { email: string };
  return fetch(`${env.get().controlUrl}/_emulator/providers/crusoe/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      action: 'Delete',
      actor_id: '00000000-0000-4000-8000-000000000001',
      actor_email: c.email,
      actor_type: 'User',
      client_ip: '203.0.113.9:5555',
      start_time: new Date(at).toISOString(),
      end_time: new Date(at + 500).toISOString(),
      result: 'Forbidden',
      surface: 'Console',
      target_type: 'VM',
      target_names: ['vm-injected-1'],
      ...over,
    }),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
}

describe('GET /_emulator/timeline', () => {
  it('merges every vendor newest first with summaries, within the clock and retention', async () => {
    const { events, next } = await timeline(`from=${new Date(NOW - 7 * DAY).toISOString()}&limit=200`);
    expect(events.length).toBe(200);
    expect(next).not.toBe('');
    const times = events.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(times[0]).toBeLessThanOrEqual(NOW);
    for (const e of events) {
      expect(Object.keys(env.get().providers)).toContain(e.vendor);
      expect(typeof e.actor).toBe('string');
      expect(e.action.length).toBeGreaterThan(0);
      expect(['success', 'failure']).toContain(e.outcome);
      expect(e.injected).toBe(false);
    }
    // Every vendor with history in the window shows up (scan each vendor alone to know which have some).
    for (const id of Object.keys(env.get().providers)) {
      const alone = await timeline(`vendor=${id}&from=${new Date(NOW - 7 * DAY).toISOString()}&limit=1`);
      expect(alone.events.length, `${id} has history in the last week`).toBe(1);
    }
  });

  it('pages with a cursor: pages join into exactly the single long page', async () => {
    const qs = `from=${new Date(NOW - 2 * DAY).toISOString()}`;
    const big = (await timeline(`${qs}&limit=60`)).events;
    const small = (await walk(qs, 7)).slice(0, 60);
    expect(small.map((e) => `${e.vendor}|${e.id}`)).toEqual(big.map((e) => `${e.vendor}|${e.id}`));
    expect(new Set(small.map((e) => `${e.vendor}|${e.id}`)).size).toBe(small.length);
  });

  it('summarizes only what a page needs when nothing is filtered', async () => {
    const rts = [...env.get().runtimes.values()];
    const spies = rts.map((rt) => vi.spyOn(rt, 'summarize'));
    try {
      const page = await timeline('limit=5');
      expect(page.events.length).toBe(5);
      const calls = spies.reduce((n, s) => n + s.mock.calls.length, 0);
      expect(calls).toBe(5);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it('filters by vendor, outcome, action and time range', async () => {
    const from = new Date(NOW - 3 * DAY).toISOString();
    const to = new Date(NOW - DAY).toISOString();
    const failures = await walk(`from=${from}&to=${to}&outcome=failure`, 100);
    expect(failures.length).toBeGreaterThan(0);
    for (const e of failures) {
      expect(e.outcome).toBe('failure');
      expect(Date.parse(e.time)).toBeGreaterThanOrEqual(Date.parse(from));
      expect(Date.parse(e.time)).toBeLessThanOrEqual(Date.parse(to));
    }
    const all = await walk(`from=${from}&to=${to}`, 500);
    expect(failures.length).toBe(all.filter((e) => e.outcome === 'failure').length);

    const action = all[0].action.slice(0, 3).toUpperCase();
    const byAction = await walk(`from=${from}&to=${to}&action=${encodeURIComponent(action)}`, 500);
    expect(byAction.length).toBe(all.filter((e) => e.action.toLowerCase().includes(action.toLowerCase())).length);

    const crusoeOnly = await walk(`from=${from}&to=${to}&vendor=crusoe`, 500);
    expect(crusoeOnly.every((e) => e.vendor === 'crusoe')).toBe(true);
    expect(crusoeOnly.length).toBe(all.filter((e) => e.vendor === 'crusoe').length);
  });

  it("a person's filter matches that person under any of their identifiers", async () => {
    const from = new Date(NOW - 7 * DAY).toISOString();
    const all = await walk(`from=${from}`, 500);
    const people = (await get('/_emulator/people')).body.people as Array<{ email: string; username: string; name: string }>;
    const vendorsOf = (p: { email: string }) =>
      new Set(all.filter((e) => e.actor.toLowerCase().startsWith(p.email.toLowerCase().split('@')[0])).map((e) => e.vendor)).size;
    const person = [...people].sort((a, b) => vendorsOf(b) - vendorsOf(a))[0];
    expect(person).toBeDefined();
    const ids = [person.email, person.username, person.name].map((s) => s.toLowerCase());
    const locals = [person.username.toLowerCase(), person.email.toLowerCase().split('@')[0]];
    const expected = all.filter((e) => {
      const a = e.actor.toLowerCase();
      return ids.includes(a) || a.includes(person.email.toLowerCase()) || (a.includes('@') && locals.includes(a.split('@')[0]));
    });
    // The same person shows up under more than one vendor.
    expect(new Set(expected.map((e) => e.vendor)).size).toBeGreaterThan(1);
    for (const key of [person.email, person.username, person.email.toUpperCase()]) {
      const mine = await walk(`from=${from}&actor=${encodeURIComponent(key)}`, 500);
      expect(mine.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    }
  });

  it('answers bad input with 400 and a message', async () => {
    for (const qs of [
      'outcome=maybe',
      'from=yesterday',
      'vendor=nope',
      'cursor=garbage',
      'limit=0',
      'limit=501',
      'injected=yes',
      `from=${FROZEN_NOW}&to=2020-01-01T00:00:00Z`,
    ]) {
      const r = await get(`/_emulator/timeline?${qs}`);
      expect(r.status, qs).toBe(400);
      expect(typeof r.body.error).toBe('string');
    }
  });
});

describe('injected events, raw records and the histogram', () => {
  it('marks injected events, finds them with injected=true, and serves the raw record as the vendor does', async () => {
    const at = NOW - 60_000;
    const inj = await injectCrusoe(at);
    expect(inj.status).toBe(201);
    const id = inj.body.ids[0] as string;

    const only = await timeline('injected=true');
    expect(only.events.map((e) => e.id)).toContain(id);
    expect(only.events.every((e) => e.injected)).toBe(true);
    const ev = only.events.find((e) => e.id === id)!;
    expect(ev).toMatchObject({ vendor: 'crusoe', outcome: 'failure', action: 'Delete', sourceIp: '203.0.113.9', time: new Date(at).toISOString() });

    const raw = await get(`/_emulator/events/crusoe/${encodeURIComponent(id)}`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('x-emulator-injected')).toBe('true');

    // The same record through Crusoe's own API, byte for byte.
    const c = env.get().providers.crusoe.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
    const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
    const query = `end_time=${encodeURIComponent(new Date(at + 1).toISOString())}&limit=1&start_time=${encodeURIComponent(new Date(at - 1).toISOString())}`;
    const res = await fetch(`${env.get().providers.crusoe.baseUrl}${path}?${query}`, { headers: signRequest({ ...c, method: 'GET', path, query }) });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).toContain(raw.text);
    expect(JSON.parse(raw.text).client_ip).toBe('203.0.113.9:5555');
  });

  it('injected=true pages through only injected events, newest first, and the histogram counts the same', async () => {
    const times = [NOW - 3 * 3_600_000, NOW - 2 * 3_600_000 - 5_000, NOW - 30_000];
    for (const t of times) expect((await injectCrusoe(t)).status).toBe(201);
    const all = await walk('injected=true', 2);
    const ts = all.map((e) => Date.parse(e.time));
    expect(all.every((e) => e.injected)).toBe(true);
    expect([...ts].sort((a, b) => b - a)).toEqual(ts);
    for (const t of times) expect(ts).toContain(t);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    const h = (await get(`/_emulator/histogram?from=${new Date(NOW - DAY).toISOString()}&injected=true`)).body;
    expect(h.total).toBe(ts.filter((t) => t >= NOW - DAY).length);
    expect(h.injected.reduce((a: number, b: number) => a + b, 0)).toBe(h.total);
  });

  it('404s an unknown vendor or event id', async () => {
    expect((await get('/_emulator/events/nope/1')).status).toBe(404);
    expect((await get('/_emulator/events/crusoe/crusoe:999999999')).status).toBe(404);
    expect((await get('/_emulator/events/crusoe/whatever')).status).toBe(404);
  });

  it('counts events per hour per vendor, matching the timeline', async () => {
    const from = new Date(NOW - DAY).toISOString();
    const h = (await get(`/_emulator/histogram?from=${from}`)).body;
    expect(h.hours.length).toBe(25);
    expect(h.bucketMs).toBe(3_600_000);
    expect(Object.keys(h.series).sort()).toEqual(Object.keys(env.get().providers).sort());
    const all = await walk(`from=${from}`, 500);
    expect(h.total).toBe(all.length);
    const start = Date.parse(h.hours[0]);
    for (const [vendor, counts] of Object.entries(h.series as Record<string, number[]>)) {
      const mine = all.filter((e) => e.vendor === vendor);
      const expected = new Array(25).fill(0);
      for (const e of mine) expected[Math.floor((Date.parse(e.time) - start) / 3_600_000)]++;
      expect(counts, vendor).toEqual(expected);
    }
    expect(h.injected.reduce((a: number, b: number) => a + b, 0)).toBe(all.filter((e) => e.injected).length);
    expect((await get('/_emulator/histogram?from=2020-01-01T00:00:00Z')).status).toBe(400);
    expect((await get('/_emulator/histogram?outcome=x')).status).toBe(400);
  });

  it('lists the company people', async () => {
    const r = await get('/_emulator/people');
    expect(r.status).toBe(200);
    expect(r.body.people.length).toBe(env.get().company.people.length);
    expect(r.body.people[0]).toMatchObject({ name: expect.any(String), email: expect.stringContaining('@'), role: expect.any(String) });
  });

  it('serves the dashboard page and its modules from the control port', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('app.js');
    const js = await get('/app.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await get('/..%2Fpackage.json')).status).toBe(404);
    expect((await get('/missing.js')).status).toBe(404);
  });

  it("serves every vendor's snippets, written from its current credentials", async () => {
    const r = await get('/_emulator/snippets');
    expect(r.status).toBe(200);
    const providers = env.get().providers;
    expect(Object.keys(r.body.snippets)).toEqual(Object.keys(providers));
    for (const [id, list] of Object.entries(r.body.snippets as Record<string, Array<{ label: string; code: string }>>)) {
      expect(list.length, id).toBeGreaterThan(0);
      for (const sn of list) expect(sn.code, `${id}: ${sn.label}`).toContain(providers[id].baseUrl);
    }
    const c = providers.crusoe.credentials as { secretKey: string };
    expect(r.body.snippets.crusoe[0].code).toContain(c.secretKey);
  });
});

/** Reads server-sent events from the stream until `until` accepts one. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, until: (event: string, data: any) => boolean): Promise<{ event: string; data: any }> {
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    buf += dec.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data !== undefined && until(event, JSON.parse(data))) return { event, data: JSON.parse(data) };
    }
  }
}

describe('GET /_emulator/stream', () => {
  it('streams inserts, clock changes, ticks and resets', async () => {
    const ac = new AbortController();
    const res = await fetch(`${env.get().controlUrl}/_emulator/stream`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    try {
      const hello = await readUntil(reader, (e) => e === 'hello');
      expect(hello.data.vendors).toEqual(Object.keys(env.get().providers));

      const inj = await injectCrusoe(NOW - 5_000, { target_names: ['vm-streamed'] });
      const ins = await readUntil(reader, (e) => e === 'insert');
      expect(ins.data.events.map((e: Ev) => e.id)).toContain(inj.body.ids[0]);
      expect(ins.data.events[0]).toMatchObject({ vendor: 'crusoe', injected: true, target: 'VM vm-streamed' });

      await fetch(`${env.get().controlUrl}/_emulator/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advance: 'PT1H' }),
      });
      const clock = await readUntil(reader, (e) => e === 'clock');
      expect(Date.parse(clock.data.now)).toBe(NOW + 3_600_000);
      const tick = await readUntil(reader, (e) => e === 'tick');
      expect(Date.parse(tick.data.now)).toBe(NOW + 3_600_000);

      // After a reset the stores are new: the stream says so, and follows the new stores' inserts.
      await fetch(`${env.get().controlUrl}/_emulator/reset`, { method: 'POST' });
      await readUntil(reader, (e) => e === 'reset');
      const again = await injectCrusoe(NOW - 1_000, { target_names: ['vm-after-reset'] });
      const ins2 = await readUntil(reader, (e) => e === 'insert');
      expect(ins2.data.events.map((e: Ev) => e.id)).toContain(again.body.ids[0]);
    } finally {
      ac.abort();
      await reader.cancel().catch(() => undefined);
    }
  });
});
