import type { Company, Person } from '../../fixtures/company.js';
import type { components } from '../../openapi/generated/crusoe.js';
import type { EventSummary } from '../core/provider.js';
import { FAILURES, LOCATIONS, NAME_PARTS, SURFACES, TARGET_ACTIONS, type CrusoeTargetType } from '../../fixtures/catalogues/crusoe.js';
import { daySessions, sessionTimes } from '../core/rhythm.js';
import { Rng, hashSeed, type CredentialDraw } from '../core/rng.js';
import { iso } from '../core/time.js';
import type { CrusoeSettings } from './settings.js';

/** Crusoe's `LogEntry`: all 19 keys, always present. */
export type LogEntry = components['schemas']['LogEntry'];
/** An entry as injected: the keys the real spec marks optional may be left out. */
export type LogEntryInput = components['schemas']['LogEntryInput'];

export interface Member {
  person: Person;
  admin: boolean;
  accessKeyId: string;
  secretKey: string;
}

export interface CrusoeWorld {
  organizationId: string;
  organizationName: string;
  projects: Array<{ id: string; name: string }>;
  members: Member[];
  byKey: Map<string, Member>;
  staff: Array<{ id: string; email: string }>;
  /** A separate organization that exists but to which the company's keys do not belong. */
  foreignOrganizationId: string;
}

const EMPTY: string[] = Object.freeze([]) as unknown as string[];

/** `cred` draws each key (see the core's `credentials`): the world's own in a world other than the default. */
export function buildWorld(company: Company, rng: Rng, overrides: CrusoeSettings['credentials'], cred: CredentialDraw = (d) => d(rng)): CrusoeWorld {
  const organizationId = rng.uuid();
  const adjectives = NAME_PARTS.adjectives;
  const nouns = NAME_PARTS.nouns;
  const projects = Array.from({ length: 5 }, () => ({ id: rng.uuid(), name: `${rng.pick(adjectives)}-${rng.pick(nouns)}-${rng.int(100, 999)}` }));
  const people = company.people.filter((p) => ['admin', 'platform', 'sre', 'engineer', 'data', 'security'].includes(p.role));
  const members: Member[] = people.map((person, i) => ({
    person,
    admin: person.role === 'admin' || (person.role === 'platform' && i % 3 === 0) || person.role === 'security',
    accessKeyId: cred((r) => r.alnum(20)),
    secretKey: cred((r) => r.bytes(32).toString('base64url')),
  }));
  // Credential overrides from the config file replace the first admin's key.
  const admin = members.find((m) => m.admin)!;
  admin.accessKeyId = overrides.accessKeyId ?? admin.accessKeyId;
  admin.secretKey = overrides.secretKey ?? admin.secretKey;
  const staff = Array.from({ length: 3 }, (_, i) => ({ id: rng.uuid(), email: `support.engineer${i + 1}@crusoe.ai` }));
  return {
    organizationId: overrides.organizationId ?? organizationId,
    organizationName: company.name,
    projects,
    members,
    byKey: new Map(members.map((m) => [m.accessKeyId, m])),
    staff,
    foreignOrganizationId: rng.uuid(),
  };
}

/**
 * The organization as another stream of activity sees it (a volume above 1): the same organization,
 * projects and staff, with `company`'s people (colleagues) as its members. Their keys open nothing.
 */
export function streamWorld(base: CrusoeWorld, company: Company, rng: Rng): CrusoeWorld {
  return { ...base, members: buildWorld(company, rng, {}).members, byKey: new Map() };
}

interface Target {
  type: CrusoeTargetType;
  id: string;
  name: string;
  project: { id: string; name: string } | null;
  location: string | null;
}

function clientIp(rng: Rng): string {
  const port = rng.int(1024, 65535);
  if (rng.chance(0.9)) return `10.${rng.int(192, 195)}.${rng.int(0, 255)}.${rng.int(1, 254)}:${port}`;
  return `${rng.chance(0.5) ? '203.0.113' : '198.51.100'}.${rng.int(1, 254)}:${port}`;
}

function newTarget(rng: Rng, world: CrusoeWorld, type: CrusoeTargetType): Target {
  const orgLevel = TARGET_ACTIONS[type].orgLevel;
  const project = orgLevel ? null : rng.pick(world.projects);
  let name: string;
  switch (type) {
    case 'VM':
      name = `${rng.pick(NAME_PARTS.vm)}-${String(rng.int(1, 40)).padStart(2, '0')}`;
      break;
    case 'KubernetesCluster':
      name = rng.pick(NAME_PARTS.cluster);
      break;
    case 'UserAccessToken':
      name = rng.pick(NAME_PARTS.token);
      break;
    case 'Project':
      name = rng.pick(world.projects).name;
      break;
    default:
      name = `${type.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}-${rng.hex(6)}`;
  }
  return { type, id: rng.uuid(), name, project, location: orgLevel || type === 'Project' ? null : rng.pick(LOCATIONS) };
}

const TYPES = Object.entries(TARGET_ACTIONS).map(([type, v]) => ({ type: type as CrusoeTargetType, weight: v.weight }));

type Actor = { id: string; email: string; type: string };
type MakeEntry = (t: number, action: { action: string; detail?: string }, target: Target, actor: Actor, surface: string) => LogEntry;

