import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { World } from '../core/world.js';
import { toEvent, type TimelineEvent } from './timeline.js';

/** Inserts are batched this long so a scenario of hundreds of events is a few messages. */
const FLUSH_MS = 100;
/** Tick period: generated history becomes visible as the clock passes it, so pages re-query. */
const TICK_MS = 1000;
/** Inserts beyond this many per flush are only counted (the page re-queries anyway). */
const MAX_BATCH = 200;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 1000;

type Client = (event: string, data: unknown) => void;

/**
 * Fan-out of store inserts, clock changes, resets and ticks to server-sent-event clients. Stores
 * are rebuilt on reset, so on the emulator's `reset` event the hub subscribes to the new ones and
 * tells clients to reload. Nothing is subscribed while no client listens.
 */
export class DashboardHub {
  private clients = new Set<Client>();
  private subscriptions: Array<() => void> = [];
  private pending: TimelineEvent[] = [];
  private dropped = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private offClock: (() => void) | undefined;
  private readonly onReset = (): void => {
    this.unsubscribe();
    this.subscribe();
    this.send('reset', { now: new Date(this.emu.clock.now()).toISOString() });
  };

  constructor(private readonly emu: World) {}

  /** One client's stream, open until the client goes away. */
  response(c: Context): Response {
    return streamSSE(c, async (stream) => {
      // Writes are queued in call order; a client that has gone simply stops receiving.
      const client: Client = (event, data) => void stream.writeSSE({ event, data: JSON.stringify(data) });
      const hello = { ...this.emu.clock.state(), vendors: [...this.emu.runtimes.keys()] };
      void stream.write(`retry: ${RETRY_MS}\n\n`);
      client('hello', hello);
      this.add(client);
      await new Promise<void>((resolve) => {
        stream.onAbort(resolve);
        c.req.raw.signal.addEventListener('abort', () => resolve());
      });
      this.drop(client);
    });
  }

  private add(c: Client): void {
    this.clients.add(c);
    if (this.clients.size > 1) return;
    this.subscribe();
    this.emu.events.on('reset', this.onReset);
    this.offClock = this.emu.clock.onChange(() => this.send('clock', this.emu.clock.state()));
    this.ticker = setInterval(() => this.send('tick', { now: new Date(this.emu.clock.now()).toISOString() }), TICK_MS);
    this.ticker.unref();
  }

  private drop(c: Client): void {
    if (!this.clients.delete(c) || this.clients.size > 0) return;
    clearInterval(this.ticker);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.offClock?.();
    this.emu.events.off('reset', this.onReset);
    this.unsubscribe();
    this.pending = [];
  }

  private send(event: string, data: unknown): void {
    for (const c of this.clients) c(event, data);
  }

  /** Subscribe to every runtime's current store. */
  private subscribe(): void {
    for (const rt of this.emu.runtimes.values()) {
      const off = rt.ctx.store.onInsert((e) => {
        if (this.pending.length < MAX_BATCH) this.pending.push(toEvent(rt, e));
        else this.dropped++;
        this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
      });
      this.subscriptions.push(off);
    }
  }

  private unsubscribe(): void {
    for (const off of this.subscriptions) off();
    this.subscriptions = [];
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
