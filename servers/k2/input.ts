import { parseTime } from '../core/time.js';

/** Member types of the operations' inputs (the AWS model's shapes, section 4). */
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
  CreateTrail: { readOnly: false, members: { ...trailMembers, TagsList: { list: { struct: { Key: 'string', Value: 'string' } } } } },
  UpdateTrail: { readOnly: false, members: trailMembers },
  DeleteTrail: { readOnly: false, members: { Name: 'string' } },
  StartLogging: { readOnly: false, members: { Name: 'string' } },
  StopLogging: { readOnly: false, members: { Name: 'string' } },
  GetTrail: { readOnly: true, members: { Name: 'string' } },
  GetTrailStatus: { readOnly: true, members: { Name: 'string' } },
  DescribeTrails: { readOnly: true, members: { trailNameList: { list: 'string' }, includeShadowTrails: 'boolean' } },
  ListTrails: { readOnly: true, members: { NextToken: 'string' } },
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

/** Coral-style type errors; null when the value fits. Timestamps are converted to ms in place. */
function check(v: unknown, t: MemberType): string | null {
  if (Array.isArray(v) && !(typeof t === 'object' && 'list' in t)) return 'Start of list found where not expected.';
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(typeof t === 'object' && 'struct' in t)) return 'Start of structure or map found where not expected.';
  if (t === 'string') return typeof v === 'string' ? null : `${kind(v)} can not be converted to a String`;
  if (t === 'boolean') return typeof v === 'boolean' ? null : `${kind(v)} can not be converted to a Boolean`;
  if (t === 'integer') return typeof v === 'number' && Number.isInteger(v) ? null : `${kind(v)} can not be converted to an Integer`;
  if (t === 'timestamp') return timestampMs(v) === null ? `${kind(v)} can not be converted to a Timestamp` : null;
  if ('list' in t) {
    if (!Array.isArray(v)) return v !== null && typeof v === 'object' ? 'Start of structure or map found where not expected.' : `${kind(v)} can not be converted to a List`;
    for (const item of v) {
      if (item === null) continue;
      const e = check(item, t.list);
      if (e) return e;
    }
    return null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return Array.isArray(v) ? 'Start of list found where not expected.' : `${kind(v)} can not be converted to a Structure`;
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
