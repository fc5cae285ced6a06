import type { components } from '../../openapi/generated/k2-cloudtrail.js';
import { isoSeconds } from '../core/time.js';
import { PERIOD_MS, type Delivery } from './delivery.js';
import { opError, type OpResult } from './operation.js';
import type { Resource } from './records.js';
import type { K2Context, TrailState } from './state.js';
import type { K2World } from './world.js';

type Schemas = components['schemas'];
// Members are present or not, but when present they have the model's types (parseBody checked them).
export type CreateTrailInput = Partial<Schemas['CreateTrailRequest']>;
export type UpdateTrailInput = Partial<Schemas['UpdateTrailRequest']>;
export type DescribeTrailsInput = Schemas['DescribeTrailsRequest'];
type Body = Record<string, unknown>;

export const MAX_TRAILS = 2;

export function trailArn(world: K2World, name: string): string {
  return `arn:aws:cloudtrail:${world.region}:${world.customer}:trail/${name}`;
}

/** CloudTrail's trail-name rules, with moto's messages. */
export function trailNameProblem(name: string): string | null {
  if (name.length < 3) return `Trail name too short. Minimum allowed length: 3 characters. Specified name length: ${name.length} characters.`;
  if (name.length > 128) return `Trail name too long. Maximum allowed length: 128 characters. Specified name length: ${name.length} characters.`;
  if (!/^[A-Za-z0-9]/.test(name)) return 'Trail name must starts with a letter or number.';
  if (!/[A-Za-z0-9]$/.test(name)) return 'Trail name must ends with a letter or number.';
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    return 'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).';
  }
  if (/[._-]{2}/.test(name)) return 'Trail name cannot contain consecutive special characters.';
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return 'Trail name must not be formatted as an IP address.';
  return null;
}

export function bucketNameValid(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !/\.\.|\.-|-\./.test(name);
}

const sec = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const nameOf = (input: Body) => (typeof input.Name === 'string' ? input.Name : '');

/** The trail an operation names: `Name`, else `TrailName` (the insight operations, AWS's event selectors). */
export const trailArgOf = (input: Body): string => (typeof input.Name === 'string' ? input.Name : typeof input.TrailName === 'string' ? input.TrailName : '');

/** Optional string members and the trail fields they set; '' clears a field. */
const OPTIONAL_STRINGS = [
  ['S3KeyPrefix', 's3KeyPrefix'],
  ['SnsTopicName', 'snsTopicName'],
  ['CloudWatchLogsLogGroupArn', 'cloudWatchLogsLogGroupArn'],
  ['CloudWatchLogsRoleArn', 'cloudWatchLogsRoleArn'],
  ['KmsKeyId', 'kmsKeyId'],
] as const;

/** The trail operations over the customer's trails in `ctx.state`. */
export class TrailOps {
  constructor(
    private readonly ctx: K2Context,
    private readonly world: K2World,
    private readonly delivery: Delivery,
  ) {}

  /** The trail a call names, for the recorded event's Resources. */
  resourcesOf(input: Body): Resource[] {
    const n = trailArgOf(input) || input.ResourceId;
    if (typeof n !== 'string' || n === '') return [];
    return [{ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: n.startsWith('arn:') ? n : trailArn(this.world, n) }];
  }

  deleteTrail(input: Body): Promise<OpResult> {
    return this.withTrail(input, async (t) => {
      await this.delivery.catchUp();
      const st = this.ctx.state;
      st.trails = st.trails.filter((x) => x !== t);
      return {};
    });
  }

  startLogging(input: Body): Promise<OpResult> {
    return this.withTrail(
      input,
      async (t) => {
        await this.delivery.catchUp();
        if (t.isLogging) return {};
        const now = this.ctx.clock.now();
        t.isLogging = true;
        t.startLoggingTime = now;
        t.deliveredUntil = Math.floor(now / PERIOD_MS) * PERIOD_MS;
        delete t.startPos;
        delete t.stopPos;
        return {};
      },
      false,
      (t) => (e) => {
        t.startPos = { ts: e.ts, seq: e.seq };
        // The call arrived before the instant the trail took; its period must still be delivered.
        t.deliveredUntil = Math.min(t.deliveredUntil, Math.floor(e.ts / PERIOD_MS) * PERIOD_MS);
      },
    );
  }

