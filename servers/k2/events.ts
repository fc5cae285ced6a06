import { ACTIONS, AGENTS, FAILURES, RESOURCE_PREFIX, SYSTEM_ACTIONS, type K2Action } from '../../fixtures/catalogues/k2.js';
import { daySessions, sessionTimes } from '../core/rhythm.js';
import { Rng, hashSeed } from '../core/rng.js';
import { makeRecord, type K2Event } from './records.js';
import type { K2User, K2World } from './world.js';

function resourceId(rng: Rng, type: string): string {
  const prefix = RESOURCE_PREFIX[type];
  if (prefix) return prefix + rng.hex(8).toUpperCase();
  switch (type) {
    case 'AWS::EC2::EIP':
      return `185.12.${rng.int(28, 31)}.${rng.int(2, 254)}`;
    case 'AWS::EC2::KeyPair':
      return `key-${rng.pick(['deploy', 'ci', 'admin', 'bastion'])}-${rng.int(1, 9)}`;
    case 'AWS::CloudWatch::Alarm':
      return `${rng.pick(['cpu-high', 'disk-full', 'mem-high'])}-${rng.hex(4)}`;
    case 'AWS::AutoScaling::AutoScalingGroup':
      return `asg-${rng.pick(['web', 'worker', 'k8s-nodes'])}`;
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
      return `lb-${rng.hex(6)}`;
    case 'AWS::ElasticLoadBalancingV2::TargetGroup':
      return `tg-${rng.hex(6)}`;
    case 'AWS::EKS::Cluster':
      return `k8s-${rng.pick(['prod', 'stage', 'batch'])}`;
    case 'AWS::IAM::User':
      return `${rng.pick(['ci-bot', 'backup', 'monitoring'])}`;
    case 'AWS::IAM::Group':
      return rng.pick(['Developers', 'Operators', 'ActivityLogAdministrators']);
    default:
      return rng.hex(8);
  }
}

const INSTANCE_STATE: Record<string, { code: number; name: string }> = {
  RunInstances: { code: 0, name: 'pending' },
  StartInstances: { code: 0, name: 'pending' },
  StopInstances: { code: 64, name: 'stopping' },
  TerminateInstances: { code: 32, name: 'shutting-down' },
};

type Body = Record<string, unknown>;
type CallBody = { req: Body; res: Body };

// Each helper draws from the generator in the order the fields are written: history depends on it.
function instanceBody(rng: Rng, a: K2Action, id: string): CallBody {
  if (a.name === 'RunInstances') {
    const imageId = `cmi-${rng.hex(8).toUpperCase()}`;
    const instanceType = rng.pick(['m5.large', 'c5.xlarge', 'r5.2xlarge']);
    const reservationId = `r-${rng.hex(8).toUpperCase()}`;
    return {
      req: { instancesSet: { items: [{ imageId, minCount: 1, maxCount: 1 }] }, instanceType },
      res: { reservationId, instancesSet: { items: [{ instanceId: id, currentState: INSTANCE_STATE.RunInstances }] } },
    };
  }
  if (a.name === 'ModifyInstanceAttribute') {
    return { req: { instanceId: id, instanceType: { value: rng.pick(['m5.large', 'c5.2xlarge']) } }, res: { _return: true } };
  }
  const req: Body = { instancesSet: { items: [{ instanceId: id }] } };
  if (a.name === 'StopInstances') req.force = false;
  const state = INSTANCE_STATE[a.name];
  return { req, res: state ? { instancesSet: { items: [{ instanceId: id, currentState: state }] } } : { _return: true } };
}

function securityGroupBody(rng: Rng, a: K2Action, id: string): CallBody {
  if (a.name === 'CreateSecurityGroup') {
    return { req: { groupName: `sg-${rng.pick(['web', 'db', 'ssh'])}`, groupDescription: 'managed' }, res: { groupId: id, _return: true } };
  }
  const fromPort = rng.pick([22, 80, 443, 5432]);
  const ipRanges = { items: [{ cidrIp: rng.pick(['0.0.0.0/0', '10.0.0.0/8', '203.0.113.0/24']) }] };
  return { req: { groupId: id, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort, toPort: 443, ipRanges }] } }, res: { _return: true } };
}

/** EC2 query-to-JSON style parameters and output for one call, as K2's records show them. */
function callBody(rng: Rng, a: K2Action, id: string): CallBody {
  if (a.readOnly) {
    if (a.name === 'DescribeInstances') return { req: { instancesSet: {}, filterSet: {} }, res: {} };
    if (a.name === 'GetMetricStatistics') {
      return { req: { namespace: 'AWS/EC2', metricName: rng.pick(['CPUUtilization', 'NetworkIn', 'DiskReadOps']), period: 300 }, res: {} };
    }
    return { req: {}, res: {} };
  }
  switch (a.resourceType) {
    case 'AWS::EC2::Instance':
      return instanceBody(rng, a, id);
    case 'AWS::EC2::SecurityGroup':
      return securityGroupBody(rng, a, id);
    case 'AWS::EC2::Volume':
      if (a.name === 'CreateVolume') {
        return { req: { size: rng.pick([8, 32, 100, 500]), availabilityZone: 'ru-msk-comp1p', volumeType: 'gp2' }, res: { volumeId: id, status: 'creating' } };
      }
      return { req: { volumeId: id }, res: { volumeId: id, _return: true } };
    case 'AWS::EC2::EIP':
      return { req: { publicIp: id }, res: { publicIp: id, _return: true } };
    default:
      return { req: { name: id }, res: { _return: true } };
  }
}

