// What Crusoe's own published clients send, byte for byte, and what they need back:
// the Splunk forwarder (crusoecloud/solutions-library crusoe-splunk-hec/crusoe_client.py) pages with
// an undocumented `offset` and stops on a short page; the Go SDK (crusoecloud/client-go) and hand-written
// loops may send a page token without repeating the filters.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CrusoeClient, type AuditLogQuery, type AuditLogsPage, type LogEntry } from '../../contracts/crusoe/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW, only: ['crusoe'] });

type Creds = { accessKeyId: string; secretKey: string; organizationId: string };
const creds = () => env.get().providers.crusoe.credentials as Creds;
const client = () => new CrusoeClient({ baseUrl: env.get().providers.crusoe.baseUrl, ...creds() });

/** Python's urllib.parse.quote_plus: keeps letters, digits and `_.-~`, a space becomes '+'. */
function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase());
}
const urlencode = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&');

/**
 * One `get_audit_logs` call of the forwarder: `requests` puts the params on the wire in dict order
 * (start_time, end_time, limit, offset), the MAC covers `urlencode(sorted(params.items()))`, and the
 * timestamp is `str(datetime.now(timezone.utc).replace(microsecond=0))` with a `T`.
 */
async function forwarderGet(params: Array<[string, string]>): Promise<{ status: number; body: AuditLogsPage & { code?: string; message?: string } }> {
  const c = creds();
  const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const ts = new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const key = Buffer.from(c.secretKey + '='.repeat((4 - (c.secretKey.length % 4)) % 4), 'base64url');
  const sig = createHmac('sha256', key)
    .update(`${path}\n${urlencode(sorted)}\nGET\n${ts}\n`)
    .digest('base64url')
    .replace(/=+$/, '');
  const res = await fetch(`${env.get().providers.crusoe.baseUrl}${path}?${urlencode(params)}`, {
    headers: { 'X-Crusoe-Timestamp': ts, Authorization: `Bearer 1.0:${c.accessKeyId}:${sig}`, 'Content-Type': 'application/json' },
  });
  return { status: res.status, body: await res.json() };
}

/** The forwarder's `get_audit_logs_paginated`: offset from the second page on, stop on an empty or short page. */
async function forwarderPaginated(start: string, end: string, pageSize = 100) {
  const all: LogEntry[] = [];
  const pages: number[] = [];
  let offset = 0;
  let requests = 0;
  for (;;) {
    if (pages.length > 100) throw new Error('the forwarder never reached a short page');
    const params: Array<[string, string]> = [
      ['start_time', start],
      ['end_time', end],
      ['limit', String(pageSize)],
    ];
    // Python's `if offset:` leaves offset out of the first request.
    if (offset) params.push(['offset', String(offset)]);
    const r = await forwarderGet(params);
    requests++;
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const logs = r.body.items;
    if (logs.length === 0) break;
    all.push(...logs);
    pages.push(logs.length);
    offset += logs.length;
    if (logs.length < pageSize) break;
  }
  return { all, pages, requests };
}

/** Every entry of a query, by the documented keyset tokens. */
async function everyEntry(q: AuditLogQuery): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of client().entries({ ...q, limit: '1000' })) out.push(e);
  return out;
}

const bad = (detail: string) => ({ code: 'bad_request', message: `bad request, check request parameters: ${detail}` });

