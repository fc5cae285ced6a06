import type { components } from '../../openapi/generated/k2-cloudtrail.js';
import type { ProviderContext, StateContext } from '../core/provider.js';
import type { K2Event } from './records.js';
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

/** A delivered trail archive; the bytes are base64 so that the state stays plain JSON. */
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
    buckets: initialBuckets(ctx.company, ctx.settings).map((name) => ({ name, createdAt })),
    trails: [],
    objects: [],
    reports: [],
  };
}
