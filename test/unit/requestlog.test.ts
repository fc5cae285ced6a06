import { describe, expect, it } from 'vitest';
import { RequestLog } from '../../servers/core/requestlog.js';

const rec = (i: number, extra: Record<string, unknown> = {}) => ({ vendor: 'crusoe', method: 'GET', path: `/p/${i}`, status: 200, latencyMs: i, ...extra });

describe('the request log', () => {
  it('keeps the newest records up to its capacity per vendor, newest first', () => {
    const log = new RequestLog(3);
    for (let i = 1; i <= 7; i++) log.add(rec(i));
    log.add({ ...rec(8), vendor: 'k2' });
    expect(log.size()).toBe(4);
    expect(log.list({ vendor: 'crusoe' }).map((r) => r.path)).toEqual(['/p/7', '/p/6', '/p/5']);
    expect(log.list().map((r) => r.id)).toEqual([8, 7, 6, 5]);
  });

  it('hands out copies: a record read keeps its values after the ring overwrites its slot', () => {
    const log = new RequestLog(2);
    log.add(rec(1, { auth: { outcome: 'refused', reason: 'signature mismatch' }, time: '2026-03-10T10:00:00.000Z' }));
    const [first] = log.list();
    for (let i = 2; i <= 4; i++) log.add(rec(i));
    expect(first).toStrictEqual({
      id: 1,
      vendor: 'crusoe',
      method: 'GET',
      path: '/p/1',
      status: 200,
      latencyMs: 1,
      auth: { outcome: 'refused', reason: 'signature mismatch' },
      time: '2026-03-10T10:00:00.000Z',
    });
    // A slot reused by a record without auth or problem shows neither field.
    expect(Object.keys(log.list()[0])).toEqual(['id', 'vendor', 'method', 'path', 'status', 'latencyMs', 'time']);
    expect(log.list({ status: 200, limit: 1 }).map((r) => r.path)).toEqual(['/p/4']);
  });
});
