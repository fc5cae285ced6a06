import type { SettingsSchema } from '../core/settings.js';

/** K2's switches (`config.k2.*`, `--set k2.<name>=…`); ranges are K2's own limits. */
export const settings = {
  type: 'object',
  properties: {
    region: { type: 'string', minLength: 1, default: 'ru-msk', description: "The customer's region, in ARNs, records and the manifest." },
    allowedRegions: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Regions a signature may be scoped to; absent: any (K2 itself signs with `croc`).',
    },
    subscriptionActive: { type: 'boolean', default: true, description: 'Activity Log subscription at start; inactive refuses every operation.' },
    retentionDays: { type: 'number', minimum: 1, maximum: 30, default: 30, description: 'Days LookupEvents reaches back.' },
    maxResultsLimit: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 50,
      description: "Largest MaxResults LookupEvents accepts: 50 in K2's model, 1000 in older CROC docs.",
    },
    k2MemberSpelling: {
      type: 'boolean',
      default: false,
      description: "LookupEvents spells `EventID` as K2's HTML reference does, not `EventId` as K2's service model and the SDKs do.",
    },
    eventSelectorsStyle: {
      enum: ['k2', 'aws'],
      default: 'k2',
      description: "Get/PutEventSelectors answer `Name` as K2's model has it (`k2`) or `TrailARN` as AWS's does (`aws`); both request spellings are taken.",
    },
    updateTrailStyle: {
      enum: ['k2', 'aws'],
      default: 'k2',
      description: "UpdateTrail requires S3BucketName and changes only it, as K2's model says (`k2`), or takes every member as AWS does (`aws`).",
    },
    k2OnlyEventFields: { type: 'boolean', default: false, description: 'Records carry only the fields K2 documents.' },
    sourceIpForApiCalls: { type: 'boolean', default: false, description: 'Recorded API calls carry `sourceIPAddress` (X-Forwarded-For or 127.0.0.1).' },
    lookupEventsPerSecond: { type: 'number', minimum: 0, maximum: 10_000, default: 0, description: 'LookupEvents calls per second; 0: unlimited.' },
    reportGenerationSeconds: { type: 'number', minimum: 0, maximum: 86_400, default: 5, description: 'Emulator seconds until a report is ready.' },
    reportRetentionDays: { type: 'number', minimum: 0, maximum: 365, default: 3, description: 'Days a report is kept.' },
    buckets: {
      type: 'array',
      items: { type: 'string' },
      description: 'Buckets that exist at start; absent: `<customer>-activity-log` and `<customer>-backups`.',
    },
    credentials: {
      type: 'object',
      properties: { accessKeyId: { type: 'string' }, secretAccessKey: { type: 'string' } },
      additionalProperties: false,
      default: {},
      description: "The first administrator's access key id and secret, instead of generated ones.",
    },
  },
} satisfies SettingsSchema;

export interface K2Settings {
  region: string;
  allowedRegions?: string[];
  subscriptionActive: boolean;
  retentionDays: number;
  maxResultsLimit: number;
  k2MemberSpelling: boolean;
  eventSelectorsStyle: 'k2' | 'aws';
  updateTrailStyle: 'k2' | 'aws';
  k2OnlyEventFields: boolean;
  sourceIpForApiCalls: boolean;
  lookupEventsPerSecond: number;
  reportGenerationSeconds: number;
  reportRetentionDays: number;
  buckets?: string[];
  credentials: { accessKeyId?: string; secretAccessKey?: string };
}
