import type { Company, Person } from '../../fixtures/company.js';
import { ACTIONS, AGENTS, FAILURES, PROJECT_NAMES, RESOURCE_PREFIX, SYSTEM_ACTIONS, type K2Action } from '../../fixtures/catalogues/k2.js';
import { daySessions, sessionTimes } from '../core/rhythm.js';
import { Rng, hashSeed } from '../core/rng.js';
import { isoSeconds } from '../core/time.js';

export interface Resource {
  ResourceType: string;
  ResourceName: string;
}

/** The `CloudTrailEvent` record (section 5.2); key order is fixed by `makeRecord`. */
export interface CloudTrailRecord {
  eventVersion: string;
  userIdentity: { type: string; principalId: string; arn: string; accountId: string; accessKeyId: string; userName: string };
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress?: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown>;
  responseElements: Record<string, unknown>;
  additionalEventData: Record<string, unknown>;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  eventType: string;
  managementEvent: boolean;
  recipientAccountId: string;
  eventCategory: string;
  project: string;
  userName: string;
}

/** One stored event: the record plus the outer `Resources` (not part of K2's record). */
export interface K2Event {
  record: CloudTrailRecord;
  resources: Resource[];
}

export interface K2User {
  /** `ivan.petrov` */
  name: string;
  /** `ivan.petrov@<customer>` */
  username: string;
  person: Person | null;
  secret: string;
  projects: string[];
  admin: boolean;
}

export interface K2World {
  customer: string;
  region: string;
  projects: string[];
  users: K2User[];
  system: K2User;
  /** Access key id (project-scoped or base) to its user and project. */
  keys: Map<string, { user: K2User; project: string }>;
  initialBuckets: string[];
}

/** `project:user@customer` split as section 3.2 says: project before the first ':', customer after the last '@'. */
export function splitAccessKey(akid: string): { project: string; user: string; customer: string } | null {
  const at = akid.lastIndexOf('@');
  if (at <= 0 || at === akid.length - 1) return null;
  const colon = akid.indexOf(':');
  const project = colon >= 0 && colon < at ? akid.slice(0, colon) : '';
  const user = akid.slice(colon >= 0 && colon < at ? colon + 1 : 0, at);
  return user ? { project, user, customer: akid.slice(at + 1) } : null;
}

function secretOf(rng: Rng): string {
  return rng.bytes(30).toString('base64').replace(/[+/]/g, 'x');
}

export function buildWorld(company: Company, rng: Rng, config: Record<string, unknown>): K2World {
  const customer = company.slug.split('-')[0];
  const region = typeof config.region === 'string' ? config.region : 'ru-msk';
  const projects = PROJECT_NAMES.slice(0, 5);
  const people = company.people.filter((p) => p.role !== 'finance' && p.role !== 'support');
  const users: K2User[] = people.map((person) => {
    const name = person.email.split('@')[0];
    const n = rng.int(1, 3);
    const own = new Set<string>();
    while (own.size < n) own.add(rng.pick(projects));
    return {
      name,
      username: `${name}@${customer}`,
      person,
      secret: secretOf(rng),
      projects: [...own].sort(),
      admin: person.role === 'admin' || person.role === 'security',
    };
  });
  const system: K2User = { name: 'system', username: `system@${customer}`, person: null, secret: secretOf(rng), projects, admin: false };
  const keys = new Map<string, { user: K2User; project: string }>();
  for (const user of users) {
    keys.set(user.username, { user, project: '' });
    for (const p of user.projects) keys.set(`${p}:${user.username}`, { user, project: p });
  }
  // Credential overrides from the config file: the first administrator's key and secret.
  const creds = (config.credentials as Record<string, unknown>) ?? {};
  const admin = users.find((u) => u.admin)!;
  if (typeof creds.secretAccessKey === 'string') admin.secret = creds.secretAccessKey;
  if (typeof creds.accessKeyId === 'string') {
    const parts = splitAccessKey(creds.accessKeyId);
    keys.set(creds.accessKeyId, { user: admin, project: parts?.project ?? '' });
  }
  const seeded = Array.isArray(config.buckets) ? config.buckets.filter((b): b is string => typeof b === 'string') : null;
  return {
    customer,
    region,
    projects,
    users,
    system,
    keys,
    initialBuckets: seeded ?? [`${customer}-activity-log`, `${customer}-backups`],
  };
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
  requestParameters: Record<string, unknown>;
  responseElements: Record<string, unknown>;
  requestId: string;
  eventId: string;
  eventType?: string;
}

