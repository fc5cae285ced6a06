import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { safeEqual } from '../../servers/core/auth.js';
import { joinJson } from '../../servers/core/render.js';
import { EventStore } from '../../servers/core/store.js';

const T0 = Date.parse('2026-03-10T10:00:00Z');
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const utf8 = (strings: string[]) => strings.map((x) => Buffer.from(x));

/** What @hono/node-server passes as env: the response whose 'finish' frees the buffer. */
const fakeEnv = () => {
  const outgoing = new EventEmitter();
  return { env: { outgoing }, finish: () => outgoing.emit('finish') };
};

describe('joinJson', () => {
  it('joins items between head and tail, as UTF-8, for any characters', () => {
    const items = ['{"a":"José"}', '{"b":"漢字 🚀"}', '{"c":1}'];
    const body = joinJson(undefined, '{"items":[', utf8(items), '],"note":"ü"}');
    expect(text(body)).toBe('{"items":[' + items.join(',') + '],"note":"ü"}');
    expect(JSON.parse(text(body)).items[1].b).toBe('漢字 🚀');
    expect(text(joinJson(undefined, '[', [], ']'))).toBe('[]');
    expect(text(joinJson(undefined, '[', utf8(['1', '2']), ']'))).toBe('[1,2]');
  });

  it('reuses a buffer only after its response finished', () => {
    const first = fakeEnv();
    const a = joinJson(first.env, '[', utf8(['"aaaa"']), ']');
    const second = fakeEnv();
    const b = joinJson(second.env, '[', utf8(['"bbbb"']), ']');
    // Both unfinished: distinct memory, both intact.
    expect(a.buffer).not.toBe(b.buffer);
    expect([text(a), text(b)]).toEqual(['["aaaa"]', '["bbbb"]']);
    first.finish();
    const c = joinJson(fakeEnv().env, '[', utf8(['"cccc"']), ']');
    expect(c.buffer).toBe(a.buffer);
    expect(text(b)).toBe('["bbbb"]');
    expect(text(c)).toBe('["cccc"]');
  });
});

describe('store.jsonList', () => {
  it('serves ASCII and non-ASCII records byte for byte as JSON.stringify would', () => {
    type R = { t: number; name: string };
    const s = new EventStore<R>({ timeOf: (r) => r.t, render: (r) => r, retentionMs: 86_400_000, now: () => T0 });
    const recs = [
      { t: T0 - 3, name: 'plain' },
      { t: T0 - 2, name: 'Zoë Łukasz 山田' },
      { t: T0 - 1, name: 'also plain' },
    ];
    for (const r of recs) s.insert(r);
    const entries = s.page({ from: T0 - 10, to: T0 }, 10).entries;
    const expected = `{"data":[${entries.map((e) => JSON.stringify(e.rec)).join(',')}]}`;
    expect(text(s.jsonList(undefined, '{"data":[', entries, ']}'))).toBe(expected);
    // Again, from the cache.
    expect(text(s.jsonList(undefined, '{"data":[', entries, ']}'))).toBe(expected);
    expect(Buffer.byteLength(expected)).toBeGreaterThan(expected.length);
  });
});

describe('safeEqual', () => {
  it('is true only for identical strings', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('é', 'e')).toBe(false);
    expect(safeEqual('ключ', 'ключ')).toBe(true);
  });
});