  stopLogging(input: Body): Promise<OpResult> {
    return this.withTrail(
      input,
      async (t) => {
        await this.delivery.catchUp();
        if (!t.isLogging) return {};
        t.isLogging = false;
        t.stopLoggingTime = this.ctx.clock.now();
        return {};
      },
      false,
      (t) => (e) => {
        if (!t.isLogging && t.stopPos === undefined) t.stopPos = { ts: e.ts, seq: e.seq };
      },
    );
  }

  getTrail(input: Body): Promise<OpResult> {
    return this.withTrail(input, async (t): Promise<Schemas['GetTrailResponse']> => ({ Trail: this.trailOut(t) }), true);
  }

  getTrailStatus(input: Body): Promise<OpResult> {
    return this.withTrail(
      input,
      async (t) => {
        await this.delivery.catchUp();
        return this.statusOut(t);
      },
      true,
    );
  }

  listTrails(): OpResult {
    const trails = this.ctx.state.trails.map((t) => ({ TrailARN: trailArn(this.world, t.name), Name: t.name, HomeRegion: this.world.region }));
    return { body: JSON.stringify({ Trails: trails } satisfies Schemas['ListTrailsResponse']), resources: [] };
  }

  describeTrails(input: DescribeTrailsInput): OpResult {
    const names = Array.isArray(input.trailNameList) ? input.trailNameList.filter((x): x is string => typeof x === 'string') : [];
    let trails = this.ctx.state.trails;
    if (names.length) trails = trails.filter((t) => names.includes(t.name) || names.includes(trailArn(this.world, t.name)));
    return {
      body: JSON.stringify({ trailList: trails.map((t) => this.trailOut(t)) } satisfies Schemas['DescribeTrailsResponse']),
      resources: trails.map((t) => ({ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: trailArn(this.world, t.name) })),
    };
  }

  async createTrail(input: CreateTrailInput): Promise<OpResult> {
    const name = nameOf(input);
    const refuse = (code: string, message: string): OpResult => ({ ...opError(code, message), resources: this.resourcesOf(input) });
    const problem = trailNameProblem(name);
    if (problem) return refuse('InvalidTrailNameException', problem);
    if (typeof input.S3BucketName !== 'string') return refuse('InvalidS3BucketNameException', 'Bucket name is not valid: ');
    const bad = this.checkMembers(input, { multi: input.IsMultiRegionTrail === true, global: input.IncludeGlobalServiceEvents !== false });
    if (bad) return { ...bad, resources: this.resourcesOf(input) };
    const tags = input.TagsList;
    if (Array.isArray(tags) && tags.length > 200) return refuse('TagsLimitExceededException', 'The number of tags exceeds the limit of 200.');
    const st = this.ctx.state;
    const { customer, region } = this.world;
    if (st.trails.some((t) => t.name === name)) return refuse('TrailAlreadyExistsException', `Trail ${name} already exists for customer: ${customer}`);
    if (st.trails.length >= MAX_TRAILS) {
      return refuse('MaximumNumberOfTrailsExceededException', `User: ${customer} already has ${MAX_TRAILS} trails in ${region}.`);
    }
    const bucket = input.S3BucketName;
    if (!st.buckets.some((b) => b.name === bucket)) return refuse('S3BucketDoesNotExistException', `S3 bucket ${bucket} does not exist!`);
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
    if (Array.isArray(input.TagsList)) t.tags = input.TagsList.filter(Boolean);
    // The state may have been replaced while delivery ran: add to the current one.
    this.ctx.state.trails.push(t);
    const out = this.writeOut(t);
    return { body: JSON.stringify(out), output: out, resources: this.resourcesOf(input) };
  }

