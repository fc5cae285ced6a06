import { fail } from '../core/failure.js';
import { parseTime } from '../core/time.js';
import { queryPairs } from './sigv4.js';

/** Member types of the CloudTrail operations' inputs (the AWS model's shapes). */
export type MemberType = 'string' | 'boolean' | 'integer' | 'timestamp' | { list: MemberType } | { struct: Record<string, MemberType> };

const trailMembers: Record<string, MemberType> = {
  Name: 'string',
  S3BucketName: 'string',
  S3KeyPrefix: 'string',
  SnsTopicName: 'string',
  IncludeGlobalServiceEvents: 'boolean',
  IsMultiRegionTrail: 'boolean',
  EnableLogFileValidation: 'boolean',
  CloudWatchLogsLogGroupArn: 'string',
  CloudWatchLogsRoleArn: 'string',
  KmsKeyId: 'string',
  IsOrganizationTrail: 'boolean',
};

const tagList: MemberType = { list: { struct: { Key: 'string', Value: 'string' } } };
const strings: MemberType = { list: 'string' };
const fieldSelector: MemberType = {
  struct: { Field: 'string', Equals: strings, StartsWith: strings, EndsWith: strings, NotEquals: strings, NotStartsWith: strings, NotEndsWith: strings },
};
const selectorMembers: Record<string, MemberType> = {
  Name: 'string',
  TrailName: 'string',
  EventSelectors: {
    list: {
      struct: {
        ReadWriteType: 'string',
        IncludeManagementEvents: 'boolean',
        DataResources: { list: { struct: { Type: 'string', Values: strings } } },
        ExcludeManagementEventSources: strings,
      },
    },
  },
  AdvancedEventSelectors: { list: { struct: { Name: 'string', FieldSelectors: { list: fieldSelector } } } },
};

/** K2's 18 operations (its service model, C2Devel/botocore 1.20.14-ROCKIT67), with their input members. */
export const OPERATIONS: Record<string, { readOnly: boolean; members: Record<string, MemberType> }> = {
  LookupEvents: {
    readOnly: true,
    members: {
      LookupAttributes: { list: { struct: { AttributeKey: 'string', AttributeValue: 'string' } } },
      StartTime: 'timestamp',
      EndTime: 'timestamp',
      EventCategory: 'string',
      MaxResults: 'integer',
      NextToken: 'string',
    },
  },
  CreateTrail: { readOnly: false, members: { ...trailMembers, TagsList: tagList } },
  UpdateTrail: { readOnly: false, members: trailMembers },
  DeleteTrail: { readOnly: false, members: { Name: 'string' } },
  StartLogging: { readOnly: false, members: { Name: 'string' } },
  StopLogging: { readOnly: false, members: { Name: 'string' } },
  GetTrail: { readOnly: true, members: { Name: 'string' } },
  GetTrailStatus: { readOnly: true, members: { Name: 'string' } },
  DescribeTrails: { readOnly: true, members: { trailNameList: { list: 'string' }, includeShadowTrails: 'boolean' } },
  ListTrails: { readOnly: true, members: { NextToken: 'string' } },
  AddTags: { readOnly: false, members: { ResourceId: 'string', TagsList: tagList } },
  RemoveTags: { readOnly: false, members: { ResourceId: 'string', TagsList: tagList } },
  ListTags: { readOnly: true, members: { ResourceIdList: strings, NextToken: 'string' } },
  GetEventSelectors: { readOnly: true, members: { Name: 'string', TrailName: 'string' } },
  PutEventSelectors: { readOnly: false, members: selectorMembers },
  GetInsightSelectors: { readOnly: true, members: { TrailName: 'string' } },
  PutInsightSelectors: { readOnly: false, members: { TrailName: 'string', InsightSelectors: { list: { struct: { InsightType: 'string' } } } } },
  ListPublicKeys: { readOnly: true, members: { StartTime: 'timestamp', EndTime: 'timestamp', NextToken: 'string' } },
};

function kind(v: unknown): string {
  if (typeof v === 'string') return 'STRING_VALUE';
  if (typeof v === 'number') return 'NUMBER_VALUE';
  if (v === true) return 'TRUE_VALUE';
  if (v === false) return 'FALSE_VALUE';
  return 'VALUE';
}

/** Epoch seconds (integer or fraction, number or numeric string) or an ISO-8601 string, to ms. */
export function timestampMs(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * 1000) : null;
  if (typeof v !== 'string') return null;
  if (/^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  return parseTime(v, { localAsUtc: true, dateOnly: true });
}

/** Coral-style type errors; null when the value fits. */
function check(v: unknown, t: MemberType): string | null {
  if (Array.isArray(v) && !(typeof t === 'object' && 'list' in t)) return 'Start of list found where not expected.';
  const isStruct = v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isStruct && !(typeof t === 'object' && 'struct' in t)) return 'Start of structure or map found where not expected.';
  if (t === 'string') return typeof v === 'string' ? null : `${kind(v)} can not be converted to a String`;
  if (t === 'boolean') return typeof v === 'boolean' ? null : `${kind(v)} can not be converted to a Boolean`;
  if (t === 'integer') return typeof v === 'number' && Number.isInteger(v) ? null : `${kind(v)} can not be converted to an Integer`;
  if (t === 'timestamp') return timestampMs(v) === null ? `${kind(v)} can not be converted to a Timestamp` : null;
  if ('list' in t) {
    if (!Array.isArray(v)) return isStruct ? 'Start of structure or map found where not expected.' : `${kind(v)} can not be converted to a List`;
    for (const item of v) {
      if (item === null) continue;
      const e = check(item, t.list);
      if (e) return e;
    }
    return null;
  }
  if (!isStruct) return Array.isArray(v) ? 'Start of list found where not expected.' : `${kind(v)} can not be converted to a Structure`;
  for (const [k, mt] of Object.entries(t.struct)) {
    const mv = (v as Record<string, unknown>)[k];
    if (mv === undefined || mv === null) continue;
    const e = check(mv, mt);
    if (e) return e;
  }
  return null;
}

