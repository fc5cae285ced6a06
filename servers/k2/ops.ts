import { hashParams, openToken, sealToken } from '../core/cursor.js';
import { joinJson } from '../core/render.js';
import type { ProviderContext } from '../core/provider.js';
import { isoSeconds } from '../core/time.js';
import { k2OnlyRecord, renderEvent, type K2Event, type K2World } from './events.js';
import { timestampMs } from './input.js';
import { Delivery, MAX_TRAILS, PERIOD_MS, trailArn, type K2State, type TrailState } from './trails.js';

export interface OpError {
  type: string;
  message: string;
}

export interface OpResult {
  /** JSON of the output (text, or UTF-8 for LookupEvents pages), or an error. */
  body?: string | Uint8Array<ArrayBuffer>;
  error?: OpError;
  /** `responseElements` of the recorded event (write calls). */
  output?: Record<string, unknown>;
  resources: Array<{ ResourceType: string; ResourceName: string }>;
}

export interface K2Settings {
  maxResultsLimit: number;
  retentionMs: number;
  memberSpelling: boolean;
  k2OnlyFields: boolean;
}

const ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'];

interface LookupToken {
  v: 1;
  ts: number;
  seq: number;
  from: number;
  to: number;
  h: string;
}

const err = (type: string, message: string): OpResult => ({ error: { type, message }, resources: [] });

/** Trail-name rules of section 4.2, with moto's messages. */
export function trailNameProblem(name: string): string | null {
  if (name.length < 3) return `Trail name too short. Minimum allowed length: 3 characters. Specified name length: ${name.length} characters.`;
  if (name.length > 128) return `Trail name too long. Maximum allowed length: 128 characters. Specified name length: ${name.length} characters.`;
  if (!/^[A-Za-z0-9]/.test(name)) return 'Trail name must starts with a letter or number.';
  if (!/[A-Za-z0-9]$/.test(name)) return 'Trail name must ends with a letter or number.';
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return 'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).';
  if (/[._-]{2}/.test(name)) return 'Trail name cannot contain consecutive special characters.';
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return 'Trail name must not be formatted as an IP address.';
  return null;
}

export function bucketNameValid(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !/\.\.|\.-|-\./.test(name);
}

