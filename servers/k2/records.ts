import { randomUUID } from 'node:crypto';
import type { components } from '../../openapi/generated/k2-cloudtrail.js';
import { isoSeconds } from '../core/time.js';
import { firstAdmin, type K2User, type K2World } from './world.js';

type Schemas = components['schemas'];
type Bag = Record<string, unknown>;
type WireRecord = Schemas['CloudTrailRecord'];
type Optional = 'sourceIPAddress' | 'errorCode' | 'errorMessage';

export type Resource = Schemas['Resource'];
/** A LookupEvents `Event`. */
export type K2EventItem = Schemas['Event'];
export type RecordInputBody = Schemas['CloudTrailRecordInput'];

/**
 * The `CloudTrailEvent` record as stored: every field K2 writes is present, the three bags hold
 * any JSON (the spec leaves them open), and the version is whatever an injected record said.
 * Key order is fixed by `makeRecord` and `orderRecord`.
 */
export type CloudTrailRecord = Omit<Required<WireRecord>, Optional | 'eventVersion' | 'requestParameters' | 'responseElements' | 'additionalEventData'> &
  Pick<WireRecord, Optional> & { eventVersion: string; requestParameters: Bag; responseElements: Bag; additionalEventData: Bag };

/** One stored event: the record plus the outer `Resources` (not part of K2's record). */
export interface K2Event {
  record: CloudTrailRecord;
  resources: Resource[];
}

export interface RecordInput {
  time: number;
  user: K2User;
  customer: string;
  region: string;
  accessKeyId: string;
  project: string;
  source: string;
  name: string;
  readOnly: boolean;
  userAgent: string;
  sourceIp?: string;
  error?: { code: string; message: string };
  requestParameters: Bag;
  responseElements: Bag;
  requestId: string;
  eventId: string;
  eventType?: WireRecord['eventType'];
}

// Records are never mutated once made, so identical parts are shared between them: every call a
// caller makes has the same userIdentity, and most carry empty objects (memory per recorded call).
const EMPTY: Bag = {};
const identities = new Map<string, CloudTrailRecord['userIdentity']>();

function identity(i: RecordInput): CloudTrailRecord['userIdentity'] {
  const key = `${i.customer}|${i.user.username}|${i.accessKeyId}`;
  let id = identities.get(key);
  if (!id) {
    const arn = `arn:aws:iam::${i.customer}:user/${i.user.name}`;
    id = { type: 'IAMUser', principalId: i.user.username, arn, accountId: i.customer, accessKeyId: i.accessKeyId, userName: i.user.username };
    if (identities.size > 10_000) identities.clear();
    identities.set(key, id);
  }
  return id;
}

const shareEmpty = (o: Bag) => (Object.keys(o).length === 0 ? EMPTY : o);

/** The record with K2's documented key order, so one event always serializes the same way. */
export function makeRecord(i: RecordInput): CloudTrailRecord {
  const r = {
    eventVersion: '1.08',
    userIdentity: identity(i),
    eventTime: isoSeconds(i.time),
    eventSource: i.source,
    eventName: i.name,
    awsRegion: i.region,
  } as CloudTrailRecord;
  if (i.sourceIp !== undefined) r.sourceIPAddress = i.sourceIp;
  r.userAgent = i.userAgent;
  if (i.error) {
    r.errorCode = i.error.code;
    r.errorMessage = i.error.message;
  }
  r.requestParameters = shareEmpty(i.requestParameters);
  // Read-only methods and failed calls always carry {}, as K2 documents.
  r.responseElements = i.readOnly || i.error ? EMPTY : shareEmpty(i.responseElements);
  r.additionalEventData = EMPTY;
  r.requestID = i.requestId;
  r.eventID = i.eventId;
  r.readOnly = i.readOnly;
  r.eventType = i.eventType ?? 'AwsApiCall';
  r.managementEvent = true;
  r.recipientAccountId = i.customer;
  r.eventCategory = 'Management';
  r.project = i.project;
  r.userName = i.user.username;
  return r;
}

const RECORD_ORDER = [
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'requestID',
  'eventID',
  'readOnly',
  'eventType',
  'managementEvent',
  'recipientAccountId',
  'eventCategory',
  'project',
  'userName',
] as const satisfies ReadonlyArray<keyof CloudTrailRecord>;

/** A record's keys in K2's documented order (injected records arrive in any order). */
export function orderRecord(r: Bag): CloudTrailRecord {
  const out: Bag = {};
  for (const k of RECORD_ORDER) if (r[k] !== undefined) out[k] = r[k];
  return out as unknown as CloudTrailRecord;
}

/** An injected record with K2's defaults filled in; its `resources` become the outer Resources. */
export function normalizeInput(world: K2World, input: RecordInputBody): K2Event {
  const { resources = [], ...rest } = input;
  const userName = rest.userName ?? firstAdmin(world).username;
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
    ...rest,
    userName,
    eventTime: isoSeconds(Date.parse(rest.eventTime)),
  });
  return { record, resources };
}

/** The LookupEvents `Event` of a stored event. */
export function renderEvent(e: K2Event): K2EventItem {
  const r = e.record;
  return {
    EventId: r.eventID,
    EventName: r.eventName,
    ReadOnly: r.readOnly ? 'true' : 'false',
    AccessKeyId: r.userIdentity?.accessKeyId ?? '',
    EventTime: Math.floor(Date.parse(r.eventTime) / 1000),
    EventSource: r.eventSource,
    Username: r.userName,
    Resources: e.resources,
    CloudTrailEvent: JSON.stringify(r),
    Project: r.project,
  };
}

const K2_FIELDS = [
  'additionalEventData',
  'errorCode',
  'errorMessage',
  'eventID',
  'eventName',
  'eventTime',
  'eventType',
  'project',
  'readOnly',
  'recipientAccountId',
  'requestID',
  'requestParameters',
  'responseElements',
  'sourceIPAddress',
  'userName',
] as const satisfies ReadonlyArray<keyof CloudTrailRecord>;

/** Only K2's documented record fields (switch `k2.k2OnlyEventFields`). */
export function k2OnlyRecord(r: CloudTrailRecord): Bag {
  const out: Bag = {};
  for (const k of K2_FIELDS) if (r[k] !== undefined) out[k] = r[k];
  return out;
}
