import type { Company, Person } from '../../fixtures/company.js';
import { FAILURES, LOCATIONS, NAME_PARTS, SURFACES, TARGET_ACTIONS, type CrusoeTargetType } from '../../fixtures/catalogues/crusoe.js';
import { daySessions, sessionTimes } from '../core/rhythm.js';
import { Rng, hashSeed } from '../core/rng.js';
import { iso } from '../core/time.js';

/** Crusoe's `LogEntry`: all 19 keys, always present. */
export interface LogEntry {
  action: string;
  action_detail: string;
  actor_id: string;
  actor_email: string;
  actor_type: string;
  client_ip: string;
  end_time: string;
  error_message: string;
  locations: string[];
  organization_id: string;
  organization_name: string;
  project_id: string;
  project_name: string;
  result: string;
  start_time: string;
  surface: string;
  target_ids: string[];
  target_names: string[];
  target_type: string;
}

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

export function buildWorld(seed: number, company: Company, rng: Rng, overrides: Record<string, unknown>): CrusoeWorld {
  const organizationId = rng.uuid();
  const adjectives = NAME_PARTS.adjectives;
  const nouns = NAME_PARTS.nouns;
  const projects = Array.from({ length: 5 }, () => ({ id: rng.uuid(), name: `${rng.pick(adjectives)}-${rng.pick(nouns)}-${rng.int(100, 999)}` }));
  const people = company.people.filter((p) => ['admin', 'platform', 'sre', 'engineer', 'data', 'security'].includes(p.role));
  const members: Member[] = people.map((person, i) => ({
    person,
    admin: person.role === 'admin' || (person.role === 'platform' && i % 3 === 0) || person.role === 'security',
    accessKeyId: rng.alnum(20),
    secretKey: rng.bytes(32).toString('base64url'),
  }));
  // Credential overrides from the config file replace the first admin's key.
  const admin = members.find((m) => m.admin)!;
  if (typeof overrides.accessKeyId === 'string') admin.accessKeyId = overrides.accessKeyId;
  if (typeof overrides.secretKey === 'string') admin.secretKey = overrides.secretKey;
  const staff = Array.from({ length: 3 }, (_, i) => ({ id: rng.uuid(), email: `support.engineer${i + 1}@crusoe.ai` }));
  return {
    organizationId: typeof overrides.organizationId === 'string' ? overrides.organizationId : organizationId,
    organizationName: company.name,
    projects,
    members,
    byKey: new Map(members.map((m) => [m.accessKeyId, m])),
    staff,
    foreignOrganizationId: rng.uuid(),
  };
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
    case 'VM': name = `${rng.pick(NAME_PARTS.vm)}-${String(rng.int(1, 40)).padStart(2, '0')}`; break;
    case 'KubernetesCluster': name = rng.pick(NAME_PARTS.cluster); break;
    case 'UserAccessToken': name = rng.pick(NAME_PARTS.token); break;
    case 'Project': name = rng.pick(world.projects).name; break;
    default: name = `${type.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}-${rng.hex(6)}`;
  }
  return { type, id: rng.uuid(), name, project, location: orgLevel || type === 'Project' ? null : rng.pick(LOCATIONS) };
}

const TYPES = Object.entries(TARGET_ACTIONS).map(([type, v]) => ({ type: type as CrusoeTargetType, weight: v.weight }));

/** One day of history, derived from (seed, day) only. */
export function generateDay(seed: number, company: Company, world: CrusoeWorld, from: number, to: number, bucket: number): LogEntry[] {
  const rng = new Rng(hashSeed(seed, 'crusoe', bucket));
  const out: LogEntry[] = [];
  const base = { organization_id: world.organizationId, organization_name: world.organizationName };
  const entry = (
    t: number, action: { action: string; detail?: string }, target: Target,
    actor: { id: string; email: string; type: string }, surface: string,
  ): LogEntry => {
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
      const action = i === 0 && rng.chance(0.4) ? actions.find((a) => a.action === 'Create') ?? rng.weighted(pool) : rng.weighted(pool);
      out.push(entry(times[i], action, target, actor, surface));
      if (action.action === 'Delete') break;
    }
  }
  // Crusoe staff (about 2 %) and automatic housekeeping (about 5 %).
  const staffCount = rng.poisson(0.4);
  for (let i = 0; i < staffCount; i++) {
    const st = rng.pick(world.staff);
    const t = from + rng.int(0, to - from - 60_000);
    const target = newTarget(rng, world, rng.pick(['VM', 'KubernetesNodePool', 'Disk'] as CrusoeTargetType[]));
    out.push(entry(t, rng.pick([{ action: 'Reset' }, { action: 'Update' }, { action: 'Stop' }]), target, { id: st.id, email: st.email, type: 'Crusoe Admin' }, 'Console'));
  }
  const sysCount = rng.poisson(1.2);
  for (let i = 0; i < sysCount; i++) {
    const t = from + rng.int(0, to - from - 60_000);
    const target = newTarget(rng, world, rng.pick(['KubernetesNodePool', 'KubernetesCluster'] as CrusoeTargetType[]));
    out.push(entry(t, { action: 'Update', detail: target.type === 'KubernetesNodePool' ? 'Scale Node Pool' : '' }, target, { id: 'system', email: '', type: 'System' }, 'API'));
  }
  return out;
}
