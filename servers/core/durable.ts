import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Clock } from './clock.js';
import { Journal, nodeIo, parseJournal, type JournalRecord, type ParsedJournal, type StateIo } from './journal.js';
import type { ProviderRuntime } from './provider.js';
import type { AppliedScenario, ScenarioEngine } from './scenarios.js';
import { isEvent, readSnapshot, removeStaleTemps, snapshotError, writeSnapshot, type Snapshot, type SnapshotEvent, type SnapshotSource } from './snapshot.js';
import { ConfigError } from './settings.js';
import type { Entry, EventStore } from './store.js';

/**
 * The journaled state engine of one world: every acknowledged change is one journal record, a
 * snapshot compacts the journal, and recovery is the snapshot plus the journal replayed.
 *
 * Records: `insert` (a recorded or injected event), `clock` (its settings), `state` (a vendor's whole
 * state object, journaled only when its JSON differs from the last one journaled), `scenario` (one
 * applied scenario) and `reset`. The first record of every journal is its header, naming the
 * snapshot generation it follows.
 *
 * Compaction switches appends to `<journal>.<generation+1>` at one instant, writes the state of that
 * instant as snapshot generation+1 while requests go on, then renames the new journal over the old.
 * A crash at any step leaves files that recovery reads correctly: journals older than the snapshot
 * are ignored, the rest replayed in generation order.
 */

export interface StateLayout {
  snapshot: string;
  journal: string;
}

const WORLD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Where a world keeps its state: `DIR/<world>/snapshot.json` and `DIR/<world>/journal.log` under
 * `--state-dir`; under `--state-file PATH`, PATH is the default world's snapshot with `PATH.journal`
 * beside it (other worlds go to `PATH.worlds/<world>/`). Undefined when state is kept in memory only.
 */
export function stateLayout(o: { stateDir?: string; stateFile?: string }, world = 'default'): StateLayout | undefined {
  if (o.stateDir !== undefined && o.stateFile !== undefined) {
    throw new ConfigError('--state-dir and --state-file cannot be used together (--state-file is the default world of a state directory)');
  }
  if (!WORLD_ID.test(world)) throw new RangeError(`world id '${world}' cannot name a directory`);
  const inDir = (dir: string) => ({ snapshot: join(dir, 'snapshot.json'), journal: join(dir, 'journal.log') });
  if (o.stateDir !== undefined) return inDir(join(o.stateDir, world));
  if (o.stateFile === undefined) return undefined;
  return world === 'default' ? { snapshot: o.stateFile, journal: `${o.stateFile}.journal` } : inDir(join(`${o.stateFile}.worlds`, world));
}

/** What a world offers the engine; nothing here knows a vendor. */
export interface DurableWorld {
  name: string;
  seed: number;
  clock: Clock;
  runtimes: Map<string, ProviderRuntime>;
  scenarios: ScenarioEngine;
  /** Back to the start settings. The engine journals the reset itself, so this must not. */
  reset(): void;
}

export interface DurableOptions {
  io?: StateIo;
  /** Compact once the journal is larger than the snapshot and than this many bytes (default 1 MB). */
  compactMinBytes?: number;
  /** One-line warnings (a dropped torn record, a failed compaction); stderr by default. */
  warn?: (line: string) => void;
}

interface JournalFile {
  path: string;
  generation: number;
  parsed: ParsedJournal;
}

/** A vendor found in the state but not served in this run (`--only`): kept as it was, not dropped. */
interface Unserved {
  events: SnapshotEvent[];
  state?: unknown;
}