export type ParsedBody = { ok: true; input: Record<string, unknown> } | { ok: false; message: string; raw: Record<string, unknown> };

/** Step 9: the body is a JSON object whose members have the model's JSON types. Nulls count as absent. */
export function parseBody(bytes: Uint8Array, members: Record<string, MemberType>): ParsedBody {
  const text = Buffer.from(bytes).toString('utf8');
  if (text.trim() === '') return { ok: true, input: {} };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Unexpected character found in the request body; it is not valid JSON.', raw: {} };
  }
  if (Array.isArray(v)) return { ok: false, message: 'Start of list found where not expected.', raw: {} };
  if (v === null || typeof v !== 'object') return { ok: false, message: `${kind(v)} can not be converted to a Structure`, raw: {} };
  const input: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) if (val !== null) input[k] = val;
  for (const [k, t] of Object.entries(members)) {
    if (input[k] === undefined) continue;
    const e = check(input[k], t);
    if (e) return { ok: false, message: e, raw: input };
  }
  return { ok: true, input };
}

// ---- S3 ListObjects (v1 and v2) ----

/** A ListObjects request's parameters, checked. */
export interface ListQuery {
  /** ListObjectsV2 (`list-type=2`), else v1. */
  v2: boolean;
  maxKeys: number;
  prefix: string;
  delimiter?: string;
  /** v2: the continuation token as given, echoed back. */
  token?: string;
  /** Keys after this one (v2: from the token, else `start-after`; v1: `marker`). */
  after: string;
  startAfter?: string;
  /** v1: the marker as given, echoed back. */
  marker?: string;
  urlEncoded: boolean;
}

/** The first value of each query parameter, as S3 reads them. */
export function firstValues(url: string): Map<string, string> {
  const q = new Map<string, string>();
  for (const [k, v] of queryPairs(url)) if (!q.has(k)) q.set(k, v);
  return q;
}

/** ListObjects parameters (v2 with `list-type=2`, else v1); a string is S3's InvalidArgument message. */
export function listQuery(q: Map<string, string>): ListQuery | string {
  const v2 = q.get('list-type') === '2';
  if (q.has('list-type') && !v2) return 'Invalid List Type specified';
  const maxRaw = q.get('max-keys');
  if (maxRaw !== undefined && !/^\d{1,9}$/.test(maxRaw)) return 'Provided max-keys not an integer or within integer range';
  const token = v2 ? q.get('continuation-token') : undefined;
  let after = (v2 ? q.get('start-after') : q.get('marker')) ?? '';
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!token || !decoded.startsWith('k:')) return 'The continuation token provided is incorrect';
    after = decoded.slice(2);
  }
  return {
    v2,
    maxKeys: Math.min(1000, maxRaw === undefined ? 1000 : Number(maxRaw)),
    prefix: q.get('prefix') ?? '',
    delimiter: q.get('delimiter') || undefined,
    token,
    after,
    startAfter: v2 ? q.get('start-after') : undefined,
    marker: v2 ? undefined : q.get('marker'),
    urlEncoded: q.get('encoding-type') === 'url',
  };
}

/**
 * S3 subresources of operations the emulator does not serve (`?acl`, `?location`, ...): a GET or
 * HEAD naming one is such an operation, not a listing or a read.
 */
export const UNSERVED_SUBRESOURCES = new Set([
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metadataConfiguration',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versioning',
  'versions',
  'website',
]);

// ---- console reports ----

const DAY = 86_400_000;
const KNOWN = ['format', 'startTime', 'endTime', 'readOnly', 'username', 'eventName', 'project'];
const MATCHED = ['readOnly', 'username', 'eventName', 'project'] as const;

/** A checked report request: the window resolved, the filters as given. */
export interface ReportQuery {
  format: 'csv' | 'json';
  start: number;
  end: number;
  match: Partial<Record<(typeof MATCHED)[number], unknown>>;
}

const invalid = (message: string): never => fail.badRequest(message, { code: 'InvalidParameter' });

/** The console's report request, checked field by field in a fixed order. */
export function reportQuery(body: unknown, now: number): ReportQuery {
  if (!body || typeof body !== 'object' || Array.isArray(body)) invalid('body must be a JSON object');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).find((k) => !KNOWN.includes(k));
  if (unknown) invalid(`unknown field '${unknown}'`);
  if (b.format !== 'csv' && b.format !== 'json') return invalid("field 'format' must be 'csv' or 'json'");
  const time = (k: string, dflt: number): number | null => {
    if (b[k] === undefined) return dflt;
    return typeof b[k] === 'string' ? parseTime(b[k]) : null;
  };
  const start = time('startTime', now - DAY) ?? invalid("field 'startTime' must be an ISO-8601 instant");
  const end = time('endTime', now) ?? invalid("field 'endTime' must be an ISO-8601 instant");
  if (start > end) invalid("field 'startTime' must not be after 'endTime'");
  if (b.readOnly !== undefined && typeof b.readOnly !== 'boolean') invalid("field 'readOnly' must be true or false");
  for (const k of ['username', 'eventName', 'project']) {
    if (b[k] !== undefined && (typeof b[k] !== 'string' || b[k] === '')) invalid(`field '${k}' must be a non-empty string`);
  }
  const match: ReportQuery['match'] = {};
  for (const k of MATCHED) if (b[k] !== undefined) match[k] = b[k];
  return { format: b.format, start, end, match };
}