describe("Crusoe's Splunk forwarder: offset paging", () => {
  it('collects every entry of a window holding more than 100 exactly once, and stops on the short page', async () => {
    // Python isoformat() of aware UTC datetimes: `+00:00`, on the wire as `%2B00%3A00`.
    const start = '2026-03-01T10:00:00+00:00';
    const end = '2026-03-10T10:00:00+00:00';
    const want = await everyEntry({ start_time: '2026-03-01T10:00:00Z', end_time: '2026-03-10T10:00:00Z' });
    expect(want.length).toBeGreaterThan(200);
    expect(want.length % 100).not.toBe(0);
    const { all, pages } = await forwarderPaginated(start, end);
    expect(all).toEqual(want);
    expect(pages.slice(0, -1).every((n) => n === 100)).toBe(true);
    expect(pages[pages.length - 1]).toBe(want.length % 100);
  });

  it('a window whose count is a multiple of the page size ends on an empty page', async () => {
    const day = await everyEntry({ start_time: '2026-03-09T10:00:00Z', end_time: '2026-03-10T10:00:00Z' });
    const size = Math.floor(day.length / 2);
    expect(size).toBeGreaterThan(1);
    // A window holding exactly two pages: from the (2 × size)th newest entry to the newest, as microsecond isoformat.
    const py = (iso: string) => iso.replace(/\.(\d{3})Z$/, '.$1000+00:00');
    const [start, end] = [day[2 * size - 1].start_time, day[0].start_time];
    const want = await everyEntry({ start_time: start, end_time: end });
    expect(want).toEqual(day.slice(0, 2 * size));
    const { all, pages, requests } = await forwarderPaginated(py(start), py(end), size);
    expect(all).toEqual(want);
    expect(pages).toEqual([size, size]);
    expect(requests).toBe(3);
  });

  it('the wire query is unsorted and signed sorted; microsecond isoformat times work too', async () => {
    const r = await forwarderGet([
      ['start_time', '2026-03-09T10:00:00.123456+00:00'],
      ['end_time', '2026-03-10T09:59:59.999999+00:00'],
      ['limit', '100'],
    ]);
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeGreaterThan(0);
  });

  it('offset skips from the newest end after every filter, and combines with the window', async () => {
    const q = { start_time: '2026-03-01T00:00:00Z', actions: ['Create', 'Update'] };
    const want = await everyEntry(q);
    expect(want.length).toBeGreaterThan(20);
    const r = await forwarderGet([
      ['start_time', '2026-03-01T00:00:00+00:00'],
      ['actions', 'Create,Update'],
      ['limit', '5'],
      ['offset', '7'],
    ]);
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual(want.slice(7, 12));
    expect(r.body.next_page_token).not.toBe('');
    // The keyset token of an offset page continues right after it.
    const next = await client().getAuditLogs({ ...q, limit: '5', next_token: r.body.next_page_token });
    expect(next.ok && next.body.items).toEqual(want.slice(12, 17));
    const prev = await client().getAuditLogs({ ...q, limit: '5', prev_token: r.body.prev_page_token });
    expect(prev.ok && prev.body.items).toEqual(want.slice(2, 7));
    // offset=0 is the first page; an offset past the end is an empty last page.
    const zero = await client().getAuditLogs({ ...q, limit: '5', offset: '0' });
    expect(zero.ok && zero.body.items).toEqual(want.slice(0, 5));
    expect(zero.ok && zero.body.prev_page_token).toBe('');
    // The typed client's `entries()` takes an offset for its first page, then follows the tokens.
    const rest: LogEntry[] = [];
    for await (const e of client().entries({ ...q, limit: '4', offset: '7' })) rest.push(e);
    expect(rest).toEqual(want.slice(7));
    const past = await client().getAuditLogs({ ...q, limit: '5', offset: String(want.length) });
    expect(past.ok && past.body).toMatchObject({ items: [], next_page_token: '' });
  });

  it('a bad offset is a 400 in Crusoe shape, and so is an offset with a page token', async () => {
    for (const v of ['-1', 'ten', '1.5', '1e3', '+5', ' 5', '10000001', '99999999999999999999', '0x10']) {
      const r = await forwarderGet([
        ['limit', '100'],
        ['offset', v],
      ]);
      expect(r.status, v).toBe(400);
      expect(r.body, v).toEqual(bad('invalid offset'));
    }
    expect(
      (
        await forwarderGet([
          ['limit', '1'],
          ['offset', '10000000'],
        ])
      ).status,
    ).toBe(200);
    const p1 = await client().getAuditLogs({ limit: '2' });
    if (!p1.ok) throw new Error('p1');
    const r = await client().getAuditLogs({ limit: '2', offset: '2', next_token: p1.body.next_page_token });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(bad('offset cannot be combined with next_token or prev_token'));
  });
});

