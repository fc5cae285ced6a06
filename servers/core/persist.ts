import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { Clock } from './clock.js';
import type { ProviderRuntime } from './provider.js';

/**
 * `--state-file`: the state that cannot be regenerated from the seed (recorded and injected
 * events, vendor state such as trails and revoked tokens, clock settings, applied scenarios).
 * Each acknowledged change is written before its response goes out, to a temp file that is
 * fsynced and renamed over the old one, so a kill at any moment leaves either the old or the new
 * file whole and never loses an acknowledged write.
 */
export interface StateFile {
  version: 1;
  seed: number;
  savedAt: string;
  clock: { frozenAt: number | null; offset: number };
  vendors: Record<string, { events: Array<{ ts: number; seq: number; injected?: boolean; rec: unknown }>; state?: unknown }>;
  extra?: Record<string, unknown>;
}

export class Persistence {
  private extras = new Map<string, { save(): unknown; load(v: unknown): void }>();

  constructor(
    readonly path: string,
    private readonly seed: number,
    private readonly clock: Clock,
    private readonly runtimes: Map<string, ProviderRuntime>,
  ) {}

  /** Other core state to keep (e.g. the applied-scenario list), by name. */
  register(name: string, part: { save(): unknown; load(v: unknown): void }): void {
    this.extras.set(name, part);
  }

  /** Load the file if it exists; throws with a clear message when it belongs to another seed or is unreadable. */
  load(): boolean {
    if (!existsSync(this.path)) return false;
    let data: StateFile;
    try {
      data = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      throw new Error(`state file ${this.path} is not readable JSON: ${(err as Error).message}`, { cause: err });
    }
    // Read from disk, so the version may be anything despite the type.
    const version: unknown = data.version;
    if (version !== 1) throw new Error(`state file ${this.path} has unknown version ${String(version)}`);
    if (data.seed !== this.seed) throw new Error(`state file ${this.path} was written with seed ${data.seed}, not ${this.seed}`);
    this.clock.load(data.clock);
    for (const [id, v] of Object.entries(data.vendors ?? {})) {
      const rt = this.runtimes.get(id);
      if (!rt) continue;
      if (v.state !== undefined) rt.loadState(v.state);
      const store = rt.ctx.store;
      store.reserveSeq(Math.max(0, ...v.events.map((e) => e.seq)));
      for (const e of v.events) store.insert(e.rec, e.injected === true, e.seq);
    }
    for (const [name, part] of this.extras) if (data.extra?.[name] !== undefined) part.load(data.extra[name]);
    return true;
  }

  save(): void {
    const data: StateFile = {
      version: 1,
      seed: this.seed,
      savedAt: new Date().toISOString(),
      clock: this.clock.snapshot(),
      vendors: {},
      extra: Object.fromEntries([...this.extras].map(([k, p]) => [k, p.save()])),
    };
    for (const [id, rt] of this.runtimes) {
      const events = [];
      for (const e of rt.ctx.store.insertedEntries()) events.push({ ts: e.ts, seq: e.seq, ...(e.injected ? { injected: true } : {}), rec: e.rec });
      const state = rt.saveState();
      data.vendors[id] = { events, ...(state !== undefined ? { state } : {}) };
    }
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(data));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    // The rename itself must reach the disk too.
    try {
      const dfd = openSync(dirname(this.path), 'r');
      fsyncSync(dfd);
      closeSync(dfd);
    } catch {
      /* some filesystems refuse fsync on a directory */
    }
  }
}
