import type { Emulator } from '../servers/index.js';
import type { LogEntry } from '../servers/crusoe/events.js';
import { iso } from '../servers/core/time.js';

/** Two filters, a week back, page of 50: what a SIEM poller typically asks. */
export function typicalQuery(): string {
  return 'actor_types=User&limit=50&results=OK&start_time=2026-03-03T10%3A00%3A00Z';
}

/** Two filters and the default one-day window, whatever it holds (issue 17's independent measurement). */
export function defaultWindowQuery(): string {
  return 'limit=50&results=OK&target_types=VM,KubernetesCluster';
}

/**
 * Load `count` Crusoe events spread over the retention window, cloned from generated history
 * with fresh times, so memory and latency reflect realistic records.
 */
export function fillCrusoe(emu: Emulator, count: number): void {
  const rt = emu.runtimes.get('crusoe')!;
  const store = rt.ctx.store;
  const now = emu.clock.now();
  const span = 89 * 86_400_000;
  const sample: LogEntry[] = [];
  for (const e of store.scan({ from: now - 30 * 86_400_000, to: now })) sample.push(e.rec as LogEntry);
  const existing = store.size;
  const step = span / Math.max(1, count - existing);
  for (let i = 0; store.size < count; i++) {
    const src = sample[i % sample.length];
    const t = Math.floor(now - span + i * step);
    store.insert({ ...src, start_time: iso(t), end_time: iso(t + 1500) });
  }
}

/**
 * Insert exactly `count` such events (whatever history is generated meanwhile): with a state
 * directory, each is journaled like a recorded or injected event.
 */
export function insertCrusoe(emu: Emulator, count: number): void {
  const store = emu.runtimes.get('crusoe')!.ctx.store;
  const now = emu.clock.now();
  const span = 89 * 86_400_000;
  const sample: LogEntry[] = [];
  for (const e of store.scan({ from: now - 30 * 86_400_000, to: now })) sample.push(e.rec as LogEntry);
  for (let i = 0; i < count; i++) {
    const t = Math.floor(now - span + (i * span) / count);
    store.insert({ ...sample[i % sample.length], start_time: iso(t), end_time: iso(t + 1500) });
  }
}