describe('page tokens alone', () => {
  const q = { start_time: '2026-03-05T00:00:00Z', end_time: '2026-03-09T00:00:00Z', actions: ['Create', 'Update', 'Delete'], limit: '25' };

  async function walk(repeat: boolean) {
    const pages: LogEntry[][] = [];
    const prevs: string[] = [];
    let r = await client().getAuditLogs(q);
    for (;;) {
      if (!r.ok) throw new Error(`${r.status} ${r.body.message}`);
      pages.push(r.body.items);
      prevs.push(r.body.prev_page_token);
      if (!r.body.next_page_token || pages.length > 60) break;
      // What client-go sends when only NextToken and Limit are set: `limit=25&next_token=…`.
      r = await client().getAuditLogs(repeat ? { ...q, next_token: r.body.next_page_token } : { limit: '25', next_token: r.body.next_page_token });
    }
    return { pages, prevs };
  }

  it('a token without the filters continues its own query: the same pages as repeating them', async () => {
    const repeated = await walk(true);
    const alone = await walk(false);
    expect(repeated.pages.length).toBeGreaterThan(2);
    expect(alone.pages).toEqual(repeated.pages);
    expect(alone.pages.flat()).toEqual(await everyEntry(q));
    // prev_token alone goes back to the same page as well.
    const back = await client().getAuditLogs({ limit: '25', prev_token: alone.prevs[2] });
    expect(back.ok && back.body.items).toEqual(repeated.pages[1]);
  });

  it('a token with other filters or another window is refused', async () => {
    const p1 = await client().getAuditLogs(q);
    if (!p1.ok) throw new Error('p1');
    const tok = p1.body.next_page_token;
    for (const other of [
      { actions: ['Create'] },
      { start_time: q.start_time, end_time: q.end_time },
      { ...q, actions: ['Create', 'Update'] },
      { ...q, end_time: '2026-03-08T00:00:00Z' },
      { start_time: q.start_time, end_time: q.end_time, actions: q.actions, results: ['OK'] },
    ]) {
      const r = await client().getAuditLogs({ ...other, limit: '25', next_token: tok });
      expect(r.status, JSON.stringify(other)).toBe(400);
      expect(r.body, JSON.stringify(other)).toEqual(bad('page token does not match the request filters'));
    }
  });

  it('tokens stay opaque and short', async () => {
    const p1 = await client().getAuditLogs(q);
    if (!p1.ok) throw new Error('p1');
    expect(p1.body.next_page_token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(p1.body.next_page_token.length).toBeLessThan(400);
  });
});

describe('unknown parameters (default: ignored, but signed)', () => {
  it('are ignored', async () => {
    const plain = await client().getAuditLogs({ limit: '3' });
    const extra = await forwarderGet([
      ['limit', '3'],
      ['page_size', '9'],
      ['sort', 'asc'],
    ]);
    expect(extra.status).toBe(200);
    expect(plain.ok).toBe(true);
    if (!plain.ok) return;
    expect(plain.body.items.length).toBeGreaterThan(0);
    expect(extra.body.items).toEqual(plain.body.items);
  });
});

describe("client-go's list joining", () => {
  it('verifies and filters exactly what arrives: `User,Crusoe Admin` split at the space matches only User', async () => {
    // parameterToString(["User","Crusoe Admin"], "csv") is `User,Crusoe,Admin`: url.Values.Encode() sends `User%2CCrusoe%2CAdmin`.
    const split = await forwarderGet([
      ['actor_types', 'User,Crusoe,Admin'],
      ['limit', '1000'],
      ['start_time', '2026-02-01T00:00:00+00:00'],
    ]);
    expect(split.status).toBe(200);
    expect(split.body.items.length).toBeGreaterThan(0);
    expect(split.body.items.every((e) => e.actor_type === 'User')).toBe(true);
    // The workaround, optional.NewInterface("User,Crusoe Admin"), sends the value whole.
    const whole = await forwarderGet([
      ['actor_types', 'User,Crusoe Admin'],
      ['limit', '1000'],
      ['start_time', '2026-02-01T00:00:00+00:00'],
    ]);
    expect(whole.body.items.some((e) => e.actor_type === 'Crusoe Admin')).toBe(true);
  });
});
