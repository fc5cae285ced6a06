import type { components } from '../../openapi/generated/k2-cloudtrail.js';
import { hashParams, openToken, sealToken } from '../core/cursor.js';
import { joinJson } from '../core/render.js';
import type { Entry } from '../core/store.js';
import { timestampMs } from './query.js';
import { opError, type OpResult } from './operation.js';
import { k2OnlyRecord, renderEvent, type K2Event } from './records.js';
import type { K2Context } from './state.js';

const DAY = 86_400_000;
const ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'];

/** Members have the model's types when present; list items may be null and keys anything. */
type LookupInput = Omit<components['schemas']['LookupEventsRequest'], 'LookupAttributes' | 'EventCategory'> & {
  LookupAttributes?: Array<{ AttributeKey?: string; AttributeValue?: string } | null>;
  EventCategory?: string;
};

interface LookupToken {
  v: 1;
  ts: number;
  seq: number;
  from: number;
  to: number;
  h: string;
}

interface LookupQuery {
  max: number;
  attrs: Array<{ AttributeKey?: string; AttributeValue?: string }>;
  filter?: (e: K2Event) => boolean;
  start?: number;
  end?: number;
}

/** The parameters, checked in CloudTrail's order; an OpResult is the refusal. */
function lookupQuery(input: LookupInput, limit: number): LookupQuery | OpResult {
  const max = input.MaxResults === undefined ? 50 : input.MaxResults;
  if (max < 1 || max > limit) return opError('InvalidMaxResultsException', `MaxResults must be between 1 and ${limit}.`);
  const attrs = (Array.isArray(input.LookupAttributes) ? input.LookupAttributes : []).filter((a) => !!a);
  if (attrs.length > 1) return opError('InvalidLookupAttributesException', 'You can specify only one lookup attribute.');
  let filter: ((e: K2Event) => boolean) | undefined;
  if (attrs.length === 1) {
    const { AttributeKey: key, AttributeValue: value } = attrs[0];
    if (key === undefined || !ATTRIBUTE_KEYS.includes(key)) return opError('InvalidLookupAttributesException', `Invalid AttributeKey: ${key ?? ''}.`);
    if (value === undefined || value.length < 1 || value.length > 2000) {
      return opError('InvalidLookupAttributesException', 'AttributeValue must be 1 to 2000 characters long.');
    }
    if (key === 'ReadOnly' && !/^(true|false)$/i.test(value)) {
      return opError('InvalidLookupAttributesException', `Invalid value for the ReadOnly attribute: ${value}. Use true or false.`);
    }
    filter = attributeFilter(key, value);
  }
  const start = input.StartTime === undefined ? undefined : timestampMs(input.StartTime)!;
  const end = input.EndTime === undefined ? undefined : timestampMs(input.EndTime)!;
  if (start !== undefined && end !== undefined && start > end) return opError('InvalidTimeRangeException', 'StartTime must not be after EndTime.');
  if (input.EventCategory !== undefined && input.EventCategory !== 'insight') {
    return opError('InvalidEventCategoryException', `Invalid EventCategory: ${input.EventCategory}.`);
  }
  return { max, attrs, filter, start, end };
}

/** LookupEvents: newest first over the retention window, pages bound to the call's other parameters. */
export function lookupEvents(ctx: K2Context, input: LookupInput): OpResult {
  const q = lookupQuery(input, ctx.settings.maxResultsLimit);
  if ('resources' in q) return q;
  const attrs = q.attrs.map((a) => [a.AttributeKey, a.AttributeValue]);
  const h = hashParams({ a: attrs, s: q.start ?? null, e: q.end ?? null, c: input.EventCategory ?? null, m: q.max });
  let cursor: LookupToken | null = null;
  if (input.NextToken !== undefined) {
    const tok = openToken<LookupToken>(ctx.secret, input.NextToken, 'dotted');
    const valid = tok && tok.v === 1 && tok.h === h && [tok.ts, tok.seq, tok.from, tok.to].every(Number.isFinite);
    if (!valid) return opError('InvalidNextTokenException', 'Invalid NextToken.');
    cursor = tok;
  }
  if (input.EventCategory === 'insight') return { body: '{"Events":[]}', resources: [] };
  const now = ctx.clock.now();
  const retentionMs = ctx.settings.retentionDays * DAY;
  // The first page resolves the window; later pages reuse it, so events recorded meanwhile stay out.
  const wFrom = cursor ? cursor.from : (q.start ?? now - retentionMs);
  const wTo = cursor ? cursor.to : (q.end ?? now);
  const { from, to } = ctx.store.clamp(Math.max(wFrom, now - retentionMs), wTo, now);
  const page = ctx.store.page({ from, to, order: 'desc', after: cursor ? { ts: cursor.ts, seq: cursor.seq } : undefined, filter: q.filter }, q.max);
  const last = page.entries[page.entries.length - 1];
  let tail = ']';
  if (page.more && last) {
    const token = sealToken(ctx.secret, { v: 1, ts: last.ts, seq: last.seq, from: wFrom, to: wTo, h } satisfies LookupToken, 'dotted');
    tail += `,"NextToken":${JSON.stringify(token)}`;
  }
  return {
    body: joinJson(
      undefined,
      '{"Events":[',
      page.entries.map((e) => eventJson(ctx, e)),
      tail + '}',
    ),
    resources: [],
  };
}

/** LookupEvents walked to its end over [from, to] with no attribute: the `lookup-events` feed's truth. */
export function lookupTruth(ctx: K2Context, from: number, to: number): unknown[] {
  return [...ctx.store.scan({ from, to, order: 'desc', all: true })].map((e) => JSON.parse(Buffer.from(eventJson(ctx, e)).toString('utf8')) as unknown);
}

/** The stored bytes, unless a switch changes the spelling or the record's fields. */
function eventJson(ctx: K2Context, e: Entry<K2Event>): Uint8Array {
  const { k2MemberSpelling, k2OnlyEventFields } = ctx.settings;
  if (!k2MemberSpelling && !k2OnlyEventFields) return ctx.store.bytes(e);
  const out = renderEvent(e.rec);
  if (k2OnlyEventFields) out.CloudTrailEvent = JSON.stringify(k2OnlyRecord(e.rec.record));
  let s = JSON.stringify(out);
  if (k2MemberSpelling) s = s.replace(/^\{"EventId":/, '{"EventID":');
  return Buffer.from(s);
}

function attributeFilter(key: string, value: string): (e: K2Event) => boolean {
  switch (key) {
    case 'EventId':
      return (e) => e.record.eventID === value;
    case 'EventName':
      return (e) => e.record.eventName === value;
    case 'ReadOnly': {
      const want = value.toLowerCase() === 'true';
      return (e) => e.record.readOnly === want;
    }
    case 'Username':
      return (e) => e.record.userName === value;
    case 'ResourceType':
      return (e) => e.resources.some((r) => r.ResourceType === value);
    case 'ResourceName':
      return (e) => e.resources.some((r) => r.ResourceName === value);
    case 'EventSource':
      return (e) => e.record.eventSource === value;
    default:
      return (e) => e.record.userIdentity?.accessKeyId === value;
  }
}