const TYPES_BY_NAME = new Map(ACTIONS.map((a) => [a.name, a]));

type ConsoleKind = 'AwsConsoleSignIn' | 'AwsConsoleSignOut' | 'AwsConsoleAutoSignOut';
const CONSOLE_NAMES: Record<ConsoleKind, string> = {
  AwsConsoleSignIn: 'ConsoleLogin',
  AwsConsoleSignOut: 'ConsoleLogout',
  AwsConsoleAutoSignOut: 'ConsoleAutoLogout',
};

/** Writes one day's events; every random draw comes from the day's own generator, in a fixed order. */
class DayWriter {
  readonly out: K2Event[] = [];

  constructor(
    readonly rng: Rng,
    private readonly world: K2World,
  ) {}

  apiCall(t: number, user: K2User, project: string, a: K2Action, agent: string, console: boolean): void {
    const rng = this.rng;
    const id = a.resourceType ? resourceId(rng, a.resourceType) : '';
    const { req, res } = callBody(rng, a, id);
    const failed = rng.chance(0.02) ? rng.weighted(FAILURES) : null;
    this.out.push({
      record: makeRecord({
        customer: this.world.customer,
        region: this.world.region,
        time: t,
        user,
        project,
        accessKeyId: console ? '' : `${project}:${user.username}`,
        source: a.source,
        name: a.name,
        readOnly: a.readOnly,
        userAgent: agent,
        error: failed ? { code: failed.code, message: failed.message } : undefined,
        requestParameters: req,
        responseElements: res,
        requestId: rng.uuid(),
        eventId: rng.uuid(),
      }),
      resources: a.resourceType ? [{ ResourceType: a.resourceType, ResourceName: id }] : [],
    });
  }

  consoleEvent(t: number, user: K2User, project: string, kind: ConsoleKind, ip: string, agent: string): void {
    this.out.push({
      record: makeRecord({
        customer: this.world.customer,
        region: this.world.region,
        time: t,
        user,
        project,
        accessKeyId: '',
        source: 'signin.amazonaws.com',
        name: CONSOLE_NAMES[kind],
        readOnly: false,
        userAgent: agent,
        sourceIp: ip,
        requestParameters: {},
        responseElements: kind === 'AwsConsoleSignIn' ? { ConsoleLogin: 'Success' } : {},
        requestId: this.rng.uuid(),
        eventId: this.rng.uuid(),
        eventType: kind,
      }),
      resources: [],
    });
  }
}

/** People's working sessions: API calls, and console sign-in and sign-out around the console ones. */
function humanSessions(w: DayWriter, world: K2World, from: number, to: number): void {
  const rng = w.rng;
  const humans = world.users.filter((u) => u.person);
  const byPerson = new Map(humans.map((u) => [u.person!, u]));
  for (const s of daySessions(
    rng,
    humans.map((u) => u.person!),
    from,
    6,
  )) {
    const user = byPerson.get(s.person)!;
    const project = rng.pick(user.projects);
    const agentPick = rng.weighted(AGENTS).agent;
    const console = agentPick === 'console';
    const agent = console ? s.person.userAgent : agentPick;
    const times = sessionTimes(rng, s.start, rng.int(2, 12), [2_000, 90_000]);
    const ip = s.offHours ? s.person.homeIp : s.person.officeIp;
    if (console) w.consoleEvent(Math.max(from, s.start - rng.int(5_000, 60_000)), user, project, 'AwsConsoleSignIn', ip, agent);
    for (const t of times) w.apiCall(t, user, project, rng.weighted(ACTIONS), agent, console);
    if (console && rng.chance(0.8)) {
      const end = times[times.length - 1] + rng.int(10_000, 600_000);
      if (end < to) w.consoleEvent(end, user, project, rng.chance(0.7) ? 'AwsConsoleSignOut' : 'AwsConsoleAutoSignOut', ip, agent);
    }
  }
}

/** The hidden system user: housekeeping in bursts (about 15 % of the volume). */
function systemBursts(w: DayWriter, world: K2World, from: number, to: number): void {
  const rng = w.rng;
  const bursts = rng.poisson(20);
  for (let b = 0; b < bursts; b++) {
    let t = from + rng.int(0, to - from - 600_000);
    const project = rng.pick(world.projects);
    for (let i = 0, n = rng.int(2, 8); i < n; i++) {
      w.apiCall(t, world.system, project, TYPES_BY_NAME.get(rng.pick(SYSTEM_ACTIONS))!, 'c2-system/1.0 (autoscaling; k8s; paas)', false);
      t += rng.int(200, 20_000);
    }
  }
}

/** One day of history for the customer, derived from (seed, bucket) only. */
export function generateDay(seed: number, world: K2World, from: number, to: number, bucket: number): K2Event[] {
  const w = new DayWriter(new Rng(hashSeed(seed, 'k2', bucket)), world);
  humanSessions(w, world, from, to);
  systemBursts(w, world, from, to);
  return w.out;
}
