import { randomUUID } from 'node:crypto';
import { listSwitch, numberSwitch } from '../core/config.js';
import { defineProvider } from '../core/provider.js';
import { isoSeconds } from '../core/time.js';
import { k2StatusError } from './errors.js';
import { buildWorld, generateDay, orderRecord, renderEvent, type CloudTrailRecord, type K2Event } from './events.js';
import { K2Api } from './ops.js';
import { Reports } from './reports.js';
import { k2Routes } from './routes.js';
import type { K2State } from './trails.js';
import { k2Client } from './client.js';

const DAY = 86_400_000;

const num = (v: unknown, dflt: number, min: number, max: number) => numberSwitch(v, dflt, { min, max, clamp: true });

export const k2 = defineProvider<K2Event>({
  id: 'k2',
  title: 'K2 Cloud Activity Log (CloudTrail-compatible)',
  portOffset: 4,
  hooks: k2Client,
  retentionDays: 30,
  specFile: 'openapi/k2-cloudtrail.yaml',
  recordSchema: 'CloudTrailRecordInput',
  timeOf: (e) => Date.parse(e.record.eventTime),
  render: renderEvent,
  idOf: (e) => e.record.eventID,
  summarize: (e) => ({
    actor: e.record.userName,
    action: e.record.eventName,
    outcome: e.record.errorCode ? 'failure' : 'success',
    target: e.resources[0] ? `${e.resources[0].ResourceType} ${e.resources[0].ResourceName}` : undefined,
    sourceIp: e.record.sourceIPAddress,
  }),
  create(ctx) {
    const cfg = ctx.config;
    const world = buildWorld(ctx.company, ctx.rng('world'), cfg);
    const now = ctx.clock.now();
    let state: K2State = {
      subscriptionActive: cfg.subscriptionActive !== false,
      buckets: world.initialBuckets.map((name) => ({ name, createdAt: now - 90 * DAY })),
      trails: [],
      objects: [],
      reports: [],
    };
    const st = () => state;
    const retentionDays = num(cfg.retentionDays, 30, 1, 30);
    const api = new K2Api(ctx, world, st, {
      maxResultsLimit: num(cfg.maxResultsLimit, 50, 1, 1000),
      retentionMs: retentionDays * DAY,
      memberSpelling: cfg.k2MemberSpelling === true,
      k2OnlyFields: cfg.k2OnlyEventFields === true,
    });
    const reports = new Reports(ctx, st, {
      generationMs: num(cfg.reportGenerationSeconds, 5, 0, 86_400) * 1000,
      retentionMs: num(cfg.reportRetentionDays, 3, 0, 365) * DAY,
    });
    const admin = world.users.find((u) => u.admin)!;
    const member = world.users.find((u) => !u.admin)!;
    const creds = (cfg.credentials as Record<string, unknown>) ?? {};
    const adminKey = typeof creds.accessKeyId === 'string' ? creds.accessKeyId : `${admin.projects[0]}:${admin.username}`;
    return {
      app: k2Routes(ctx, world, st, api, reports, {
        allowedRegions: listSwitch(cfg.allowedRegions, null),
        sourceIpForApiCalls: cfg.sourceIpForApiCalls === true,
        lookupEventsPerSecond: num(cfg.lookupEventsPerSecond, 0, 0, 10_000),
      }),
      credentials: {
        accessKeyId: adminKey,
        secretAccessKey: admin.secret,
        region: world.region,
        customer: world.customer,
        project: admin.projects[0],
        username: admin.username,
        nonAdmin: { accessKeyId: `${member.projects[0]}:${member.username}`, secretAccessKey: member.secret, username: member.username },
      },
      manifest: () => ({ customer: world.customer, region: world.region, buckets: state.buckets.map((b) => b.name) }),
      generate: (from, to, bucket) => generateDay(ctx.seed, world, from, to, bucket),
      normalize: (input) => {
        const r = input as Partial<CloudTrailRecord> & { eventTime: string; eventName: string; resources?: K2Event['resources'] };
        const { resources = [], ...rest } = r;
        const userName = rest.userName ?? admin.username;
        const project = rest.project ?? '';
        const record = orderRecord({
          eventVersion: '1.08',
          userIdentity: {
            type: 'IAMUser',
            principalId: userName,
            arn: `arn:aws:iam::${world.customer}:user/${userName.split('@')[0]}`,
            accountId: world.customer,
            accessKeyId: project ? `${project}:${userName}` : userName,
            userName,
          },
          eventSource: 'ec2.amazonaws.com',
          awsRegion: world.region,
          userAgent: '',
          requestParameters: {},
          responseElements: {},
          additionalEventData: {},
          requestID: randomUUID(),
          eventID: randomUUID(),
          readOnly: false,
          eventType: 'AwsApiCall',
          managementEvent: true,
          recipientAccountId: world.customer,
          eventCategory: 'Management',
          project,
          ...(rest as Record<string, unknown>),
          userName,
          eventTime: isoSeconds(Date.parse(rest.eventTime)),
        });
        return { record, resources };
      },
      error: (status, message) => k2StatusError(status, message),
      actorFor: (person) => {
        const u = world.users.find((x) => x.person?.id === person.id);
        return u && { userName: u.username, project: u.projects[0] };
      },
      persist: {
        save: () => structuredClone(state),
        load: (data) => {
          if (data && typeof data === 'object') state = structuredClone(data as K2State);
        },
      },
    };
  },
});