  async updateTrail(given: UpdateTrailInput): Promise<OpResult> {
    const resources = this.resourcesOf(given);
    let input = given;
    if (this.ctx.settings.updateTrailStyle === 'k2') {
      // K2's model: "the only changeable parameter in our API version"; the others are ignored.
      if (typeof given.S3BucketName !== 'string') return { ...opError('InvalidParameterException', 'S3BucketName is required'), resources };
      input = { Name: given.Name, S3BucketName: given.S3BucketName };
    }
    const found = this.find(nameOf(input));
    if (!found.trail) return { ...found.error, resources };
    const t = found.trail;
    const multi = typeof input.IsMultiRegionTrail === 'boolean' ? input.IsMultiRegionTrail : t.isMultiRegionTrail;
    const global = typeof input.IncludeGlobalServiceEvents === 'boolean' ? input.IncludeGlobalServiceEvents : t.includeGlobalServiceEvents;
    const bad = this.checkMembers(input, { multi, global });
    if (bad) return { ...bad, resources };
    if (typeof input.S3BucketName === 'string' && !this.ctx.state.buckets.some((b) => b.name === input.S3BucketName)) {
      return { ...opError('S3BucketDoesNotExistException', `S3 bucket ${input.S3BucketName} does not exist!`), resources };
    }
    await this.delivery.catchUp();
    this.apply(t, input);
    const out = this.writeOut(t);
    return { body: JSON.stringify(out), output: out, resources };
  }

  /** The trail a name or ARN designates, or the operation's refusal. */
  find(value: string): { trail: TrailState; error?: undefined } | { trail?: undefined; error: OpResult } {
    const notFound = opError('TrailNotFoundException', `Unknown trail: ${value} for the user: ${this.world.customer}`, 'not-found');
    if (value.startsWith('arn:')) {
      const m = /^arn:aws:cloudtrail:([a-z0-9-]+):([^:]+):trail\/(.+)$/.exec(value);
      // The model lists InvalidTrailNameException for the trail operations; CloudTrailARNInvalidException is the tag operations'.
      if (!m || trailNameProblem(m[3])) return { error: opError('InvalidTrailNameException', `${value} is not a valid trail ARN.`) };
      if (m[2] !== this.world.customer || m[1] !== this.world.region) return { error: notFound };
      value = m[3];
    } else {
      const problem = trailNameProblem(value);
      if (problem) return { error: opError('InvalidTrailNameException', problem) };
    }
    const trail = this.ctx.state.trails.find((t) => t.name === value);
    return trail ? { trail } : { error: notFound };
  }

  private async withTrail(
    input: Body,
    fn: (t: TrailState) => Promise<Body>,
    readOnly = false,
    onRecorded?: (t: TrailState) => OpResult['onRecorded'],
  ): Promise<OpResult> {
    const found = this.find(nameOf(input));
    if (!found.trail) return { ...found.error, resources: this.resourcesOf(input) };
    const wasLogging = found.trail.isLogging;
    const out = await fn(found.trail);
    const resources = [{ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: trailArn(this.world, found.trail.name) }];
    // Only a call that changed the logging state marks where delivery starts or stops.
    const hook = onRecorded && wasLogging !== found.trail.isLogging ? onRecorded(found.trail) : undefined;
    return { body: JSON.stringify(out), output: readOnly ? undefined : out, resources, ...(hook ? { onRecorded: hook } : {}) };
  }

  /** The checks CreateTrail and UpdateTrail share, on the members present. */
  private checkMembers(input: UpdateTrailInput, merged: { multi: boolean; global: boolean }): OpResult | null {
    if (input.S3BucketName !== undefined && !bucketNameValid(input.S3BucketName)) {
      return opError('InvalidS3BucketNameException', `Bucket name is not valid: ${input.S3BucketName}`);
    }
    if (typeof input.S3KeyPrefix === 'string' && input.S3KeyPrefix.length > 200) return opError('InvalidS3PrefixException', 'Prefix is not valid.');
    if (typeof input.SnsTopicName === 'string' && input.SnsTopicName.length > 256) return opError('InvalidSnsTopicNameException', 'Topic name is not valid.');
    if (merged.multi && !merged.global) return opError('InvalidParameterCombinationException', 'Multi-Region trail must include global service events.');
    return null;
  }

