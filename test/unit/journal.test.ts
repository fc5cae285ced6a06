// The journaled state engine: framing, group commit, recovery (torn tail, damage), compaction under
// concurrent writes and crashes at every step of it, and replay equal to the state before restart.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Clock } from '../../servers/core/clock.js';
import { DurableState, StateWriteError, stateLayout, type DurableWorld, type StateLayout } from '../../servers/core/durable.js';
import { Journal, frame, nodeIo, parseJournal, type StateFileHandle, type StateIo } from '../../servers/core/journal.js';
import type { ProviderRuntime } from '../../servers/core/provider.js';
import { ScenarioEngine, type AppliedScenario, type ScenarioDef } from '../../servers/core/scenarios.js';
import { ConfigError } from '../../servers/core/settings.js';
import { EventStore } from '../../servers/core/store.js';

const T0 = Date.parse('2026-03-10T10:00:00Z');
const SEED = 7;
const root = mkdtempSync(join(tmpdir(), 'journal-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshLayout = (): StateLayout => stateLayout({ stateDir: join(root, `d${dirs++}`) })!;
const quiet = { warn: () => undefined };

type R = { t: number; n: number };

/** A world of two vendors with real stores, clock and scenario list, and a small state object each. */
function makeWorld(vendors = ['a', 'b']): DurableWorld & { rt(id: string): FakeRuntime } {
  const clock = new Clock({ now: T0 });
  const runtimes = new Map<string, FakeRuntime>(vendors.map((id) => [id, new FakeRuntime(clock)]));
  // A story with no events: enough for the applied list, which is what the engine keeps of scenarios.
  const story: ScenarioDef = { name: 'story', title: '', description: '', vendors: [], params: [], build: () => [] };
  const scenarios = new ScenarioEngine({ clock, seed: SEED, runtimes: new Map(), company: { people: [], byEmail: new Map() } } as never, [story]);
  return {
    name: 'default',
    seed: SEED,
    clock,
    runtimes: runtimes as unknown as Map<string, ProviderRuntime>,
    scenarios,
    reset() {
      clock.restore();
      for (const rt of runtimes.values()) rt.build();
      scenarios.clear();
    },
    rt: (id) => runtimes.get(id)!,
  };
}

class FakeRuntime {
  ctx!: { store: EventStore<R>; state: { n: number; names: string[] } };
  constructor(private readonly clock: Clock) {
    this.build();
  }
  build(): void {
    const store = new EventStore<R>({ timeOf: (r) => r.t, render: (r) => r, retentionMs: 90 * 86_400_000, now: () => this.clock.now() });
    this.ctx = { store, state: { n: 0, names: [] } };
  }
  saveState(): unknown {
    return this.ctx.state;
  }
  loadState(d: unknown): void {
    this.ctx.state = { n: 0, names: [], ...(d as object) };
  }
}

/** Everything the engine keeps, in a comparable form. */
function dump(w: ReturnType<typeof makeWorld>) {
  const vendors = Object.fromEntries(
    [...w.runtimes.keys()].map((id) => [
      id,
      {
        state: w.rt(id).ctx.state,
        events: [...w.rt(id).ctx.store.insertedEntries()].map((e) => ({ ts: e.ts, seq: e.seq, injected: !!e.injected, rec: e.rec })),
      },
    ]),
  );
  return { clock: w.clock.snapshot(), scenarios: w.scenarios.history(), vendors };
}

const applied = (name: string): AppliedScenario => ({ name, at: '', appliedAt: '', params: {}, vendors: [], ids: [], events: [] });

/** An fs whose calls can be counted, held at a gate, or frozen for good (a crash: later calls never return). */
class TestIo implements StateIo {
  calls = 0;
  datasyncs = 0;
  gate: Promise<void> | undefined;
  freezeAt = Infinity;
  /** While set, writes fail as on a full disk. */
  full = false;
  /** Files left open by a frozen engine, closed by the test. */
  readonly handles: StateFileHandle[] = [];
  private frozenResolve!: () => void;
  readonly frozen = new Promise<void>((r) => (this.frozenResolve = r));

  private async step(): Promise<void> {
    if (++this.calls >= this.freezeAt) {
      this.frozenResolve();
      await new Promise(() => undefined);
    }
  }
  async open(path: string, flags: 'w' | 'r+'): Promise<StateFileHandle> {
    await this.step();
    const h = await nodeIo.open(path, flags);
    this.handles.push(h);
    return {
      write: async (b, o, l, p) => {
        await this.step();
        if (this.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return h.write(b, o, l, p);
      },
      datasync: async () => {
        await this.step();
        await this.gate;
        this.datasyncs++;
        return h.datasync();
      },
      sync: async () => (await this.step(), h.sync()),
      truncate: async (n) => (await this.step(), h.truncate(n)),
      close: () => h.close(),
    };
  }
  async rename(a: string, b: string) {
    await this.step();
    return nodeIo.rename(a, b);
  }
  async unlink(p: string) {
    await this.step();
    return nodeIo.unlink(p);
  }
  async syncDir(d: string) {
    await this.step();
    return nodeIo.syncDir(d);
  }
}

const ev = (i: number): R => ({ t: T0 - 3_600_000 + i * 1000, n: i });

describe('journal framing', () => {
  it('frames records with length and checksum and reads them back', () => {
    const buf = Buffer.from(frame('{"a":1}') + frame('{"b":"ü"}'));
    expect(buf.toString().split('\n')[0]).toMatch(/^7 [0-9a-f]{8} \{"a":1\}$/);
    const p = parseJournal(buf, 'j');
    expect(p.records.map((r) => r.value)).toEqual([{ a: 1 }, { b: 'ü' }]);
    expect(p.validBytes).toBe(buf.length);
    expect(p.torn).toBeUndefined();
  });

  it('a last record cut short is torn, at any cut; the same damage before another record is an error', () => {
    const whole = frame('{"a":1}');
    const last = frame('{"b":2,"c":"xyz"}');
    for (let cut = 1; cut < last.length; cut++) {
      const p = parseJournal(Buffer.from(whole + last.slice(0, cut)), 'j');
      expect(p.records).toHaveLength(1);
      expect(p.torn?.offset).toBe(whole.length);
      expect(p.validBytes).toBe(whole.length);
    }
    const flipped = last.replace('xyz', 'xyw');
    expect(parseJournal(Buffer.from(whole + flipped), 'j').torn?.why).toBe('checksum mismatch');
    expect(() => parseJournal(Buffer.from(whole + flipped + whole), 'j')).toThrow(`journal j is damaged at byte ${whole.length}: checksum mismatch`);
    expect(parseJournal(Buffer.from(whole + '\0\0\0\0'), 'j').torn?.offset).toBe(whole.length);
  });
});

describe('group commit', () => {
  it('records appended during an in-flight sync share the next one, and none resolves before its sync', async () => {
    const io = new TestIo();
    const j = Journal.create(join(root, 'group.log'), { t: 'journal' }, { io });
    await j.opened();
    const before = io.datasyncs;
    let release!: () => void;
    io.gate = new Promise((r) => (release = r));
    const done: number[] = [];
    const first = j.append({ i: 0 }).then(() => done.push(0));
    await new Promise((r) => setTimeout(r, 20)); // the first batch is now waiting for its sync
    const rest = Array.from({ length: 50 }, (_, k) => j.append({ i: k + 1 }).then(() => done.push(k + 1)));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toEqual([]);
    io.gate = undefined;
    release();
    await Promise.all([first, ...rest]);
    expect(io.datasyncs - before).toBe(2);
    expect(done).toHaveLength(51);
    await j.close();
    const p = parseJournal(readFileSync(join(root, 'group.log')), 'group.log');
    expect(p.records.map((r) => (r.value as { i?: number }).i)).toEqual([undefined, ...Array.from({ length: 51 }, (_, i) => i)]);
  });

  it('a hundred concurrent injections through the engine cost a handful of syncs, not a hundred', async () => {
    const io = new TestIo();
    const w = makeWorld();
    const engine = await DurableState.open(freshLayout(), w, { io, ...quiet });
    const before = io.datasyncs;
    await Promise.all(Array.from({ length: 100 }, (_, i) => (w.rt('a').ctx.store.insert(ev(i), true), engine.durable())));
    expect(io.datasyncs - before).toBeLessThanOrEqual(2);
    await engine.close();
  });
});

describe('recovery', () => {
  it('replays to exactly the state before the restart: events, vendor state, clock, scenarios, resets', async () => {
    const layout = freshLayout();
    const w = makeWorld();
    const engine = await DurableState.open(layout, w, quiet);
    w.rt('a').ctx.store.insert(ev(1));
    w.rt('b').ctx.store.insert(ev(2), true);
    w.clock.advance(60_000);
    w.scenarios.apply('story', { at: '2026-03-01T00:00:00Z' });
    engine.reset(() => w.reset());
    w.rt('a').ctx.store.insert(ev(3), true);
    w.rt('a').ctx.state.names.push('x');
    w.rt('a').ctx.state.n = 5;
    await engine.changed();
    expect(w.scenarios.apply('story', {}).ok).toBe(true);
    w.clock.apply({ now: T0 + 3_600_000, frozen: false });
    for (let i = 10; i < 40; i++) w.rt(i % 2 ? 'a' : 'b').ctx.store.insert(ev(i), i % 3 === 0);
    await engine.durable();
    await engine.close();
    const before = dump(w);

    const w2 = makeWorld();
    const e2 = await DurableState.open(layout, w2, quiet);
    expect(dump(w2)).toEqual(before);
    await e2.close();
  });

  it('events the running emulator pruned past retention stay pruned after a restart', async () => {
    const layout = freshLayout();
    const w = makeWorld();
    const engine = await DurableState.open(layout, w, quiet);
    w.rt('a').ctx.store.insert(ev(1), true);
    w.clock.advance(100 * 86_400_000);
    w.rt('a').ctx.store.insert({ t: w.clock.now() - 1000, n: 2 }, true);
    w.rt('a').ctx.store.prune();
    await engine.close();
    expect(dump(w).vendors.a.events.map((e) => e.rec.n)).toEqual([2]);
    const w2 = makeWorld();
    await (await DurableState.open(layout, w2, quiet)).close();
    expect(dump(w2)).toEqual(dump(w));
  });

  it('drops a torn last record with one warning, and appends cleanly after it', async () => {
    const layout = freshLayout();
    const w = makeWorld();
    const engine = await DurableState.open(layout, w, quiet);
    for (let i = 0; i < 5; i++) w.rt('a').ctx.store.insert(ev(i));
    await engine.close();
    const before = dump(w);
    appendFileSync(layout.journal, frame(JSON.stringify({ t: 'insert', vendor: 'a', seq: 99, ts: T0, rec: ev(99) })).slice(0, 30));

    const warnings: string[] = [];
    const w2 = makeWorld();
    const e2 = await DurableState.open(layout, w2, { warn: (l) => warnings.push(l) });
    expect(dump(w2)).toEqual(before);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/journal .*journal\.log: dropped a last record cut short by a crash at byte \d+/);
    w2.rt('a').ctx.store.insert(ev(6));
    await e2.close();

    const w3 = makeWorld();
    const e3 = await DurableState.open(layout, w3, { warn: (l) => warnings.push(l) });
    expect(warnings).toHaveLength(1);
    expect(dump(w3)).toEqual(dump(w2));
    await e3.close();
  });

  it('a damaged record in the middle stops start-up naming the file and byte offset', async () => {
    const layout = freshLayout();
    const w = makeWorld();
    const engine = await DurableState.open(layout, w, quiet);
    for (let i = 0; i < 3; i++) w.rt('a').ctx.store.insert(ev(i));
    await engine.close();
    const text = readFileSync(layout.journal, 'latin1');
    const lines = text.split('\n');
    const offset = lines[0].length + lines[1].length + 2; // the second insert, after the header and the first
    writeFileSync(layout.journal, text.slice(0, offset + 20) + (text[offset + 20] === '1' ? '2' : '1') + text.slice(offset + 21), 'latin1');
    const started = DurableState.open(layout, makeWorld(), quiet);
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(`journal ${layout.journal} is damaged at byte ${offset}: checksum mismatch`);
  });

  it('a record that parses but makes no sense is damage too', async () => {
    const layout = freshLayout();
    await (await DurableState.open(layout, makeWorld(), quiet)).close();
    const size = readFileSync(layout.journal).length;
    appendFileSync(layout.journal, frame('{"t":"teleport"}') + frame('{"t":"reset"}'));
    const started = DurableState.open(layout, makeWorld(), quiet);
    await expect(started).rejects.toThrow(`journal ${layout.journal} is damaged at byte ${size}: unknown record type 'teleport'`);
  });

  it('loads a state file written before the journal (version 1, no generation) and journals beside it', async () => {
    const file = join(root, `old-${dirs++}.json`);
    const old = {
      version: 1,
      seed: SEED,
      savedAt: '',
      clock: { frozenAt: T0 + 5000, offset: 0 },
      vendors: { a: { events: [{ ts: ev(1).t, seq: 4, injected: true, rec: ev(1) }], state: { n: 3, names: ['old'] } } },
      extra: { scenarios: [applied('old')] },
    };
    writeFileSync(file, JSON.stringify(old));
    const layout = stateLayout({ stateFile: file })!;
    expect(layout.journal).toBe(`${file}.journal`);
    const w = makeWorld();
    const engine = await DurableState.open(layout, w, quiet);
    expect(dump(w).vendors.a).toEqual({ state: { n: 3, names: ['old'] }, events: [{ ts: ev(1).t, seq: 4, injected: true, rec: ev(1) }] });
    expect(w.clock.now()).toBe(T0 + 5000);
    expect(w.scenarios.history().map((s) => s.name)).toEqual(['old']);
    w.rt('a').ctx.store.insert(ev(2));
    await engine.close();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(old); // untouched: the change is in the journal
    const w2 = makeWorld();
    await (await DurableState.open(layout, w2, quiet)).close();
    expect(dump(w2)).toEqual(dump(w));
  });

  it('a vendor not served in a run (--only) keeps its events and state through compactions', async () => {
    const layout = freshLayout();
    const w = makeWorld();
    const engine = await DurableState.open(layout, w, quiet);
    w.rt('b').ctx.store.insert(ev(1), true);
    w.rt('b').ctx.state.n = 9;
    await engine.changed();
    await engine.close();
    const before = dump(w).vendors.b;

    const onlyA = makeWorld(['a']);
    const e2 = await DurableState.open(layout, onlyA, quiet);
    onlyA.rt('a').ctx.store.insert(ev(2));
    await e2.compact();
    await e2.close();

    const w3 = makeWorld();
    await (await DurableState.open(layout, w3, quiet)).close();
    expect(dump(w3).vendors.b).toEqual(before);
    expect(dump(w3).vendors.a.events.map((e) => e.rec.n)).toEqual([2]);
  });

  it('a journal without its snapshot, or written with another seed, stops start-up', async () => {
    const layout = freshLayout();
    await (await DurableState.open(layout, makeWorld(), quiet)).close();
    const journal = readFileSync(layout.journal);
    rmSync(layout.snapshot);
    await expect(DurableState.open(layout, makeWorld(), quiet)).rejects.toThrow(`${layout.snapshot} is missing`);
    writeFileSync(layout.journal, journal);
    const other = Object.assign(makeWorld(), { seed: 8 });
    await expect(DurableState.open(layout, other, quiet)).rejects.toThrow(/was written with seed 7, not 8/);
  });
});

describe('a failed write', () => {
  it('is not acknowledged, names the file, and its record is written with the next batch once the disk has room', async () => {
    const layout = freshLayout();
    const io = new TestIo();
    const w = makeWorld();
    const engine = await DurableState.open(layout, w, { io, ...quiet });
    io.full = true;
    w.rt('a').ctx.store.insert(ev(1), true);
    const failed = engine.durable();
    await expect(failed).rejects.toBeInstanceOf(StateWriteError);
    await expect(failed).rejects.toThrow(`state could not be written to ${layout.journal}: ENOSPC`);
    io.full = false;
    w.rt('a').ctx.store.insert(ev(2), true);
    await engine.durable();
    await engine.close();
    const w2 = makeWorld();
    await (await DurableState.open(layout, w2, quiet)).close();
    expect(dump(w2)).toEqual(dump(w));
  });
});

describe('compaction', () => {
  it('loses nothing while concurrent writers keep appending, and leaves one snapshot and one journal', async () => {
    const layout = freshLayout();
    const w = makeWorld();
    const engine = await DurableState.open(layout, w, { compactMinBytes: 2000, ...quiet });
    const writer = async (k: number) => {
      for (let i = 0; i < 60; i++) {
        const n = k * 1000 + i;
        w.rt(k % 2 ? 'a' : 'b').ctx.store.insert(ev(n), true);
        if (i % 7 === 0) w.rt('a').ctx.state.n = n;
        await engine.changed();
      }
    };
    await Promise.all([0, 1, 2, 3].map(writer));
    await engine.compact();
    expect(engine.compactions).toBeGreaterThan(2);
    await engine.close();
    expect(readdirSync(join(layout.journal, '..')).sort()).toEqual(['journal.log', 'snapshot.json']);
    const before = dump(w);
    expect(before.vendors.a.events.length + before.vendors.b.events.length).toBe(240);
    const w2 = makeWorld();
    await (await DurableState.open(layout, w2, quiet)).close();
    expect(dump(w2)).toEqual(before);
  });

  it('a change still being synced in the old journal is not acknowledged by the new one', async () => {
    const io = new TestIo();
    const w = makeWorld();
    const engine = await DurableState.open(freshLayout(), w, { io, ...quiet });
    let release!: () => void;
    io.gate = new Promise((r) => (release = r));
    w.rt('a').ctx.store.insert(ev(1), true);
    await new Promise((r) => setTimeout(r, 20)); // its sync is now held
    const compaction = engine.compact(); // appends switch to a new, empty journal
    let acked = false;
    const durable = engine.changed().then(() => (acked = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(acked).toBe(false);
    io.gate = undefined;
    release();
    await durable;
    await compaction;
    await engine.close();
  });

  it('a crash at any step of a compaction loses no acknowledged change', async () => {
    // Count the fs calls of one run, then crash (freeze every later call) after each of them in turn.
    const run = async (freezeAt: number) => {
      const layout = freshLayout();
      const io = new TestIo();
      const w = makeWorld();
      const engine = await DurableState.open(layout, w, { io, compactMinBytes: 600, ...quiet });
      io.calls = 0;
      io.freezeAt = freezeAt;
      const acked: number[] = [];
      let crashed = false;
      void io.frozen.then(() => (crashed = true));
      for (let i = 0; i < 12 && !crashed; i++) {
        w.rt('a').ctx.store.insert(ev(i), true);
        await Promise.race([engine.durable().then(() => acked.push(i)), io.frozen]);
      }
      await new Promise((r) => setTimeout(r, 10));
      await Promise.race([engine.close(), io.frozen]);
      if (crashed) await Promise.all(io.handles.map((h) => h.close().catch(() => undefined)));
      return { layout, acked, calls: io.calls, compactions: engine.compactions };
    };
    const full = await run(Infinity);
    expect(full.compactions).toBeGreaterThan(0);
    for (let k = 1; k <= full.calls; k++) {
      const { layout, acked } = await run(k);
      const w = makeWorld();
      const e = await DurableState.open(layout, w, quiet);
      const got = new Set([...w.rt('a').ctx.store.insertedEntries()].map((x) => x.rec.n));
      for (const i of acked) expect(got.has(i), `crash at call ${k}: event ${i}`).toBe(true);
      await e.close();
      expect(existsSync(layout.snapshot)).toBe(true);
    }
  });
});
