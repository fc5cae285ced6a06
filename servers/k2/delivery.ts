import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { Rng, hashSeed } from '../core/rng.js';
import { isoSeconds } from '../core/time.js';
import { k2OnlyRecord } from './records.js';
import type { K2Context, TrailState } from './state.js';
import type { K2World } from './world.js';

export const PERIOD_MS = 5 * 60_000;

/** `{"Records": [...]}` of one period, as a tar.gz holding one `<stem>.json` member. */
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

/**
 * Trail delivery, computed lazily from the emulator clock: every 5-minute boundary a logging
 * trail has passed yields one archive of that period's events, as K2 delivers them. Runs are
 * serialized so two concurrent reads cannot deliver the same period twice.
 */
export class Delivery {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: K2Context,
    private readonly world: K2World,
  ) {}

  catchUp(): Promise<void> {
    const run = this.chain.then(() => this.run(this.ctx.clock.now()));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(now: number): Promise<void> {
    const st = this.ctx.state;
    if (!st.subscriptionActive) return;
    const due = Math.floor(now / PERIOD_MS) * PERIOD_MS;
    const oldest = Math.floor(this.ctx.store.retentionEdge(now) / PERIOD_MS) * PERIOD_MS;
    for (const trail of st.trails) {
      // A stopped trail still delivers what it logged before the stop, at the next boundary.
      const until = trail.isLogging ? Infinity : trail.stopLoggingTime;
      if (until === undefined || trail.deliveredUntil >= until) continue;
      trail.deliveredUntil = Math.max(trail.deliveredUntil, oldest);
      for (let b = trail.deliveredUntil + PERIOD_MS; b <= due && b - PERIOD_MS < until; b += PERIOD_MS) {
        if (!(await this.deliverPeriod(trail, b, until, due))) break;
      }
    }
  }

  /** The period ending at boundary `b`; false when it could not be written and later ones must wait. */
  private async deliverPeriod(trail: TrailState, b: number, until: number, due: number): Promise<boolean> {
    const st = this.ctx.state;
    const from = Math.max(b - PERIOD_MS, trail.startLoggingTime ?? 0);
    // Up to and including the instant of the stop: the StopLogging call itself is logged.
    const to = Math.min(b - 1, until);
    const k2Only = this.ctx.settings.k2OnlyEventFields;
    const records: unknown[] = [];
    for (const e of this.ctx.store.scan({ from, to, order: 'asc' })) records.push(k2Only ? k2OnlyRecord(e.rec.record) : e.rec.record);
    if (records.length === 0) {
      trail.deliveredUntil = b;
      return true;
    }
    if (!st.buckets.some((x) => x.name === trail.s3BucketName)) {
      // Nothing written; the period is retried with the next ones once the bucket is back.
      trail.latestDeliveryAttemptTime = due;
      trail.latestDeliveryError = 'NoSuchBucket';
      return false;
    }
    const { key, stem } = this.archiveName(trail, b);
    const bytes = await buildArchive(stem, records, new Date(b));
    const etag = createHash('md5').update(bytes).digest('hex');
    st.objects.push({ bucket: trail.s3BucketName, key, size: bytes.length, etag, lastModified: b, body: bytes.toString('base64') });
    trail.deliveredUntil = b;
    trail.latestDeliveryTime = b;
    trail.latestDeliveryAttemptTime = b;
    trail.latestDeliveryAttemptSucceeded = b;
    delete trail.latestDeliveryError;
    return true;
  }

  private archiveName(trail: TrailState, b: number): { key: string; stem: string } {
    const { customer, region } = this.world;
    const stamp = isoSeconds(b).replace(/[-:]/g, '').slice(0, 13) + 'Z';
    const day = isoSeconds(b).slice(0, 10).replace(/-/g, '/');
    const rnd = new Rng(hashSeed(this.ctx.seed, 'k2-archive', trail.name, b)).alnum(16);
    const stem = `${customer}_CloudTrail_${region}_${stamp}_${rnd}`;
    return { stem, key: `${trail.s3KeyPrefix ? `${trail.s3KeyPrefix}/` : ''}AWSLogs/${customer}/CloudTrail/${region}/${day}/${stem}.tar.gz` };
  }
}
