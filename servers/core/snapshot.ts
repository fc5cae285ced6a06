import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { nodeIo, type StateIo } from './journal.js';
import { ConfigError } from './settings.js';

/**
 * A world's snapshot: the state that cannot be regenerated from the seed (recorded and injected
 * events, vendor state, clock settings, applied scenarios) as of the start of the journal with the
 * same generation. The format is the one `--state-file` has always written (version 1); the
 * generation is new and optional, so a file from before the journal loads as generation 0.
 */
export interface SnapshotEvent {
  ts: number;
  seq: number;
  injected?: boolean;
  rec: unknown;
}

export interface Snapshot {
  version: 1;
  seed: number;
  /** Journals of this generation and later hold what happened after the snapshot. */
  generation?: number;
  world?: string;
  savedAt: string;
  clock: { frozenAt: number | null; offset: number };
  vendors: Record<string, { events: SnapshotEvent[]; state?: unknown }>;
  extra?: Record<string, unknown>;
}

/** What a snapshot is written from: captured at one instant, then serialised bit by bit. */
export interface SnapshotSource {
  seed: number;
  generation: number;
  world: string;
  clock: { frozenAt: number | null; offset: number };
  /** JSON of the extra parts (applied scenarios), by name. */
  extra: Record<string, string>;
  /** Per vendor: its state's JSON (undefined when it has none) and its inserted entries, oldest first. */
  vendors: Array<{ id: string; state: string | undefined; events: ReadonlyArray<{ ts: number; seq: number; injected?: boolean; rec: unknown }> }>;
}

export function snapshotError(path: string, what: string): ConfigError {
  return new ConfigError(`state file ${path} ${what}`);
}

/** The snapshot at `path`, checked; undefined when there is none. Start-up only (synchronous). */
export function readSnapshot(path: string, seed: number): { snapshot: Snapshot; bytes: number } | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw snapshotError(path, `is not valid JSON (${(err as Error).message})`);
  }
  return { snapshot: checkSnapshot(raw, seed, path), bytes: statSync(path).size };
}

/** The snapshot's structure, checked field by field; the first problem names its path. */
export function checkSnapshot(raw: unknown, seed: number, path: string): Snapshot {
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  const bad = (at: string, want: string) => snapshotError(path, `is damaged: ${at} must be ${want}`);
  if (!isObj(raw)) throw bad('the top level', 'an object');
  if (raw.version !== 1) throw bad('version', '1');
  if (raw.seed !== seed) throw snapshotError(path, `was written with seed ${String(raw.seed)}, not ${seed}`);
  if (raw.generation !== undefined && !(Number.isInteger(raw.generation) && (raw.generation as number) >= 0)) {
    throw bad('generation', 'a non-negative integer');
  }
  const clock = raw.clock;
  if (!isObj(clock) || !(clock.frozenAt === null || typeof clock.frozenAt === 'number') || typeof clock.offset !== 'number') {
    throw bad('clock', '{frozenAt: number | null, offset: number}');
  }
  if (!isObj(raw.vendors)) throw bad('vendors', 'an object');
  for (const [id, v] of Object.entries(raw.vendors)) {
    if (!isObj(v) || !Array.isArray(v.events)) throw bad(`vendors.${id}`, 'an object with an events array');
    if (v.state !== undefined && !isObj(v.state)) throw bad(`vendors.${id}.state`, 'an object');
    v.events.forEach((e: unknown, i: number) => {
      if (!isEvent(e)) throw bad(`vendors.${id}.events[${i}]`, '{ts: number, seq: integer, rec: object}');
    });
  }
  if (raw.extra !== undefined && !isObj(raw.extra)) throw bad('extra', 'an object');
  return raw as unknown as Snapshot;
}

export function isEvent(e: unknown): e is SnapshotEvent {
  const o = e as Record<string, unknown>;
  const isObj = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
  return isObj(e) && Number.isFinite(o.ts) && Number.isInteger(o.seq) && (o.seq as number) >= 0 && isObj(o.rec);
}

/** Temp files that a killed writer left behind, removed at start. */
export function removeStaleTemps(path: string): void {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix) && n.endsWith('.tmp')) rmSync(join(dir, n), { force: true });
}

/** Events per write: each chunk is serialised, then written while requests run (a few ms of the event loop at most). */
const CHUNK = 100;
/** Bytes written between flushes of a snapshot. */
const SYNC_EVERY = 4_000_000;

/**
 * Write a snapshot whole or not at all: into a temp file, synced, renamed over the old one, and the
 * directory synced so the rename itself is durable. Events are serialised a chunk at a time between
 * writes, so a large snapshot never holds the event loop for long. Returns the file's size.
 */
export async function writeSnapshot(path: string, src: SnapshotSource, io: StateIo = nodeIo): Promise<number> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const file = await io.open(tmp, 'w');
  let size = 0;
  let unsynced = 0;
  const put = async (text: string) => {
    const buf = Buffer.from(text);
    let done = 0;
    while (done < buf.length) done += (await file.write(buf, done, buf.length - done, size + done)).bytesWritten;
    size += buf.length;
    unsynced += buf.length;
    // Flushed as it goes: one large flush at the end would hold up the journal's syncs behind it.
    if (unsynced > SYNC_EVERY) {
      unsynced = 0;
      await file.datasync();
    }
  };
  let written = false;
  try {
    const head = { version: 1, seed: src.seed, generation: src.generation, world: src.world, savedAt: new Date().toISOString(), clock: src.clock };
    const extra = Object.entries(src.extra).map(([k, v]) => `${JSON.stringify(k)}:${v}`);
    await put(`${JSON.stringify(head).slice(0, -1)},"extra":{${extra.join(',')}},"vendors":{`);
    for (const [i, v] of src.vendors.entries()) {
      await put(`${i ? ',' : ''}${JSON.stringify(v.id)}:{${v.state !== undefined ? `"state":${v.state},` : ''}"events":[`);
      for (let k = 0; k < v.events.length; k += CHUNK) {
        const part = v.events.slice(k, k + CHUNK).map((e) => JSON.stringify({ ts: e.ts, seq: e.seq, ...(e.injected ? { injected: true } : {}), rec: e.rec }));
        await put((k ? ',' : '') + part.join(','));
      }
      await put(']}');
    }
    await put('}}');
    await file.sync();
    written = true;
  } finally {
    await file.close();
    if (!written) await io.unlink(tmp).catch(() => undefined);
  }
  await io.rename(tmp, path);
  await io.syncDir(dirname(path));
  return size;
}
