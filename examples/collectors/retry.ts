// What every collector needs around each HTTP call: honour 429 Retry-After, back off on 5xx and
// dropped connections, and give up only after many tries (a collector runs forever; one bad
// minute must not lose a window).

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retry-After in ms: delta-seconds or an HTTP date; `fallback` when absent or unreadable. */
export function retryAfterMs(res: Response, fallback: number): number {
  const h = res.headers.get('retry-after');
  if (h === null) return fallback;
  if (/^\d+$/.test(h.trim())) return Number(h) * 1000;
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : fallback;
}

/**
 * Call `send` until it answers with something other than 429 or 5xx. A 429 waits what Retry-After
 * says; a 5xx, a network error or a status in `alsoRetry` waits an exponential backoff (50 ms
 * doubling, capped at 2 s).
 */
export async function withRetry<T extends { response: Response }>(send: () => Promise<T>, o: { tries?: number; alsoRetry?: number[] } = {}): Promise<T> {
  const tries = o.tries ?? 30;
  let backoff = 50;
  for (let i = 1; ; i++) {
    let wait: number;
    try {
      const r = await send();
      const status = r.response.status;
      if (status !== 429 && status < 500 && !o.alsoRetry?.includes(status)) return r;
      wait = status === 429 ? retryAfterMs(r.response, 1000) : backoff;
      if (i >= tries) throw new Error(`gave up after ${tries} tries: HTTP ${status}`);
    } catch (err) {
      if (i >= tries || (err as Error).message.startsWith('gave up')) throw err;
      wait = backoff;
    }
    await sleep(wait);
    backoff = Math.min(backoff * 2, 2000);
  }
}