  private apply(t: TrailState, input: UpdateTrailInput): void {
    if (input.S3BucketName !== undefined) t.s3BucketName = input.S3BucketName;
    for (const [k, field] of OPTIONAL_STRINGS) {
      const v = input[k];
      if (v === undefined) continue;
      if (v === '') delete t[field];
      else t[field] = v;
    }
    if (input.IncludeGlobalServiceEvents !== undefined) t.includeGlobalServiceEvents = input.IncludeGlobalServiceEvents;
    if (input.IsMultiRegionTrail !== undefined) t.isMultiRegionTrail = input.IsMultiRegionTrail;
    if (input.EnableLogFileValidation !== undefined) t.logFileValidationEnabled = input.EnableLogFileValidation;
    if (input.IsOrganizationTrail !== undefined) t.isOrganizationTrail = input.IsOrganizationTrail;
  }

  /** The members every trail shape starts with. */
  private common(t: TrailState) {
    const topic = t.snsTopicName;
    const sns = topic === undefined ? {} : { SnsTopicName: topic, SnsTopicARN: `arn:aws:sns:${this.world.region}:${this.world.customer}:${topic}` };
    return {
      Name: t.name,
      S3BucketName: t.s3BucketName,
      ...(t.s3KeyPrefix === undefined ? {} : { S3KeyPrefix: t.s3KeyPrefix }),
      ...sns,
      IncludeGlobalServiceEvents: t.includeGlobalServiceEvents,
      IsMultiRegionTrail: t.isMultiRegionTrail,
    };
  }

  private extras(t: TrailState) {
    return {
      LogFileValidationEnabled: t.logFileValidationEnabled,
      ...(t.cloudWatchLogsLogGroupArn === undefined ? {} : { CloudWatchLogsLogGroupArn: t.cloudWatchLogsLogGroupArn }),
      ...(t.cloudWatchLogsRoleArn === undefined ? {} : { CloudWatchLogsRoleArn: t.cloudWatchLogsRoleArn }),
      ...(t.kmsKeyId === undefined ? {} : { KmsKeyId: t.kmsKeyId }),
    };
  }

  /** CreateTrail / UpdateTrail output. */
  private writeOut(t: TrailState): Schemas['CreateTrailResponse'] {
    return { ...this.common(t), TrailARN: trailArn(this.world, t.name), ...this.extras(t), IsOrganizationTrail: t.isOrganizationTrail };
  }

  /** The `Trail` structure. */
  private trailOut(t: TrailState): Schemas['Trail'] {
    return {
      ...this.common(t),
      HomeRegion: this.world.region,
      TrailARN: trailArn(this.world, t.name),
      ...this.extras(t),
      HasCustomEventSelectors: t.eventSelectors !== undefined || t.advancedEventSelectors !== undefined,
      HasInsightSelectors: (t.insightSelectors?.length ?? 0) > 0,
      IsOrganizationTrail: t.isOrganizationTrail,
    };
  }

  private statusOut(t: TrailState): Schemas['GetTrailStatusResponse'] {
    const s = (ms: number | undefined) => (ms === undefined ? '' : isoSeconds(ms));
    return {
      IsLogging: t.isLogging,
      ...(t.latestDeliveryError ? { LatestDeliveryError: t.latestDeliveryError } : {}),
      ...(t.latestDeliveryTime === undefined ? {} : { LatestDeliveryTime: sec(t.latestDeliveryTime) }),
      ...(t.startLoggingTime === undefined ? {} : { StartLoggingTime: sec(t.startLoggingTime) }),
      ...(t.stopLoggingTime === undefined ? {} : { StopLoggingTime: sec(t.stopLoggingTime) }),
      LatestDeliveryAttemptTime: s(t.latestDeliveryAttemptTime),
      LatestNotificationAttemptTime: '',
      LatestNotificationAttemptSucceeded: '',
      LatestDeliveryAttemptSucceeded: s(t.latestDeliveryAttemptSucceeded),
      TimeLoggingStarted: s(t.startLoggingTime),
      TimeLoggingStopped: s(t.stopLoggingTime),
    };
  }
}
