import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import type { ProviderContext } from '../core/provider.js';
import { Rng, hashSeed } from '../core/rng.js';
import { isoSeconds } from '../core/time.js';
import { k2OnlyRecord, type K2Event, type K2World } from './events.js';

export const PERIOD_MS = 5 * 60_000;
export const MAX_TRAILS = 2;

export interface TrailState {
  name: string;
  s3BucketName: string;
  s3KeyPrefix?: string;
  snsTopicName?: string;
  includeGlobalServiceEvents: boolean;
  isMultiRegionTrail: boolean;
  logFileValidationEnabled: boolean;
  cloudWatchLogsLogGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
  kmsKeyId?: string;
  isOrganizationTrail: boolean;
  tags?: Array<{ Key: string; Value?: string }>;
  isLogging: boolean;
  startLoggingTime?: number;
  stopLoggingTime?: number;
  latestDeliveryTime?: number;
  latestDeliveryAttemptTime?: number;
  latestDeliveryAttemptSucceeded?: number;
  latestDeliveryError?: string;
  /** Boundary up to which periods have been delivered. */
  deliveredUntil: number;
}

export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  lastModified: number;
  body: string;
}

export interface ReportState {
  reportId: string;
  format: 'csv' | 'json';
  createdAt: number;
  filter: Record<string, unknown>;
  eventCount: number;
  content: string;
}

/** Everything mutable that cannot be regenerated, as plain JSON (`persist`). */
export interface K2State {
  subscriptionActive: boolean;
  buckets: Array<{ name: string; createdAt: number }>;
  trails: TrailState[];
  objects: StoredObject[];
  reports: ReportState[];
}

export function trailArn(world: K2World, name: string): string {
  return `arn:aws:cloudtrail:${world.region}:${world.customer}:trail/${name}`;
}

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
 * trail has passed yields one archive of that period's events (section 6.3). Runs are serialized
 * so two concurrent reads cannot deliver the same period twice.
 */
export class Delivery {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ProviderContext<K2Event>,
    private readonly world: K2World,
    private readonly state: () => K2State,
    private readonly k2OnlyFields: boolean,
  ) {}

  catchUp(): Promise<void> {
    const run = this.chain.then(() => this.run(this.ctx.clock.now()));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(now: number): Promise<void> {
    const st = this.state();
    if (!st.subscriptionActive) return;
    const due = Math.floor(now / PERIOD_MS) * PERIOD_MS;
    const oldest = Math.floor(this.ctx.store.retentionEdge(now) / PERIOD_MS) * PERIOD_MS;
    for (const trail of st.trails) {
      // A stopped trail still delivers what it logged before the stop, at the next boundary.
      const until = trail.isLogging ? Infinity : trail.stopLoggingTime;
      if (until === undefined || trail.deliveredUntil >= until) continue;
      trail.deliveredUntil = Math.max(trail.deliveredUntil, oldest);
      for (let b = trail.deliveredUntil + PERIOD_MS; b <= due && b - PERIOD_MS < until; b += PERIOD_MS) {
        const from = Math.max(b - PERIOD_MS, trail.startLoggingTime ?? 0);
        // Up to and including the instant of the stop: the StopLogging call itself is logged.
        const to = Math.min(b - 1, until);
        const records: unknown[] = [];
        for (const e of this.ctx.store.scan({ from, to, order: 'asc' })) records.push(this.k2OnlyFields ? k2OnlyRecord(e.rec.record) : e.rec.record);
        if (records.length === 0) {
          trail.deliveredUntil = b;
          continue;
        }
        if (!st.buckets.some((x) => x.name === trail.s3BucketName)) {
          // Nothing written; the period is retried with the next ones once the bucket is back.
          trail.latestDeliveryAttemptTime = due;
          trail.latestDeliveryError = 'NoSuchBucket';
          break;
        }
        const stamp = isoSeconds(b).replace(/[-:]/g, '').slice(0, 13) + 'Z';
        const day = isoSeconds(b).slice(0, 10).replace(/-/g, '/');
        const rnd = new Rng(hashSeed(this.ctx.seed, 'k2-archive', trail.name, b)).alnum(16);
        const stem = `${this.world.customer}_CloudTrail_${this.world.region}_${stamp}_${rnd}`;
        const key = `${trail.s3KeyPrefix ? `${trail.s3KeyPrefix}/` : ''}AWSLogs/${this.world.customer}/CloudTrail/${this.world.region}/${day}/${stem}.tar.gz`;
        const bytes = await buildArchive(stem, records, new Date(b));
        st.objects.push({
          bucket: trail.s3BucketName,
          key,
          size: bytes.length,
          etag: createHash('md5').update(bytes).digest('hex'),
          lastModified: b,
          body: bytes.toString('base64'),
        });
        trail.deliveredUntil = b;
        trail.latestDeliveryTime = b;
        trail.latestDeliveryAttemptTime = b;
        trail.latestDeliveryAttemptSucceeded = b;
        delete trail.latestDeliveryError;
      }
    }
  }
}
