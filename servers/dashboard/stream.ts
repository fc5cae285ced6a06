import type { Emulator } from '../core/emulator.js';
import type { EventStore } from '../core/store.js';
import { toEvent, type TimelineEvent } from './timeline.js';

/** Inserts are batched this long so a scenario of hundreds of events is a few messages. */
const FLUSH_MS = 100;
/** Tick period: generated history becomes visible as the clock passes it, so pages re-query. */
const TICK_MS = 1000;
/** Inserts beyond this many per flush are only counted (the page re-queries anyway). */
const MAX_BATCH = 200;

type Client = (event: string, data: unknown) => void;

/**
 * Fan-out of store inserts, clock changes and ticks to server-sent-event clients. Stores are
 * rebuilt on reset, so the hub notices a replaced store (on every tick and clock change) and
 * re-subscribes, telling clients to reload.
 */
export class DashboardHub {
  private clients = new Set<Client>();
  private subs = new Map<string, { store: EventStore<unknown>; off: () => void }>();
  private pending: TimelineEvent[] = [];
  private dropped = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private offClock: (() => void) | undefined;

  constructor(private readonly emu: Emulator) {}

  response(signal: AbortSignal): Response {
    const enc = new TextEncoder();
    let client: Client | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start: (ctrl) => {
        client = (event, data) => {
          try {
            ctrl.enqueue(enc.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
          } catch {
            this.drop(client!);
          }
        };
        ctrl.enqueue(enc.encode('retry: 1000\n\n'));
        this.add(client);
        client('hello', { ...this.emu.clock.state(), vendors: [...this.emu.runtimes.keys()] });
      },
      cancel: () => this.drop(client!),
    });
    signal.addEventListener('abort', () => client && this.drop(client));
    return new Response(stream, {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' },
    });
  }

  private add(c: Client): void {
    this.clients.add(c);
    if (this.clients.size > 1) return;
    this.resubscribe();
    this.offClock = this.emu.clock.onChange(() => {
      this.resubscribe();
      this.send('clock', this.emu.clock.state());
    });
    this.ticker = setInterval(() => {
      this.resubscribe();
      this.send('tick', { now: new Date(this.emu.clock.now()).toISOString() });
    }, TICK_MS);
    this.ticker.unref();
  }

  private drop(c: Client): void {
    if (!this.clients.delete(c) || this.clients.size > 0) return;
    clearInterval(this.ticker);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.offClock?.();
    for (const s of this.subs.values()) s.off();
    this.subs.clear();
    this.pending = [];
  }

  private send(event: string, data: unknown): void {
    for (const c of this.clients) c(event, data);
  }

  /** Subscribe to every runtime's current store; a store that changed means a reset happened. */
  private resubscribe(): void {
    let replaced = false;
    for (const [id, rt] of this.emu.runtimes) {
      const store = rt.ctx.store as EventStore<unknown>;
      const sub = this.subs.get(id);
      if (sub?.store === store) continue;
      if (sub) {
        sub.off();
        replaced = true;
      }
      const off = store.onInsert((e) => {
        if (this.pending.length < MAX_BATCH) this.pending.push(toEvent(rt, e));
        else this.dropped++;
        this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
      });
      this.subs.set(id, { store, off });
    }
    if (replaced) this.send('reset', { now: new Date(this.emu.clock.now()).toISOString() });
  }

  private flush(): void {
    this.flushTimer = undefined;
    const events = this.pending;
    const more = this.dropped;
    this.pending = [];
    this.dropped = 0;
    if (events.length) this.send('insert', { events, more });
  }
}
