import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { Rng, hashSeed } from '../core/rng.js';
import type { Entry } from '../core/store.js';
import { isoSeconds } from '../core/time.js';
import { k2OnlyRecord, type CloudTrailRecord, type K2Event } from './records.js';
import type { K2Context, StoredObject, TrailState } from './state.js';
import type { K2World } from './world.js';

export const PERIOD_MS = 5 * 60_000;

const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const timeOf = (r: CloudTrailRecord) => Date.parse(r.eventTime);

/**
 * `{"Records": [...]}` of one period, as a tar.gz holding one `<stem>.json` member. The same
 * records give the same bytes: the member's mtime is the period's boundary and gzip writes no time.
 */
async function buildArchive(stem: string, records: unknown[], mtime: Date): Promise<Buffer> {
  const json = Buffer.from(JSON.stringify({ Records: records }));
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  pack.entry({ name: `${stem}.json`, size: json.length, mtime, mode: 0o644 }, json);
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** The files of an archive's bytes (a tar.gz), each as text, as a reader of the bucket gets them. */
export async function untar(bytes: Uint8Array): Promise<Array<{ name: string; text: string }>> {
  const extract = tar.extract();
  const files: Array<{ name: string; text: string }> = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        files.push({ name: header.name, text: Buffer.concat(chunks).toString('utf8') });
        next();
      });
      stream.resume();
    });
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  extract.end(gunzipSync(bytes));
  await done;
  return files;
}

/** The `Records` of an archive's bytes, in file order. */
export async function archiveRecords(bytes: Uint8Array): Promise<Array<Record<string, unknown>>> {
  return (await untar(bytes)).flatMap((f) => (JSON.parse(f.text) as { Records: Array<Record<string, unknown>> }).Records);
}

/**
 * The `trail-archives` feed's truth: the records whose `eventTime` lies in [from, to] of every archive
 * delivered by now (all trails, all buckets) and of every archive the trails will deliver for the
 * periods under way, as those will hold them; newest first (at the same time, the later in delivery
 * order first). A reader who waits for the periods to end and reads the buckets gets exactly these.
 */
export async function archiveTruth(delivery: Delivery, from: number, to: number): Promise<unknown[]> {
  const all: Array<Record<string, unknown>> = [];
  // A stable sort: archives of one boundary stay in delivery order, trail by trail.
  const objects = (await delivery.archivesAndPending()).sort((a, b) => a.lastModified - b.lastModified);
  for (const o of objects) all.push(...(await archiveRecords(await delivery.render(o))));
  const timed = all.map((r, i) => ({ r, i, t: Date.parse(String(r.eventTime)) })).filter((x) => x.t >= from && x.t <= to);
  return timed.sort((a, b) => b.t - a.t || b.i - a.i).map((x) => x.r);
}

/** Records of both kinds in time order; at the same second, generated history comes first. */
function merge(generated: CloudTrailRecord[], calls: CloudTrailRecord[]): CloudTrailRecord[] {
  const out: CloudTrailRecord[] = [];
  let j = 0;
  for (const g of generated) {
    const t = timeOf(g);
    while (j < calls.length && timeOf(calls[j]) < t) out.push(calls[j++]);
    out.push(g);
  }
  while (j < calls.length) out.push(calls[j++]);
  return out;
}

/**
 * Trail delivery, computed lazily from the emulator clock: every 5-minute boundary a logging
 * trail has passed yields one archive of that period's events, as K2 delivers them. Runs are
 * serialized so two concurrent reads cannot deliver the same period twice.
 *
 * An archive is kept as its window and the recorded calls it took in; its bytes are rendered again
 * on each read, from the generated history (a pure function of the seed and the day) and those calls.
 */
export class Delivery {
  private chain: Promise<void> = Promise.resolve();
  /** The last day of generated history read, in time order: reads of one day's archives come together. */
  private day: { index: number; records: CloudTrailRecord[]; times: number[] } | undefined;

  constructor(
    private readonly ctx: K2Context,
    private readonly world: K2World,
    private readonly history: (from: number, to: number, bucket: number) => K2Event[],
  ) {}