const sec = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export class K2Api {
  readonly delivery: Delivery;

  constructor(
    private readonly ctx: ProviderContext<K2Event>,
    private readonly world: K2World,
    private readonly state: () => K2State,
    private readonly settings: K2Settings,
  ) {
    this.delivery = new Delivery(ctx, world, state, settings.k2OnlyFields);
  }

  async run(op: string, input: Record<string, unknown>): Promise<OpResult> {
    switch (op) {
      case 'LookupEvents': return this.lookupEvents(input);
      case 'CreateTrail': return this.createTrail(input);
      case 'UpdateTrail': return this.updateTrail(input);
      case 'DeleteTrail': return this.withTrail(input, async (t) => {
        await this.delivery.catchUp();
        const st = this.state();
        st.trails = st.trails.filter((x) => x !== t);
        return {};
      });
      case 'StartLogging': return this.withTrail(input, async (t) => {
        await this.delivery.catchUp();
        if (!t.isLogging) {
          const now = this.ctx.clock.now();
          t.isLogging = true;
          t.startLoggingTime = now;
          t.deliveredUntil = Math.floor(now / PERIOD_MS) * PERIOD_MS;
        }
        return {};
      });
      case 'StopLogging': return this.withTrail(input, async (t) => {
        await this.delivery.catchUp();
        if (t.isLogging) {
          t.isLogging = false;
          t.stopLoggingTime = this.ctx.clock.now();
        }
        return {};
      });
      case 'GetTrail': return this.withTrail(input, async (t) => ({ Trail: this.trailOut(t) }), true);
      case 'GetTrailStatus': return this.withTrail(input, async (t) => {
        await this.delivery.catchUp();
        return this.statusOut(t);
      }, true);
      case 'DescribeTrails': return this.describeTrails(input);
      case 'ListTrails': {
        const trails = this.state().trails.map((t) => ({ TrailARN: trailArn(this.world, t.name), Name: t.name, HomeRegion: this.world.region }));
        return { body: JSON.stringify({ Trails: trails }), resources: [] };
      }
      default: return err('UnknownOperationException', `Unknown operation: ${op}`);
    }
  }

  /** The ARN a call names, for the recorded event's Resources. */
  resourcesOf(input: Record<string, unknown>): Array<{ ResourceType: string; ResourceName: string }> {
    const n = input.Name;
    if (typeof n !== 'string' || n === '') return [];
    return [{ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: n.startsWith('arn:') ? n : trailArn(this.world, n) }];
  }

  // ---- trails -------------------------------------------------------------------------------

  private find(value: string): { trail?: TrailState; error?: OpResult } {
    const notFound = err('TrailNotFoundException', `Unknown trail: ${value} for the user: ${this.world.customer}`);
    if (value.startsWith('arn:')) {
      const m = /^arn:aws:cloudtrail:([a-z0-9-]+):([^:]+):trail\/(.+)$/.exec(value);
      if (!m || trailNameProblem(m[3])) return { error: err('CloudTrailARNInvalidException', `${value} is not a valid trail ARN.`) };
      if (m[2] !== this.world.customer || m[1] !== this.world.region) return { error: notFound };
      value = m[3];
    } else {
      const problem = trailNameProblem(value);
      if (problem) return { error: err('InvalidTrailNameException', problem) };
    }
    const trail = this.state().trails.find((t) => t.name === value);
    return trail ? { trail } : { error: notFound };
  }

  private async withTrail(input: Record<string, unknown>, fn: (t: TrailState) => Promise<Record<string, unknown>>, readOnly = false): Promise<OpResult> {
    const name = typeof input.Name === 'string' ? input.Name : '';
    const resources = this.resourcesOf(input);
    const found = this.find(name);
    if (!found.trail) return { ...found.error!, resources };
    const out = await fn(found.trail);
    return { body: JSON.stringify(out), output: readOnly ? undefined : out, resources: [{ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: trailArn(this.world, found.trail.name) }] };
  }

  /** The checks CreateTrail and UpdateTrail share, on the members present. */
  private checkMembers(input: Record<string, unknown>, merged: { multi: boolean; global: boolean }): OpResult | null {
    if (input.S3BucketName !== undefined && !bucketNameValid(input.S3BucketName as string)) {
      return err('InvalidS3BucketNameException', `Bucket name is not valid: ${input.S3BucketName}`);
    }
    if (typeof input.S3KeyPrefix === 'string' && input.S3KeyPrefix.length > 200) return err('InvalidS3PrefixException', 'Prefix is not valid.');
    if (typeof input.SnsTopicName === 'string' && input.SnsTopicName.length > 256) return err('InvalidSnsTopicNameException', 'Topic name is not valid.');
    if (merged.multi && !merged.global) return err('InvalidParameterCombinationException', 'Multi-Region trail must include global service events.');
    return null;
  }

  private apply(t: TrailState, input: Record<string, unknown>): void {
    const str = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
    const bool = (k: string) => (typeof input[k] === 'boolean' ? (input[k] as boolean) : undefined);
    if (str('S3BucketName') !== undefined) t.s3BucketName = str('S3BucketName')!;
    for (const [k, field] of [['S3KeyPrefix', 's3KeyPrefix'], ['SnsTopicName', 'snsTopicName'], ['CloudWatchLogsLogGroupArn', 'cloudWatchLogsLogGroupArn'], ['CloudWatchLogsRoleArn', 'cloudWatchLogsRoleArn'], ['KmsKeyId', 'kmsKeyId']] as const) {
      const v = str(k);
      if (v !== undefined) {
        if (v === '') delete t[field];
        else t[field] = v;
      }
    }
    if (bool('IncludeGlobalServiceEvents') !== undefined) t.includeGlobalServiceEvents = bool('IncludeGlobalServiceEvents')!;
    if (bool('IsMultiRegionTrail') !== undefined) t.isMultiRegionTrail = bool('IsMultiRegionTrail')!;
    if (bool('EnableLogFileValidation') !== undefined) t.logFileValidationEnabled = bool('EnableLogFileValidation')!;
    if (bool('IsOrganizationTrail') !== undefined) t.isOrganizationTrail = bool('IsOrganizationTrail')!;
  }

  private async createTrail(input: Record<string, unknown>): Promise<OpResult> {
    const name = typeof input.Name === 'string' ? input.Name : '';
    const resources = this.resourcesOf(input);
    const problem = trailNameProblem(name);
    if (problem) return { ...err('InvalidTrailNameException', problem), resources };
    if (typeof input.S3BucketName !== 'string') return { ...err('InvalidS3BucketNameException', 'Bucket name is not valid: '), resources };
    const bad = this.checkMembers(input, { multi: input.IsMultiRegionTrail === true, global: input.IncludeGlobalServiceEvents !== false });
    if (bad) return { ...bad, resources };
    if (Array.isArray(input.TagsList) && input.TagsList.length > 200) return { ...err('TagsLimitExceededException', 'The number of tags exceeds the limit of 200.'), resources };
    const st = this.state();
    if (st.trails.some((t) => t.name === name)) return { ...err('TrailAlreadyExistsException', `Trail ${name} already exists for customer: ${this.world.customer}`), resources };
    if (st.trails.length >= MAX_TRAILS) return { ...err('MaximumNumberOfTrailsExceededException', `User: ${this.world.customer} already has ${MAX_TRAILS} trails in ${this.world.region}.`), resources };
    if (!st.buckets.some((b) => b.name === input.S3BucketName)) return { ...err('S3BucketDoesNotExistException', `S3 bucket ${input.S3BucketName} does not exist!`), resources };
    await this.delivery.catchUp();
    const t: TrailState = {
      name,
      s3BucketName: input.S3BucketName,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: false,
      logFileValidationEnabled: false,
      isOrganizationTrail: false,
      isLogging: false,
      deliveredUntil: 0,
    };
    this.apply(t, input);
    if (Array.isArray(input.TagsList)) t.tags = (input.TagsList as Array<{ Key: string; Value?: string }>).filter(Boolean);
    st.trails.push(t);
    const out = this.writeOut(t);
    return { body: JSON.stringify(out), output: out, resources };
  }

  private async updateTrail(input: Record<string, unknown>): Promise<OpResult> {
    const name = typeof input.Name === 'string' ? input.Name : '';
    const resources = this.resourcesOf(input);
    const found = this.find(name);
    if (!found.trail) return { ...found.error!, resources };
    const t = found.trail;
    const multi = typeof input.IsMultiRegionTrail === 'boolean' ? input.IsMultiRegionTrail : t.isMultiRegionTrail;
    const global = typeof input.IncludeGlobalServiceEvents === 'boolean' ? input.IncludeGlobalServiceEvents : t.includeGlobalServiceEvents;
    const bad = this.checkMembers(input, { multi, global });
    if (bad) return { ...bad, resources };
    if (typeof input.S3BucketName === 'string' && !this.state().buckets.some((b) => b.name === input.S3BucketName)) {
      return { ...err('S3BucketDoesNotExistException', `S3 bucket ${input.S3BucketName} does not exist!`), resources };
    }
    await this.delivery.catchUp();
    this.apply(t, input);
    const out = this.writeOut(t);
    return { body: JSON.stringify(out), output: out, resources };
  }

  private describeTrails(input: Record<string, unknown>): OpResult {
    const names = Array.isArray(input.trailNameList) ? (input.trailNameList as unknown[]).filter((x): x is string => typeof x === 'string') : [];
    let trails = this.state().trails;
    if (names.length) trails = trails.filter((t) => names.includes(t.name) || names.includes(trailArn(this.world, t.name)));
    return {
      body: JSON.stringify({ trailList: trails.map((t) => this.trailOut(t)) }),
      resources: trails.map((t) => ({ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: trailArn(this.world, t.name) })),
    };
  }

  private common(t: TrailState): Record<string, unknown> {
    const o: Record<string, unknown> = { Name: t.name, S3BucketName: t.s3BucketName };
    if (t.s3KeyPrefix !== undefined) o.S3KeyPrefix = t.s3KeyPrefix;
    if (t.snsTopicName !== undefined) {
      o.SnsTopicName = t.snsTopicName;
      o.SnsTopicARN = `arn:aws:sns:${this.world.region}:${this.world.customer}:${t.snsTopicName}`;
    }
    o.IncludeGlobalServiceEvents = t.includeGlobalServiceEvents;
    o.IsMultiRegionTrail = t.isMultiRegionTrail;
    return o;
  }

  private extras(t: TrailState, o: Record<string, unknown>): void {
    o.LogFileValidationEnabled = t.logFileValidationEnabled;
    if (t.cloudWatchLogsLogGroupArn !== undefined) o.CloudWatchLogsLogGroupArn = t.cloudWatchLogsLogGroupArn;
    if (t.cloudWatchLogsRoleArn !== undefined) o.CloudWatchLogsRoleArn = t.cloudWatchLogsRoleArn;
    if (t.kmsKeyId !== undefined) o.KmsKeyId = t.kmsKeyId;
  }

  /** CreateTrail / UpdateTrail output. */
  private writeOut(t: TrailState): Record<string, unknown> {
    const o = this.common(t);
    o.TrailARN = trailArn(this.world, t.name);
    this.extras(t, o);
    o.IsOrganizationTrail = t.isOrganizationTrail;
    return o;
  }

  /** The `Trail` structure. */
  private trailOut(t: TrailState): Record<string, unknown> {
    const o = this.common(t);
    o.HomeRegion = this.world.region;
    o.TrailARN = trailArn(this.world, t.name);
    this.extras(t, o);
    o.HasCustomEventSelectors = false;
    o.HasInsightSelectors = false;
    o.IsOrganizationTrail = t.isOrganizationTrail;
    return o;
  }

  private statusOut(t: TrailState): Record<string, unknown> {
    const o: Record<string, unknown> = { IsLogging: t.isLogging };
    if (t.latestDeliveryError) o.LatestDeliveryError = t.latestDeliveryError;
    if (t.latestDeliveryTime !== undefined) o.LatestDeliveryTime = sec(t.latestDeliveryTime);
    if (t.startLoggingTime !== undefined) o.StartLoggingTime = sec(t.startLoggingTime);
    if (t.stopLoggingTime !== undefined) o.StopLoggingTime = sec(t.stopLoggingTime);
    const s = (ms: number | undefined) => (ms === undefined ? '' : isoSeconds(ms));
    o.LatestDeliveryAttemptTime = s(t.latestDeliveryAttemptTime);
    o.LatestNotificationAttemptTime = '';
    o.LatestNotificationAttemptSucceeded = '';
    o.LatestDeliveryAttemptSucceeded = s(t.latestDeliveryAttemptSucceeded);
    o.TimeLoggingStarted = s(t.startLoggingTime);
    o.TimeLoggingStopped = s(t.stopLoggingTime);
    return o;
  }

  // ---- LookupEvents -------------------------------------------------------------------------

  private lookupEvents(input: Record<string, unknown>): OpResult {
    const limit = this.settings.maxResultsLimit;
    const max = input.MaxResults === undefined ? 50 : (input.MaxResults as number);
    if (max < 1 || max > limit) return err('InvalidMaxResultsException', `MaxResults must be between 1 and ${limit}.`);
    const attrs = (Array.isArray(input.LookupAttributes) ? input.LookupAttributes : []).filter(Boolean) as Array<{ AttributeKey?: string; AttributeValue?: string }>;
    if (attrs.length > 1) return err('InvalidLookupAttributesException', 'You can specify only one lookup attribute.');
    let filter: ((e: K2Event) => boolean) | undefined;
    if (attrs.length === 1) {
      const { AttributeKey: key, AttributeValue: value } = attrs[0];
      if (key === undefined || !ATTRIBUTE_KEYS.includes(key)) return err('InvalidLookupAttributesException', `Invalid AttributeKey: ${key ?? ''}.`);
      if (value === undefined || value.length < 1 || value.length > 2000) return err('InvalidLookupAttributesException', 'AttributeValue must be 1 to 2000 characters long.');
      if (key === 'ReadOnly' && !/^(true|false)$/i.test(value)) return err('InvalidLookupAttributesException', `Invalid value for the ReadOnly attribute: ${value}. Use true or false.`);
      filter = attributeFilter(key, value);
    }
    const start = input.StartTime === undefined ? undefined : timestampMs(input.StartTime)!;
    const end = input.EndTime === undefined ? undefined : timestampMs(input.EndTime)!;
    if (start !== undefined && end !== undefined && start > end) return err('InvalidTimeRangeException', 'StartTime must not be after EndTime.');
    if (input.EventCategory !== undefined && input.EventCategory !== 'insight') return err('InvalidEventCategoryException', `Invalid EventCategory: ${input.EventCategory}.`);
    const h = hashParams({ a: attrs.map((a) => [a.AttributeKey, a.AttributeValue]), s: start ?? null, e: end ?? null, c: input.EventCategory ?? null, m: max });
    const now = this.ctx.clock.now();
    let cursor: LookupToken | null = null;
    if (input.NextToken !== undefined) {
      const tok = openToken<LookupToken>(this.ctx.secret, input.NextToken as string, 'dotted');
      if (!tok || tok.v !== 1 || tok.h !== h || ![tok.ts, tok.seq, tok.from, tok.to].every(Number.isFinite)) return err('InvalidNextTokenException', 'Invalid NextToken.');
      cursor = tok;
    }
    if (input.EventCategory === 'insight') return { body: '{"Events":[]}', resources: [] };
    // The first page resolves the window; later pages reuse it, so events recorded meanwhile stay out.
    const wFrom = cursor ? cursor.from : start ?? now - this.settings.retentionMs;
    const wTo = cursor ? cursor.to : end ?? now;
    const { from, to } = this.ctx.store.clamp(Math.max(wFrom, now - this.settings.retentionMs), wTo, now);
    const page = this.ctx.store.page({ from, to, order: 'desc', after: cursor ? { ts: cursor.ts, seq: cursor.seq } : undefined, filter }, max);
    const last = page.entries[page.entries.length - 1];
    let tail = ']';
    if (page.more && last) tail += `,"NextToken":${JSON.stringify(sealToken(this.ctx.secret, { v: 1, ts: last.ts, seq: last.seq, from: wFrom, to: wTo, h } satisfies LookupToken, 'dotted'))}`;
    return { body: joinJson(undefined, '{"Events":[', page.entries.map((e) => this.eventJson(e)), tail + '}'), resources: [] };
  }

  private eventJson(e: import('../core/store.js').Entry<K2Event>): Uint8Array {
    if (!this.settings.memberSpelling && !this.settings.k2OnlyFields) return this.ctx.store.bytes(e);
    const out = renderEvent(e.rec);
    if (this.settings.k2OnlyFields) out.CloudTrailEvent = JSON.stringify(k2OnlyRecord(e.rec.record));
    let s = JSON.stringify(out);
    if (this.settings.memberSpelling) s = s.replace(/^\{"EventId":/, '{"EventID":');
    return Buffer.from(s);
  }
}

export function attributeFilter(key: string, value: string): (e: K2Event) => boolean {
  switch (key) {
    case 'EventId': return (e) => e.record.eventID === value;
    case 'EventName': return (e) => e.record.eventName === value;
    case 'ReadOnly': {
      const want = value.toLowerCase() === 'true';
      return (e) => e.record.readOnly === want;
    }
    case 'Username': return (e) => e.record.userName === value;
    case 'ResourceType': return (e) => e.resources.some((r) => r.ResourceType === value);
    case 'ResourceName': return (e) => e.resources.some((r) => r.ResourceName === value);
    case 'EventSource': return (e) => e.record.eventSource === value;
    default: return (e) => e.record.userIdentity?.accessKeyId === value;
  }
}
