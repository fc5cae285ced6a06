import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { Clock } from './clock.js';
import type { ProviderRuntime } from './provider.js';
import { ConfigError } from './settings.js';

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

  /**
   * Load the file if it exists. A file that does not load stops start-up with one line naming
   * the file, what is wrong and where (ConfigError, exit code 2). Temp files that a killed
   * writer left behind are removed first.
   */
  load(): boolean {
    this.removeStaleTemps();
    if (!existsSync(this.path)) return false;
    const text = readFileSync(this.path, 'utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw this.error(`is not valid JSON (${(err as Error).message})`);
    }
    const data = this.checked(raw);
    try {
      this.clock.load(data.clock);
    } catch {
      throw this.error('has clock settings out of range at clock');
    }
    for (const [id, v] of Object.entries(data.vendors)) {
      const rt = this.runtimes.get(id);
      if (!rt) continue;
      if (v.state !== undefined) rt.loadState(v.state);
      const store = rt.ctx.store;
      store.reserveSeq(v.events.reduce((m, e) => Math.max(m, e.seq), 0));
      for (const e of v.events) store.insert(e.rec as never, e.injected === true, e.seq);
    }
    for (const [name, part] of this.extras) if (data.extra?.[name] !== undefined) part.load(data.extra[name]);
    return true;
  }

  private error(what: string): ConfigError {
    return new ConfigError(`state file ${this.path} ${what}`);
  }

  /** The file's structure, checked field by field; the first problem names its path. */
  private checked(raw: unknown): StateFile {
    const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
    const bad = (path: string, want: string) => this.error(`is damaged: ${path} must be ${want}`);
    if (!isObj(raw)) throw bad('the top level', 'an object');
    if (raw.version !== 1) throw bad('version', '1');
    if (raw.seed !== this.seed) throw this.error(`was written with seed ${String(raw.seed)}, not ${this.seed}`);
    const clock = raw.clock;
    if (!isObj(clock) || !(clock.frozenAt === null || typeof clock.frozenAt === 'number') || typeof clock.offset !== 'number') {
      throw bad('clock', '{frozenAt: number | null, offset: number}');
    }
    if (!isObj(raw.vendors)) throw bad('vendors', 'an object');
    for (const [id, v] of Object.entries(raw.vendors)) {
      if (!isObj(v) || !Array.isArray(v.events)) throw bad(`vendors.${id}`, 'an object with an events array');
      if (v.state !== undefined && !isObj(v.state)) throw bad(`vendors.${id}.state`, 'an object');
      v.events.forEach((e: unknown, i: number) => {
        const ok = isObj(e) && Number.isFinite(e.ts) && Number.isInteger(e.seq) && (e.seq as number) >= 0 && isObj(e.rec);
        if (!ok) throw bad(`vendors.${id}.events[${i}]`, '{ts: number, seq: integer, rec: object}');
      });
    }
    if (raw.extra !== undefined && !isObj(raw.extra)) throw bad('extra', 'an object');
    return raw as unknown as StateFile;
  }

  private removeStaleTemps(): void {
    const dir = dirname(this.path);
    const prefix = `.${basename(this.path)}.`;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) if (n.startsWith(prefix) && n.endsWith('.tmp')) rmSync(join(dir, n), { force: true });
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