/** One day of history, derived from (seed, day) only. */
export function generateDay(seed: number, world: CrusoeWorld, from: number, to: number, bucket: number): LogEntry[] {
  const rng = new Rng(hashSeed(seed, 'crusoe', bucket));
  const entry = entryMaker(rng, world);
  const out = memberSessions(rng, world, from, entry);
  // Crusoe staff (about 2 %) and automatic housekeeping (about 5 %).
  const staffCount = rng.poisson(0.4);
  for (let i = 0; i < staffCount; i++) {
    const st = rng.pick(world.staff);
    const t = from + rng.int(0, to - from - 60_000);
    const target = newTarget(rng, world, rng.pick(['VM', 'KubernetesNodePool', 'Disk'] as CrusoeTargetType[]));
    const action = rng.pick([{ action: 'Reset' }, { action: 'Update' }, { action: 'Stop' }]);
    out.push(entry(t, action, target, { id: st.id, email: st.email, type: 'Crusoe Admin' }, 'Console'));
  }
  const sysCount = rng.poisson(1.2);
  for (let i = 0; i < sysCount; i++) {
    const t = from + rng.int(0, to - from - 60_000);
    const target = newTarget(rng, world, rng.pick(['KubernetesNodePool', 'KubernetesCluster'] as CrusoeTargetType[]));
    const action = { action: 'Update', detail: target.type === 'KubernetesNodePool' ? 'Scale Node Pool' : '' };
    out.push(entry(t, action, target, { id: 'system', email: '', type: 'System' }, 'API'));
  }
  return out;
}

/** The company's engineers at work: sessions that each act on one resource. */
function memberSessions(rng: Rng, world: CrusoeWorld, from: number, entry: MakeEntry): LogEntry[] {
  const out: LogEntry[] = [];
  const memberPeople = world.members.map((m) => m.person);
  for (const s of daySessions(rng, memberPeople, from, 1.6)) {
    const actor = { id: s.person.id, email: s.person.email, type: 'User' };
    const surface = rng.weighted(SURFACES.map((x) => ({ ...x }))).value;
    const times = sessionTimes(rng, s.start, rng.int(1, 6));
    // A session works on one resource: a VM is created, then started, resized, stopped or deleted.
    const target = newTarget(rng, world, rng.weighted(TYPES).type);
    const actions = TARGET_ACTIONS[target.type].actions;
    for (let i = 0; i < times.length; i++) {
      // A session may start by creating the resource; nothing follows its deletion, and it is created at most once.
      const pool = i === 0 ? actions : actions.filter((a) => a.action !== 'Create');
      const action = i === 0 && rng.chance(0.4) ? (actions.find((a) => a.action === 'Create') ?? rng.weighted(pool)) : rng.weighted(pool);
      out.push(entry(times[i], action, target, actor, surface));
      if (action.action === 'Delete') break;
    }
  }
  return out;
}

/** Entries of the world's organization; about 5 % fail, and slow resources take seconds to finish. */
function entryMaker(rng: Rng, world: CrusoeWorld): MakeEntry {
  const base = { organization_id: world.organizationId, organization_name: world.organizationName };
  return (t, action, target, actor, surface) => {
    const slow = TARGET_ACTIONS[target.type].slow;
    const failed = rng.chance(0.05) ? rng.weighted(FAILURES) : null;
    const duration = failed ? rng.int(40, 900) : slow ? rng.int(2_000, 30_000) : rng.int(50, 800);
    return {
      action: action.action,
      action_detail: action.detail ?? '',
      actor_id: actor.id,
      actor_email: actor.email,
      actor_type: actor.type,
      client_ip: clientIp(rng),
      end_time: iso(t + duration),
      error_message: failed?.message ?? '',
      locations: target.location ? [target.location] : EMPTY,
      ...base,
      project_id: target.project?.id ?? '',
      project_name: target.project?.name ?? '',
      result: failed?.result ?? 'OK',
      start_time: iso(t),
      surface,
      target_ids: [target.id],
      target_names: [target.name],
      target_type: target.type,
    };
  };
}

/** Working keys under Crusoe's names: an organization admin's, and a member's who is not an admin (403). */
export function credentialsOf(world: CrusoeWorld): Record<string, unknown> {
  const admin = world.members.find((m) => m.admin)!;
  const member = world.members.find((m) => !m.admin)!;
  return {
    accessKeyId: admin.accessKeyId,
    secretKey: admin.secretKey,
    organizationId: world.organizationId,
    email: admin.person.email,
    nonAdmin: { accessKeyId: member.accessKeyId, secretKey: member.secretKey, email: member.person.email },
  };
}

/** An injected entry with all 19 keys ("" or [] where nothing was given), times as Crusoe writes them. */
export function completeEntry(world: CrusoeWorld, r: LogEntryInput): LogEntry {
  return {
    action_detail: '',
    error_message: '',
    locations: [],
    organization_id: world.organizationId,
    organization_name: world.organizationName,
    project_id: '',
    project_name: '',
    target_ids: [],
    target_names: [],
    target_type: '',
    ...r,
    start_time: iso(Date.parse(r.start_time)),
    end_time: iso(Date.parse(r.end_time)),
  };
}

export function summarize(e: LogEntry): EventSummary {
  return {
    actor: e.actor_email || e.actor_id,
    action: e.action_detail ? `${e.action} (${e.action_detail})` : e.action,
    outcome: e.result === 'OK' ? 'success' : 'failure',
    target: e.target_type ? `${e.target_type} ${e.target_names.join(', ')}`.trim() : undefined,
    sourceIp: e.client_ip.replace(/:\d+$/, ''),
  };
}