  catchUp(): Promise<void> {
    return this.serialized(() => this.run(this.ctx.clock.now()));
  }

  /**
   * The archives delivered by now (after catching up), then those the trails will deliver for the
   * periods under way if nothing changes, in the order delivery will write them. Taken in one run, so
   * that no concurrent delivery writes a pending archive between the two.
   */
  archivesAndPending(): Promise<StoredObject[]> {
    return this.serialized(async () => {
      const now = this.ctx.clock.now();
      await this.run(now);
      return [...this.ctx.state.objects, ...this.pending(now)];
    });
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The archive's bytes, the same on every read. */
  render(o: StoredObject): Promise<Buffer> {
    if (o.body !== undefined) return Promise.resolve(Buffer.from(o.body, 'base64'));
    const records = merge(this.generated(o.from, o.to), o.calls ?? []);
    const stem = o.key.slice(o.key.lastIndexOf('/') + 1).replace(/\.tar\.gz$/, '');
    return buildArchive(stem, o.k2Only ? records.map(k2OnlyRecord) : records, new Date(o.lastModified));
  }

  private async run(now: number): Promise<void> {
    const st = this.ctx.state;
    if (!st.subscriptionActive) return;
    const due = Math.floor(now / PERIOD_MS) * PERIOD_MS;
    const oldest = Math.floor(this.ctx.store.retentionEdge(now) / PERIOD_MS) * PERIOD_MS;
    for (const trail of st.trails) {
      const until = loggedUntil(trail);
      if (until === undefined || trail.deliveredUntil >= until) continue;
      trail.deliveredUntil = Math.max(trail.deliveredUntil, oldest);
      for (let b = trail.deliveredUntil + PERIOD_MS; b <= due && b - PERIOD_MS < until; b += PERIOD_MS) {
        if (!(await this.deliverPeriod(trail, b, due))) break;
      }
    }
  }

  /**
   * The archives `run` will write at the boundaries after `now` (it has run at `now`), as it will
   * write them if nothing changes: the same windows and the same calls (later events lie after
   * `now`). None for a trail whose bucket is missing: those periods wait for it, perhaps for ever.
   */
  private pending(now: number): StoredObject[] {
    const st = this.ctx.state;
    if (!st.subscriptionActive) return [];
    const next = Math.floor(now / PERIOD_MS) * PERIOD_MS + PERIOD_MS;
    const out: StoredObject[] = [];
    for (const trail of st.trails) {
      const until = loggedUntil(trail);
      if (until === undefined || trail.deliveredUntil >= until) continue;
      for (let b = trail.deliveredUntil + PERIOD_MS; b <= next && b - PERIOD_MS < until; b += PERIOD_MS) {
        const obj = this.archiveOf(trail, b);
        if (obj === 'NoSuchBucket') break;
        if (obj !== 'empty') out.push(obj);
      }
    }
    return out;
  }

  /**
   * What delivering the period ending at boundary `b` writes: its archive (not yet rendered), nothing
   * (no events), or nothing for want of the trail's bucket.
   */
  private archiveOf(trail: TrailState, b: number): StoredObject | 'empty' | 'NoSuchBucket' {
    const { from, to } = this.window(trail, b);
    const calls = from <= to ? this.calls(trail, from, to) : [];
    if (from > to || (calls.length === 0 && this.generated(from, to).length === 0)) return 'empty';
    if (!this.ctx.state.buckets.some((x) => x.name === trail.s3BucketName)) return 'NoSuchBucket';
    const obj: StoredObject = { bucket: trail.s3BucketName, key: this.archiveKey(trail, b), size: 0, etag: '', lastModified: b, from, to };
    if (calls.length) obj.calls = calls;
    if (this.ctx.settings.k2OnlyEventFields) obj.k2Only = true;
    return obj;
  }

  /** The period ending at boundary `b`; false when it could not be written and later ones must wait. */
  private async deliverPeriod(trail: TrailState, b: number, due: number): Promise<boolean> {
    const st = this.ctx.state;
    const obj = this.archiveOf(trail, b);
    if (obj === 'empty') {
      trail.deliveredUntil = b;
      return true;
    }
    if (obj === 'NoSuchBucket') {
      // Nothing written; the period is retried with the next ones once the bucket is back.
      trail.latestDeliveryAttemptTime = due;
      trail.latestDeliveryError = 'NoSuchBucket';
      return false;
    }
    const bytes = await this.render(obj);
    obj.size = bytes.length;
    obj.etag = createHash('md5').update(bytes).digest('hex');
    st.objects.push(obj);
    trail.deliveredUntil = b;
    trail.latestDeliveryTime = b;
    trail.latestDeliveryAttemptTime = b;
    trail.latestDeliveryAttemptSucceeded = b;
    delete trail.latestDeliveryError;
    return true;
  }

  /**
   * The seconds of the period the trail logged: from the StartLogging call's second to the
   * StopLogging call's, both included. Within those two seconds the order of the calls decides.
   */
  private window(trail: TrailState, b: number): { from: number; to: number } {
    const start = trail.startPos?.ts ?? floorSecond(trail.startLoggingTime ?? 0);
    let to = b - 1;
    if (!trail.isLogging && trail.stopLoggingTime !== undefined) to = Math.min(to, trail.stopPos?.ts ?? floorSecond(trail.stopLoggingTime));
    return { from: Math.max(b - PERIOD_MS, start), to };
  }

  /** Recorded and injected events of the window, from the StartLogging call to the StopLogging call. */
  private calls(trail: TrailState, from: number, to: number): CloudTrailRecord[] {
    const { startPos, stopPos } = trail;
    const stopped = !trail.isLogging ? stopPos : undefined;
    const inside = (e: Entry<K2Event>) => (!startPos || e.ts > startPos.ts || e.seq >= startPos.seq) && (!stopped || e.ts < stopped.ts || e.seq <= stopped.seq);
    const out: CloudTrailRecord[] = [];
    for (const e of this.ctx.store.scan({ from, to, order: 'asc', all: true })) if (e.inserted && inside(e)) out.push(e.rec.record);
    return out;
  }

  /**
   * Generated history with `from <= time <= to` (one day at most), as the store holds it: from the
   * store while it retains the day, else generated again from the seed, in the same order.
   */
  private generated(from: number, to: number): CloudTrailRecord[] {
    const store = this.ctx.store;
    if (from >= store.retentionEdge()) {
      const out: CloudTrailRecord[] = [];
      for (const e of store.scan({ from, to, order: 'asc', all: true })) if (!e.inserted) out.push(e.rec.record);
      return out;
    }
    const bucketMs = store.bucketMs;
    const index = Math.floor(from / bucketMs);
    if (this.day?.index !== index) {
      const start = index * bucketMs;
      const events = this.history(start, start + bucketMs, index)
        .map((e) => ({ r: e.record, t: timeOf(e.record) }))
        .filter((x) => x.t >= start && x.t < start + bucketMs)
        .sort((x, y) => x.t - y.t);
      this.day = { index, records: events.map((x) => x.r), times: events.map((x) => x.t) };
    }
    const { records, times } = this.day;
    return records.slice(lowerBound(times, from), lowerBound(times, to + 1));
  }

  private archiveKey(trail: TrailState, b: number): string {
    const { customer, region } = this.world;
    const stamp = isoSeconds(b).replace(/[-:]/g, '').slice(0, 13) + 'Z';
    const day = isoSeconds(b).slice(0, 10).replace(/-/g, '/');
    const rnd = new Rng(hashSeed(this.ctx.seed, 'k2-archive', trail.name, b)).alnum(16);
    const stem = `${customer}_CloudTrail_${region}_${stamp}_${rnd}`;
    return `${trail.s3KeyPrefix ? `${trail.s3KeyPrefix}/` : ''}AWSLogs/${customer}/CloudTrail/${region}/${day}/${stem}.tar.gz`;
  }
}

/** Where a trail's logging ends: never while it logs; a stopped trail still delivers what it logged before the stop. */
function loggedUntil(trail: TrailState): number | undefined {
  return trail.isLogging ? Infinity : trail.stopLoggingTime;
}

function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
