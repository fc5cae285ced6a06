import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { ConfigError } from './settings.js';

/**
 * An append-only journal of JSON records (the model: Redis's append-only file, SQLite's WAL).
 *
 * Each record is one line, `<byte length> <crc32, 8 hex digits> <json>\n`, so a record cut short by
 * a crash is told apart from damage. Records appended while a write and its fdatasync are in flight
 * wait for the next one, and share it (group commit): a hundred concurrent changes cost one sync,
 * not a hundred. `append` returns a promise that resolves once the record is on disk; only then may
 * the change be acknowledged. Everything runs on `fs.promises`: nothing here blocks the event loop.
 */

/** The part of an `fs.promises` FileHandle the state engine uses (tests count and stall calls). */
export interface StateFileHandle {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  truncate(len?: number): Promise<void>;
  close(): Promise<void>;
}

/** File-system calls of the state engine, replaceable in tests. */
export interface StateIo {
  open(path: string, flags: 'w' | 'r+'): Promise<StateFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Make a directory's entries (a created or renamed file) durable. */
  syncDir(dir: string): Promise<void>;
}

export const nodeIo: StateIo = {
  open: (path, flags) => open(path, flags),
  rename: (from, to) => rename(from, to),
  unlink: (path) => rm(path, { force: true }),
  syncDir: async (dir) => {
    let h;
    try {
      h = await open(dir, 'r');
      await h.sync();
    } catch {
      /* some file systems refuse fsync on a directory */
    } finally {
      await h?.close();
    }
  },
};