/** A change that could not be made durable (disk full, directory gone): it must not be acknowledged. */
export class StateWriteError extends Error {
  constructor(file: string, cause: unknown) {
    super(`state could not be written to ${file}: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'StateWriteError';
  }
}

type Rec = Record<string, unknown>;
const isObj = (v: unknown): v is Rec => !!v && typeof v === 'object' && !Array.isArray(v);

export class DurableState {
  private journal!: Journal;
  /** Generation of the journal being appended to. */
  private generation = 0;
  private snapshotBytes = 0;
  private muted = false;
  private closing = false;
  private compacting: Promise<void> | undefined;
  private lastClock = '';
  private readonly lastState = new Map<string, string | undefined>();
  private readonly storeSubs = new Map<string, { store: EventStore<unknown>; off: () => void }>();
  private readonly offs: Array<() => void> = [];
  private readonly unserved = new Map<string, Unserved>();
  private readonly io: StateIo;
  private readonly warn: (line: string) => void;
  private syncsBefore = 0;
  compactions = 0;

  private constructor(
    readonly layout: StateLayout,
    private readonly world: DurableWorld,
    private readonly opts: DurableOptions,
  ) {
    this.io = opts.io ?? nodeIo;
    this.warn = opts.warn ?? ((line) => process.stderr.write(`audit-emulator: ${line}\n`));
  }

  /** Recover the world's state from its files (or create them), then journal every change. */
  static async open(layout: StateLayout, world: DurableWorld, opts: DurableOptions = {}): Promise<DurableState> {
    const engine = new DurableState(layout, world, opts);
    await engine.start();
    return engine;
  }

  /** Resolves once every change so far is durable; rejects with a StateWriteError when it cannot be. */
  durable(): Promise<void> {
    const journal = this.journal;
    return journal.durable().catch((err: unknown) => {
      throw new StateWriteError(journal.path, err);
    });
  }

  /**
   * After a request that may have changed vendor state: journal each vendor state (or only
   * `vendor`'s) whose JSON differs from the last journaled copy; resolves once all is durable.
   */
  changed(vendor?: string): Promise<void> {
    for (const [id, rt] of this.world.runtimes) {
      if (vendor !== undefined && id !== vendor) continue;
      const s = stateJson(rt);
      if (s === undefined || s === this.lastState.get(id)) continue;
      this.lastState.set(id, s);
      this.append(`{"t":"state","vendor":${JSON.stringify(id)},"state":${s}}`);
    }
    return this.durable();
  }

  /** Reset the world through `run`, journaled as one record. */
  reset(run: () => void): void {
    this.append({ t: 'reset' });
    this.muted = true;
    try {
      run();
    } finally {
      this.muted = false;
    }
    this.unserved.clear();
    this.attachStores();
    this.baseline();
  }

  /** Write a snapshot and start a new journal; service goes on meanwhile. */
  compact(): Promise<void> {
    this.compacting ??= this.runCompaction().finally(() => (this.compacting = undefined));
    return this.compacting;
  }

  stats(): { generation: number; journalBytes: number; snapshotBytes: number; syncs: number; compactions: number } {
    const { generation, snapshotBytes, compactions } = this;
    return { generation, journalBytes: this.journal.size, snapshotBytes, syncs: this.syncsBefore + this.journal.syncs, compactions };
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.compacting?.catch(() => undefined);
    for (const off of this.offs) off();
    for (const sub of this.storeSubs.values()) sub.off();
    await this.journal.close();
  }

  private async start(): Promise<void> {
    const { layout } = this;
    mkdirSync(dirname(layout.snapshot), { recursive: true });
    mkdirSync(dirname(layout.journal), { recursive: true });
    removeStaleTemps(layout.snapshot);
    const snap = readSnapshot(layout.snapshot, this.world.seed);
    const since = snap?.snapshot.generation ?? 0;
    const { live, stale } = this.readJournals(since);
    if (!snap && live.length) throw new ConfigError(`journal ${live[0].path} has no snapshot beside it: ${layout.snapshot} is missing`);
    this.recover(snap?.snapshot, live);
    this.attach();
    this.baseline();
    this.generation = since;
    if (!snap) this.snapshotBytes = await writeSnapshot(layout.snapshot, this.capture(0), this.io);
    else this.snapshotBytes = snap.bytes;
    const last = live[live.length - 1];
    if (!last) this.journal = this.newJournal(layout.journal, since);
    else {
      this.generation = last.generation;
      this.journal = Journal.resume(last.path, last.parsed.validBytes, { io: this.io, onSynced: () => this.maybeCompact() });
    }
    await this.journal.opened();
    for (const path of stale) if (path !== this.journal.path) await this.io.unlink(path);
    // A compaction that a crash interrupted: finish it now.
    if (live.length > 1 || (last && last.path !== layout.journal)) await this.compact();
  }

  /** Journals of generation `since` and later, in order; older ones are stale (already in the snapshot). */
  private readJournals(since: number): { live: JournalFile[]; stale: string[] } {
    const dir = dirname(this.layout.journal);
    const base = basename(this.layout.journal);
    const names = readdirSync(dir).filter((n) => n === base || (n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1))));
    const live: JournalFile[] = [];
    const stale: string[] = [];
    for (const name of names) {
      const path = join(dir, name);
      const buf = readFileSync(path);
      const generation = this.headerOf(buf, path);
      if (generation === undefined || generation < since) stale.push(path);
      else live.push({ path, generation, parsed: this.parsed(buf, path) });
    }
    live.sort((a, b) => a.generation - b.generation);
    live.forEach((j, i) => {
      if (j.generation !== since + i) throw new ConfigError(`journal ${j.path} follows generation ${j.generation - 1}, whose journal is missing`);
    });
    return { live, stale };
  }

  /** The generation a journal's header names; undefined for a file whose header a crash cut short. */
  private headerOf(buf: Buffer, path: string): number | undefined {
    const nl = buf.indexOf(0x0a);
    const head = parseJournal(buf.subarray(0, nl + 1), path);
    if (!head.records.length) {
      if (nl !== -1 && nl < buf.length - 1) throw new ConfigError(`journal ${path} is damaged at byte 0: no journal header`);
      if (buf.length) this.warn(`journal ${path}: dropped a header cut short by a crash (${buf.length} bytes, nothing acknowledged)`);
      return undefined;
    }
    const h = head.records[0].value as Rec;
    if (!isObj(h) || h.t !== 'journal' || !Number.isInteger(h.generation) || (h.generation as number) < 0) {
      throw new ConfigError(`journal ${path} is damaged at byte 0: no journal header`);
    }
    if (h.seed !== this.world.seed) throw new ConfigError(`journal ${path} was written with seed ${String(h.seed)}, not ${this.world.seed}`);
    return h.generation as number;
  }

  private parsed(buf: Buffer, path: string): ParsedJournal {
    const p = parseJournal(buf, path);
    if (p.torn) this.warn(`journal ${path}: dropped a last record cut short by a crash at byte ${p.torn.offset} (${p.torn.why}; never acknowledged)`);
    return p;
  }

  private newJournal(path: string, generation: number, after?: Promise<unknown>): Journal {
    const header = { t: 'journal', version: 1, generation, seed: this.world.seed, world: this.world.name };
    return Journal.create(path, header, { io: this.io, after, onSynced: () => this.maybeCompact() });
  }

  /** The snapshot, then every journal record after the header, with nothing journaled meanwhile. */
  private recover(snap: Snapshot | undefined, journals: JournalFile[]): void {
    const records = journals.flatMap((j) => j.parsed.records.slice(1).map((r) => ({ file: j.path, ...r })));
    this.muted = true;
    try {
      this.reserveSeqs(records, 0, snap);
      if (snap) this.applySnapshot(snap);
      records.forEach((r, i) => {
        this.apply(r, r.file);
        if ((r.value as Rec).t === 'reset') this.reserveSeqs(records, i + 1);
      });
      // Events past retention that the running emulator had pruned are in the journal still: prune them
      // again, so the state is the one before the restart.
      for (const rt of this.world.runtimes.values()) rt.ctx.store.prune();
    } finally {
      this.muted = false;
    }
  }

  /**
   * Sequence numbers of the events about to be restored (up to the next reset) are taken before
   * any history is generated, as the old state-file loader did, so generated events cannot collide.
   */
  private reserveSeqs(records: Array<{ value: unknown }>, from: number, snap?: Snapshot): void {
    const max = new Map<string, number>();
    const see = (vendor: string, seq: number) => max.set(vendor, Math.max(max.get(vendor) ?? 0, seq));
    for (const [id, v] of Object.entries(snap?.vendors ?? {})) for (const e of v.events) see(id, e.seq);
    for (let i = from; i < records.length; i++) {
      const v = records[i].value as Rec;
      if (!isObj(v) || v.t === 'reset') break;
      if (v.t === 'insert' && typeof v.vendor === 'string' && Number.isInteger(v.seq)) see(v.vendor, v.seq as number);
    }
    for (const [id, seq] of max) this.world.runtimes.get(id)?.ctx.store.reserveSeq(seq);
  }

  private applySnapshot(snap: Snapshot): void {
    try {
      this.world.clock.load(snap.clock);
    } catch {
      throw snapshotError(this.layout.snapshot, 'has clock settings out of range at clock');
    }
    for (const [id, v] of Object.entries(snap.vendors)) {
      const rt = this.world.runtimes.get(id);
      if (!rt) {
        this.unserved.set(id, { events: [...v.events], state: v.state });
        continue;
      }
      if (v.state !== undefined) rt.loadState(v.state);
      for (const e of v.events) rt.ctx.store.insert(e.rec, e.injected === true, e.seq);
    }
    const applied = snap.extra?.scenarios;
    if (applied !== undefined) this.world.scenarios.restore(applied);
  }

  /** Replay one journal record; a record that does not make sense stops start-up naming file and offset. */
  private apply(r: JournalRecord, file: string): void {
    const v = r.value as Rec;
    const bad = (why: string) => new ConfigError(`journal ${file} is damaged at byte ${r.offset}: ${why}`);
    if (!isObj(v) || typeof v.t !== 'string') throw bad('a record must be an object with a type t');
    switch (v.t) {
      case 'insert':
        if (typeof v.vendor !== 'string' || !isEvent(v)) throw bad('an insert needs vendor, ts, seq and rec');
        return this.replayInsert(v.vendor, v, bad);
      case 'clock':
        if (!(v.frozenAt === null || typeof v.frozenAt === 'number') || typeof v.offset !== 'number') throw bad('a clock record needs frozenAt and offset');
        try {
          return this.world.clock.load({ frozenAt: v.frozenAt, offset: v.offset });
        } catch {
          throw bad('clock settings out of range');
        }
      case 'state':
        if (typeof v.vendor !== 'string' || !isObj(v.state)) throw bad('a state record needs vendor and an object state');
        return this.replayState(v.vendor, v.state);
      case 'scenario':
        if (!isObj(v.applied)) throw bad('a scenario record needs applied');
        return this.world.scenarios.record(v.applied as unknown as AppliedScenario);
      case 'reset':
        this.unserved.clear();
        return this.world.reset();
      default:
        throw bad(`unknown record type '${v.t}'`);
    }
  }

  private replayInsert(vendor: string, e: SnapshotEvent, bad: (why: string) => Error): void {
    const rt = this.world.runtimes.get(vendor);
    const event = { ts: e.ts, seq: e.seq, ...(e.injected === true ? { injected: true } : {}), rec: e.rec };
    if (!rt) return void this.unservedOf(vendor).events.push(event);
    try {
      rt.ctx.store.insert(e.rec, e.injected === true, e.seq);
    } catch {
      throw bad('the event has no valid time');
    }
  }

  private replayState(vendor: string, state: Rec): void {
    const rt = this.world.runtimes.get(vendor);
    if (rt) rt.loadState(state);
    else this.unservedOf(vendor).state = state;
  }

  private unservedOf(vendor: string): Unserved {
    let u = this.unserved.get(vendor);
    if (!u) this.unserved.set(vendor, (u = { events: [] }));
    return u;
  }

  /** Journal every change from now on: clock settings, applied scenarios, inserted events. */
  private attach(): void {
    this.offs.push(this.world.clock.onChange(() => this.onClock()));
    this.offs.push(this.world.scenarios.onApply((applied) => this.append({ t: 'scenario', applied })));
    this.attachStores();
  }

  /** Subscribe to each runtime's current store (a reset builds new ones). */
  private attachStores(): void {
    for (const [id, rt] of this.world.runtimes) {
      const store = rt.ctx.store as EventStore<unknown>;
      const sub = this.storeSubs.get(id);
      if (sub?.store === store) continue;
      sub?.off();
      this.storeSubs.set(id, { store, off: store.onInsert((e) => this.onInsert(id, e)) });
    }
  }

  private onInsert(vendor: string, e: Entry<unknown>): void {
    if (this.muted) return;
    this.append({ t: 'insert', vendor, seq: e.seq, ts: e.ts, ...(e.injected ? { injected: true } : {}), rec: e.rec });
  }

  private onClock(): void {
    if (this.muted) return;
    const s = JSON.stringify(this.world.clock.snapshot());
    if (s === this.lastClock) return;
    this.lastClock = s;
    this.append(`{"t":"clock",${s.slice(1)}`);
  }

  /** What the journal already holds, as of now (after recovery or a reset). */
  private baseline(): void {
    this.lastClock = JSON.stringify(this.world.clock.snapshot());
    for (const [id, rt] of this.world.runtimes) this.lastState.set(id, stateJson(rt));
  }

  private append(record: object | string): void {
    if (!this.muted) void this.journal.append(record);
  }

  private maybeCompact(): void {
    if (this.compacting || this.closing) return;
    if (this.journal.size <= Math.max(this.snapshotBytes, this.opts.compactMinBytes ?? 1_000_000)) return;
    this.compact().catch((err) => this.warn(`compaction of ${this.layout.snapshot} failed, the journal goes on: ${(err as Error).message}`));
  }

  /**
   * The state as of this instant, made ready to serialise: entries are immutable once inserted, and
   * the small parts are serialised here, so changes made while the snapshot is written go only to
   * the new journal.
   */
  private capture(generation: number): SnapshotSource {
    const vendors: SnapshotSource['vendors'] = [];
    for (const [id, rt] of this.world.runtimes) vendors.push({ id, state: stateJson(rt), events: [...rt.ctx.store.insertedEntries()] });
    for (const [id, u] of this.unserved) vendors.push({ id, state: u.state === undefined ? undefined : JSON.stringify(u.state), events: [...u.events] });
    return {
      seed: this.world.seed,
      generation,
      world: this.world.name,
      clock: this.world.clock.snapshot(),
      extra: { scenarios: JSON.stringify(this.world.scenarios.history()) },
      vendors,
    };
  }

  private async runCompaction(): Promise<void> {
    const gen = this.generation + 1;
    const src = this.capture(gen);
    const old = this.journal;
    const path = `${this.layout.journal}.${gen}`;
    // Changes still being synced in the old journal are acknowledged once it is closed, not before.
    const closed = old.close().then(() => old.durable());
    this.journal = this.newJournal(path, gen, closed);
    this.generation = gen;
    void closed.then(() => (this.syncsBefore += old.syncs)).catch(() => undefined);
    await this.journal.opened();
    this.snapshotBytes = await writeSnapshot(this.layout.snapshot, src, this.io);
    await this.io.rename(path, this.layout.journal);
    this.journal.path = this.layout.journal;
    await this.io.syncDir(dirname(this.layout.journal));
    await this.removeJournalsBefore(gen);
    this.compactions++;
  }

  /** Journals a failed compaction left behind, now inside the snapshot. */
  private async removeJournalsBefore(gen: number): Promise<void> {
    const dir = dirname(this.layout.journal);
    const base = basename(this.layout.journal);
    for (const n of readdirSync(dir)) {
      const k = n.startsWith(`${base}.`) ? n.slice(base.length + 1) : '';
      if (/^\d+$/.test(k) && Number(k) < gen) await this.io.unlink(join(dir, n));
    }
  }
}

function stateJson(rt: ProviderRuntime): string | undefined {
  const s = rt.saveState();
  return s === undefined ? undefined : JSON.stringify(s);
}
