import type { ServerResponse } from 'node:http';

/**
 * Response bodies assembled from each event's cached UTF-8 JSON, copied into a byte buffer that
 * goes back to a pool once Node has handed the response to the socket. A joined string is copied
 * three more times (joined, flattened behind the headers, encoded to UTF-8), and a fresh buffer
 * per response makes the allocator return and re-fault pages: together about a third of a
 * typical query's cost.
 */
// Free buffers by size class: class k holds buffers of 2^k bytes, from 64 KB to 1 MB. Bigger
// bodies (a page of 1,000 events) are rare enough to allocate each time. 4 MB in all covers
// sixty-odd typical pages in flight.
const MIN_CLASS = 16;
const MAX_CLASS = 20;
const POOL_BYTES = 4 * 1024 * 1024;
const free: Buffer[][] = Array.from({ length: MAX_CLASS + 1 }, () => []);
let pooledBytes = 0;

function sizeClass(n: number): number {
  return Math.max(MIN_CLASS, 32 - Math.clz32(Math.max(1, n - 1)));
}

function acquire(n: number): Buffer {
  const k = sizeClass(n);
  if (k > MAX_CLASS) return Buffer.allocUnsafeSlow(n);
  const b = free[k].pop();
  if (!b) return Buffer.allocUnsafeSlow(2 ** k);
  pooledBytes -= b.length;
  return b;
}

function release(b: Buffer): void {
  const k = sizeClass(b.length);
  if (k <= MAX_CLASS && b.length === 2 ** k && pooledBytes + b.length <= POOL_BYTES) {
    free[k].push(b);
    pooledBytes += b.length;
  }
}

/**
 * head + items joined by ',' + tail, as UTF-8. `env` is what @hono/node-server passes to the app
 * (`{ outgoing }`); without it (an in-process `app.fetch`) nothing says when the body has been
 * sent, so it gets a buffer of its own.
 */
export function joinJson(env: unknown, head: string, items: readonly Uint8Array[], tail: string): Uint8Array<ArrayBuffer> {
  let n = Buffer.byteLength(head) + Buffer.byteLength(tail) + Math.max(0, items.length - 1);
  for (let i = 0; i < items.length; i++) n += items[i].length;
  const outgoing = (env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  const pooled = !!outgoing && typeof outgoing.once === 'function';
  const buf = pooled ? acquire(n) : Buffer.allocUnsafe(n);
  let o = buf.write(head, 0);
  for (let i = 0; i < items.length; i++) {
    if (i) buf[o++] = 0x2c; // ','
    buf.set(items[i], o);
    o += items[i].length;
  }
  o += buf.write(tail, o);
  // 'finish' comes once the last byte is with the operating system; a connection that closes
  // first never emits it, and that buffer is left to the garbage collector.
  if (pooled) outgoing.once('finish', () => release(buf));
  return buf.subarray(0, o) as Uint8Array<ArrayBuffer>;
}