// Records are never mutated once made, so identical parts are shared between them: every call a
// caller makes has the same userIdentity, and most carry empty objects (memory per recorded call).
const EMPTY: Record<string, unknown> = {};
const identities = new Map<string, CloudTrailRecord['userIdentity']>();

function identity(i: RecordInput): CloudTrailRecord['userIdentity'] {
  const key = `${i.customer}|${i.user.username}|${i.accessKeyId}`;
  let id = identities.get(key);
  if (!id) {
    id = { type: 'IAMUser', principalId: i.user.username, arn: `arn:aws:iam::${i.customer}:user/${i.user.name}`, accountId: i.customer, accessKeyId: i.accessKeyId, userName: i.user.username };
    if (identities.size > 10_000) identities.clear();
    identities.set(key, id);
  }
  return id;
}

const shareEmpty = (o: Record<string, unknown>) => (Object.keys(o).length === 0 ? EMPTY : o);

/** The record with the key order of section 5.2, so one event always serializes the same way. */
export function makeRecord(i: RecordInput): CloudTrailRecord {
  const r: CloudTrailRecord = {
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
  // Read-only methods and failed calls always carry {} (section 5.2).
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
  'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorCode',
  'errorMessage', 'requestParameters', 'responseElements', 'additionalEventData', 'requestID', 'eventID', 'readOnly', 'eventType',
  'managementEvent', 'recipientAccountId', 'eventCategory', 'project', 'userName',
];

/** A record's keys in the fixed order of section 5.2 (injected records arrive in any order). */
export function orderRecord(r: Record<string, unknown>): CloudTrailRecord {
  const out: Record<string, unknown> = {};
  for (const k of RECORD_ORDER) if (r[k] !== undefined) out[k] = r[k];
  return out as unknown as CloudTrailRecord;
}

/** The LookupEvents `Event` of a stored event (section 5.1). */
export function renderEvent(e: K2Event): Record<string, unknown> {
  const r = e.record;
  return {
    EventId: r.eventID,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly),
    AccessKeyId: r.userIdentity?.accessKeyId ?? '',
    EventTime: Math.floor(Date.parse(r.eventTime) / 1000),
    EventSource: r.eventSource,
    Username: r.userName,
    Resources: e.resources,
    CloudTrailEvent: JSON.stringify(r),
    Project: r.project,
  };
}

/** Only K2's documented record fields (switch `k2.k2OnlyEventFields`). */
export function k2OnlyRecord(r: CloudTrailRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['additionalEventData', 'errorCode', 'errorMessage', 'eventID', 'eventName', 'eventTime', 'eventType', 'project', 'readOnly', 'recipientAccountId', 'requestID', 'requestParameters', 'responseElements', 'sourceIPAddress', 'userName'] as const) {
    if (r[k] !== undefined) out[k] = r[k];
  }
  return out;
}