/** One framed record line for `json` (which JSON.stringify made, so it holds no raw newline). */
export function frame(json: string): string {
  return `${Buffer.byteLength(json)} ${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

export interface JournalRecord {
  /** Byte offset of the record's first byte in its file. */
  offset: number;
  value: unknown;
}

export interface ParsedJournal {
  records: JournalRecord[];
  /** Bytes up to the end of the last whole record: where appending continues. */
  validBytes: number;
  /** A last record cut short by a crash, dropped. */
  torn?: { offset: number; why: string };
}

type Parsed = { ok: true; value: unknown; end: number } | { ok: false; why: string };

function parseOne(buf: Buffer, o: number): Parsed {
  const s1 = buf.indexOf(0x20, o);
  if (s1 === -1 || s1 === o || s1 - o > 10) return { ok: false, why: 'no record length' };
  const lenText = buf.toString('latin1', o, s1);
  if (!/^\d+$/.test(lenText)) return { ok: false, why: 'no record length' };
  const s2 = s1 + 9;
  if (s2 >= buf.length || buf[s2] !== 0x20) return { ok: false, why: 'no checksum' };
  const crcText = buf.toString('latin1', s1 + 1, s2);
  if (!/^[0-9a-f]{8}$/.test(crcText)) return { ok: false, why: 'no checksum' };
  const start = s2 + 1;
  const end = start + Number(lenText);
  if (end >= buf.length) return { ok: false, why: 'the record ends early' };
  if (buf[end] !== 0x0a) return { ok: false, why: 'no end of line after the record' };
  const body = buf.subarray(start, end);
  if (crc32(body) !== parseInt(crcText, 16)) return { ok: false, why: 'checksum mismatch' };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')), end: end + 1 };
  } catch {
    return { ok: false, why: 'the record is not JSON' };
  }
}

/**
 * Every whole record of a journal's bytes. A bad record with no line after it is a torn tail: a
 * write a crash cut short, never synced and so never acknowledged; it is reported and dropped. A bad
 * record with more lines after it is damage, and stops start-up naming the file and byte offset.
 */
export function parseJournal(buf: Buffer, file: string): ParsedJournal {
  const records: JournalRecord[] = [];
  let o = 0;
  while (o < buf.length) {
    const r = parseOne(buf, o);
    if (r.ok) {
      records.push({ offset: o, value: r.value });
      o = r.end;
      continue;
    }
    const nl = buf.indexOf(0x0a, o);
    if (nl === -1 || nl === buf.length - 1) return { records, validBytes: o, torn: { offset: o, why: r.why } };
    throw new ConfigError(`journal ${file} is damaged at byte ${o}: ${r.why}`);
  }
  return { records, validBytes: o };
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers that do not wait (hooks) must not turn a failed write into an unhandled rejection;
  // callers that wait still see it.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export interface JournalOptions {
  io?: StateIo;
  /**
   * The journal this one follows, closed: nothing here is acknowledged before it settles, and until
   * the first append `durable()` is this promise, so a change still being synced in the old journal
   * is not acknowledged early (its rejection is the old journal's last failure).
   */
  after?: Promise<unknown>;
  /** Called after each batch is on disk (the state engine decides on compaction here). */
  onSynced?: () => void;
}

export class Journal {
  /** Bytes in the file once everything written so far is on disk. */
  size = 0;
  /** fdatasync calls made: one per batch, however many records it holds. */
  syncs = 0;
  private file: StateFileHandle | undefined;
  private readonly ready: Promise<void>;
  private readonly io: StateIo;
  private batch: string[] = [];
  private batchDone: Deferred | undefined;
  private tail: Promise<void> = Promise.resolve();
  private loop: Promise<void> = Promise.resolve();
  private running = false;
  /** Bytes of a batch whose write failed: they go again ahead of the next batch, since memory holds those changes. */
  private retry: Buffer | undefined;
  private closed = false;

  private constructor(
    public path: string,
    private readonly opts: JournalOptions,
    opening: (io: StateIo) => Promise<{ file: StateFileHandle; size: number }>,
  ) {
    this.io = opts.io ?? nodeIo;
    if (opts.after) {
      this.tail = opts.after.then(() => undefined);
      this.tail.catch(() => undefined);
    }
    this.ready = opening(this.io).then(({ file, size }) => {
      this.file = file;
      this.size = size;
    });
    this.ready.catch(() => undefined);
  }

  /** A new journal file whose first record is `header`; the file and its directory entry are synced before any record is acknowledged. */
  static create(path: string, header: object, opts: JournalOptions = {}): Journal {
    return new Journal(path, opts, async (io) => {
      const file = await io.open(path, 'w');
      const head = Buffer.from(frame(JSON.stringify(header)));
      await writeAll(file, head, 0);
      await file.datasync();
      await io.syncDir(dirname(path));
      return { file, size: head.length };
    });
  }

  /** Continue an existing journal after its last whole record (a torn tail is cut off first). */
  static resume(path: string, validBytes: number, opts: JournalOptions = {}): Journal {
    return new Journal(path, opts, async (io) => {
      const file = await io.open(path, 'r+');
      await file.truncate(validBytes);
      await file.datasync();
      return { file, size: validBytes };
    });
  }

  /** Append a record (an object, or its JSON); resolves once it is durable. */
  append(record: object | string): Promise<void> {
    if (this.closed) throw new Error(`journal ${this.path} is closed`);
    this.batch.push(frame(typeof record === 'string' ? record : JSON.stringify(record)));
    if (!this.batchDone) {
      this.batchDone = deferred();
      this.tail = this.batchDone.promise;
    }
    if (!this.running) {
      this.running = true;
      this.loop = this.flush();
    }
    return this.tail;
  }

  /** Resolves once everything appended so far is durable (rejects if its write failed). */
  durable(): Promise<void> {
    return this.tail;
  }

  /** The file is open and its header on disk. */
  opened(): Promise<void> {
    return this.ready;
  }

  /** Write what is pending, then close the file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
    await this.ready.catch(() => undefined);
    await this.file?.close();
    this.file = undefined;
  }

  /** Batches one after another; appends made meanwhile form the next batch. */
  private async flush(): Promise<void> {
    try {
      let opening: Error | undefined;
      await this.ready.catch((err) => (opening = err instanceof Error ? err : new Error(`journal ${this.path} could not be opened`)));
      await this.opts.after?.catch(() => undefined);
      while (this.batch.length) {
        const lines = this.batch;
        const done = this.batchDone!;
        this.batch = [];
        this.batchDone = undefined;
        try {
          if (opening) throw opening;
          await this.write(lines);
          done.resolve();
        } catch (err) {
          done.reject(err);
        }
        this.opts.onSynced?.();
      }
    } finally {
      // No await between the last look at the batch and this: an append cannot slip in unseen.
      this.running = false;
    }
  }

  private async write(lines: string[]): Promise<void> {
    const file = this.file!;
    const fresh = Buffer.from(lines.join(''));
    const data = this.retry ? Buffer.concat([this.retry, fresh]) : fresh;
    try {
      await writeAll(file, data, this.size);
      await file.datasync();
      this.syncs++;
      this.size += data.length;
      this.retry = undefined;
    } catch (err) {
      this.retry = data;
      // Leave no partial record behind for the next batch to be appended after.
      await file.truncate(this.size).catch(() => undefined);
      throw err;
    }
  }
}

async function writeAll(file: StateFileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
