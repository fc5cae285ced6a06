import type { components } from '../../openapi/generated/k2-cloudtrail.js';
import type { ProviderContext, StateContext } from '../core/provider.js';
import type { CloudTrailRecord, K2Event } from './records.js';
import type { K2Settings } from './settings.js';
import { initialBuckets } from './world.js';

const DAY = 86_400_000;

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
  /** PutEventSelectors' basic selectors; absent: the default (all management events). */
  eventSelectors?: EventSelector[];
  /** PutEventSelectors' advanced selectors (instead of the basic ones). */
  advancedEventSelectors?: AdvancedEventSelector[];
  /** PutInsightSelectors; absent or empty: Insights off. */
  insightSelectors?: Array<{ InsightType: string }>;
  isLogging: boolean;
  startLoggingTime?: number;
  stopLoggingTime?: number;
  /** Store positions of the StartLogging and StopLogging calls' own events: delivery runs from one to the other, both included. */
  startPos?: LogPosition;
  stopPos?: LogPosition;
  latestDeliveryTime?: number;
  latestDeliveryAttemptTime?: number;
  latestDeliveryAttemptSucceeded?: number;
  latestDeliveryError?: string;
  /** Boundary up to which periods have been delivered. */
  deliveredUntil: number;
}

type Schemas = components['schemas'];
export type EventSelector = Schemas['EventSelector'];
export type AdvancedEventSelector = Schemas['AdvancedEventSelector'];

/** An event's place in the log: its whole-second time, then the order it was stored in. */
export interface LogPosition {
  ts: number;
  seq: number;
}

/**
 * A delivered trail archive, held compactly: its bytes are rendered again on every read from the
 * generated history of its window and the recorded or injected records it took in, identically, so
 * that memory does not grow with the number of archives a bucket keeps.
 */
export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  /** The period's boundary: the object's time and its tar member's mtime. */
  lastModified: number;
  /** Whole-second bounds (ms, both included) of the generated events in the archive. */
  from: number;
  to: number;
  /** Recorded and injected records in the archive, in log order (absent: none). */
  calls?: CloudTrailRecord[];
  /** The records were cut to K2's documented fields (`k2.k2OnlyEventFields` when delivered). */
  k2Only?: boolean;
  /** The bytes as base64: archives delivered by earlier versions, kept whole in their state files. */
  body?: string;
}

export interface ReportState {
  reportId: string;
  format: 'csv' | 'json';
  createdAt: number;
  filter: components['schemas']['Report']['filter'];
  eventCount: number;
  content: string;
}

/** Everything a client can change that history cannot regenerate. */
export interface K2State {
  subscriptionActive: boolean;
  buckets: Array<{ name: string; createdAt: number }>;
  trails: TrailState[];
  objects: StoredObject[];
  reports: ReportState[];
}

/** What K2's modules are given: the core's context with K2's record, settings and state. */
export type K2Context = ProviderContext<K2Event, K2Settings, K2State>;

/** The buckets that exist at start look three months old, as a customer's long-standing ones would. */
export function createState(ctx: StateContext<K2Settings>): K2State {
  const createdAt = ctx.clock.now() - 90 * DAY;
  return {
    subscriptionActive: ctx.settings.subscriptionActive,
    buckets: initialBuckets(ctx.company, ctx.settings, ctx.world).map((name) => ({ name, createdAt })),
    trails: [],
    objects: [],
    reports: [],
  };
}