function resourceId(rng: Rng, type: string): string {
  const prefix = RESOURCE_PREFIX[type];
  if (prefix) return prefix + rng.hex(8).toUpperCase();
  switch (type) {
    case 'AWS::EC2::EIP': return `185.12.${rng.int(28, 31)}.${rng.int(2, 254)}`;
    case 'AWS::EC2::KeyPair': return `key-${rng.pick(['deploy', 'ci', 'admin', 'bastion'])}-${rng.int(1, 9)}`;
    case 'AWS::CloudWatch::Alarm': return `${rng.pick(['cpu-high', 'disk-full', 'mem-high'])}-${rng.hex(4)}`;
    case 'AWS::AutoScaling::AutoScalingGroup': return `asg-${rng.pick(['web', 'worker', 'k8s-nodes'])}`;
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer': return `lb-${rng.hex(6)}`;
    case 'AWS::ElasticLoadBalancingV2::TargetGroup': return `tg-${rng.hex(6)}`;
    case 'AWS::EKS::Cluster': return `k8s-${rng.pick(['prod', 'stage', 'batch'])}`;
    case 'AWS::IAM::User': return `${rng.pick(['ci-bot', 'backup', 'monitoring'])}`;
    case 'AWS::IAM::Group': return rng.pick(['Developers', 'Operators', 'ActivityLogAdministrators']);
    default: return rng.hex(8);
  }
}

const INSTANCE_STATE: Record<string, { code: number; name: string }> = {
  RunInstances: { code: 0, name: 'pending' },
  StartInstances: { code: 0, name: 'pending' },
  StopInstances: { code: 64, name: 'stopping' },
  TerminateInstances: { code: 32, name: 'shutting-down' },
};

/** EC2 query-to-JSON style parameters and output for one call (section 9.3). */
function callBody(rng: Rng, a: K2Action, id: string): { req: Record<string, unknown>; res: Record<string, unknown> } {
  if (a.readOnly) {
    if (a.name === 'DescribeInstances') return { req: { instancesSet: {}, filterSet: {} }, res: {} };
    if (a.name === 'GetMetricStatistics') return { req: { namespace: 'AWS/EC2', metricName: rng.pick(['CPUUtilization', 'NetworkIn', 'DiskReadOps']), period: 300 }, res: {} };
    return { req: {}, res: {} };
  }
  switch (a.resourceType) {
    case 'AWS::EC2::Instance': {
      if (a.name === 'RunInstances') {
        return {
          req: { instancesSet: { items: [{ imageId: `cmi-${rng.hex(8).toUpperCase()}`, minCount: 1, maxCount: 1 }] }, instanceType: rng.pick(['m5.large', 'c5.xlarge', 'r5.2xlarge']) },
          res: { reservationId: `r-${rng.hex(8).toUpperCase()}`, instancesSet: { items: [{ instanceId: id, currentState: INSTANCE_STATE.RunInstances }] } },
        };
      }
      if (a.name === 'ModifyInstanceAttribute') return { req: { instanceId: id, instanceType: { value: rng.pick(['m5.large', 'c5.2xlarge']) } }, res: { _return: true } };
      const req: Record<string, unknown> = { instancesSet: { items: [{ instanceId: id }] } };
      if (a.name === 'StopInstances') req.force = false;
      const state = INSTANCE_STATE[a.name];
      return { req, res: state ? { instancesSet: { items: [{ instanceId: id, currentState: state }] } } : { _return: true } };
    }
    case 'AWS::EC2::SecurityGroup':
      if (a.name === 'CreateSecurityGroup') return { req: { groupName: `sg-${rng.pick(['web', 'db', 'ssh'])}`, groupDescription: 'managed' }, res: { groupId: id, _return: true } };
      return {
        req: { groupId: id, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: rng.pick([22, 80, 443, 5432]), toPort: 443, ipRanges: { items: [{ cidrIp: rng.pick(['0.0.0.0/0', '10.0.0.0/8', '203.0.113.0/24']) }] } }] } },
        res: { _return: true },
      };
    case 'AWS::EC2::Volume':
      if (a.name === 'CreateVolume') return { req: { size: rng.pick([8, 32, 100, 500]), availabilityZone: 'ru-msk-comp1p', volumeType: 'gp2' }, res: { volumeId: id, status: 'creating' } };
      return { req: { volumeId: id }, res: { volumeId: id, _return: true } };
    case 'AWS::EC2::EIP':
      return { req: { publicIp: id }, res: { publicIp: id, _return: true } };
    default:
      return { req: { name: id }, res: { _return: true } };
  }
}

const TYPES_BY_NAME = new Map(ACTIONS.map((a) => [a.name, a]));

/** One day of history for the customer, derived from (seed, bucket) only. */
export function generateDay(seed: number, world: K2World, from: number, to: number, bucket: number): K2Event[] {
  const rng = new Rng(hashSeed(seed, 'k2', bucket));
  const out: K2Event[] = [];
  const humans = world.users.filter((u) => u.person);
  const byPerson = new Map(humans.map((u) => [u.person!, u]));
  const base = { customer: world.customer, region: world.region };

  const apiCall = (t: number, user: K2User, project: string, a: K2Action, agent: string, console: boolean) => {
    const id = a.resourceType ? resourceId(rng, a.resourceType) : '';
    const { req, res } = callBody(rng, a, id);
    const failed = rng.chance(0.02) ? rng.weighted(FAILURES) : null;
    out.push({
      record: makeRecord({
        ...base, time: t, user, project, accessKeyId: console ? '' : `${project}:${user.username}`,
        source: a.source, name: a.name, readOnly: a.readOnly, userAgent: agent,
        error: failed ? { code: failed.code, message: failed.message } : undefined,
        requestParameters: req, responseElements: res, requestId: rng.uuid(), eventId: rng.uuid(),
      }),
      resources: a.resourceType ? [{ ResourceType: a.resourceType, ResourceName: id }] : [],
    });
  };
  const consoleEvent = (t: number, user: K2User, project: string, kind: 'AwsConsoleSignIn' | 'AwsConsoleSignOut' | 'AwsConsoleAutoSignOut', ip: string, agent: string) => {
    const name = { AwsConsoleSignIn: 'ConsoleLogin', AwsConsoleSignOut: 'ConsoleLogout', AwsConsoleAutoSignOut: 'ConsoleAutoLogout' }[kind];
    out.push({
      record: makeRecord({
        ...base, time: t, user, project, accessKeyId: '', source: 'signin.amazonaws.com', name, readOnly: false,
        userAgent: agent, sourceIp: ip, requestParameters: {}, responseElements: kind === 'AwsConsoleSignIn' ? { ConsoleLogin: 'Success' } : {},
        requestId: rng.uuid(), eventId: rng.uuid(), eventType: kind,
      }),
      resources: [],
    });
  };

  for (const s of daySessions(rng, humans.map((u) => u.person!), from, 6)) {
    const user = byPerson.get(s.person)!;
    const project = rng.pick(user.projects);
    const agentPick = rng.weighted(AGENTS).agent;
    const console = agentPick === 'console';
    const agent = console ? s.person.userAgent : agentPick;
    const times = sessionTimes(rng, s.start, rng.int(2, 12), [2_000, 90_000]);
    const ip = s.offHours ? s.person.homeIp : s.person.officeIp;
    if (console) consoleEvent(Math.max(from, s.start - rng.int(5_000, 60_000)), user, project, 'AwsConsoleSignIn', ip, agent);
    for (const t of times) apiCall(t, user, project, rng.weighted(ACTIONS), agent, console);
    if (console && rng.chance(0.8)) {
      const end = times[times.length - 1] + rng.int(10_000, 600_000);
      if (end < to) consoleEvent(end, user, project, rng.chance(0.7) ? 'AwsConsoleSignOut' : 'AwsConsoleAutoSignOut', ip, agent);
    }
  }
  // The hidden system user: housekeeping in bursts (about 15 % of the volume).
  const bursts = rng.poisson(20);
  for (let b = 0; b < bursts; b++) {
    let t = from + rng.int(0, to - from - 600_000);
    const project = rng.pick(world.projects);
    for (let i = 0, n = rng.int(2, 8); i < n; i++) {
      apiCall(t, world.system, project, TYPES_BY_NAME.get(rng.pick(SYSTEM_ACTIONS))!, 'c2-system/1.0 (autoscaling; k8s; paas)', false);
      t += rng.int(200, 20_000);
    }
  }
  return out;
}
