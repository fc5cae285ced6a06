import type { Company, Person } from '../../fixtures/company.js';
import { ACTION_BY_KIND, ACTION_KINDS, NAMES, PRODUCTS, SUPPORT_STAFF, type ActionKind } from '../../fixtures/catalogues/instaclustr.js';
import { daySessions } from '../core/rhythm.js';
import { Rng, hashSeed } from '../core/rng.js';
import { iso } from '../core/time.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One user action: all thirteen keys, always present (instaclustr.md section 5.3). */
export interface UserAction {
  id: string;
  action: string;
  crudOperation: string;
  domainType: string;
  domainId: string | null;
  domainName: string | null;
  description: string;
  timestamp: string;
  userName: string;
  userId: string;
  accountId: string | null;
  organisationId: string | null;
  performedByInstaclustrSupport: boolean;
}

export type KeyType = 'PROVISIONING' | 'READ_ONLY_PROVISIONING' | 'MONITORING' | 'ORGANIZATION_MANAGEMENT';
export type Role = 'OWNER' | 'CLUSTER_ADMIN' | 'BILLING' | 'READ_ONLY';

/** The emulator's key model (section 3.1). */
export interface ApiKey {
  userName: string;
  apiKey: string;
  keyType: KeyType;
  accountId?: string;
  organisationId?: string;
  allowedCidrs: string[];
  active: boolean;
}

export interface Account {
  accountId: string;
  name: string;
  /** Null for an account not linked to any organisation. */
  organisationId: string | null;
  index: number;
}

export interface User {
  userName: string;
  userId: string;
  person?: Person;
  service: boolean;
  organisationAdmin: boolean;
  memberships: Array<{ account: Account; role: Role }>;
}

interface ClusterSlot {
  account: Account;
  slot: number;
  product: (typeof PRODUCTS)[number];
  base: string;
  env: string;
  /** Days between incarnations; a long-lived slot has a long period. */
  period: number;
  offset: number;
  longLived: boolean;
}

interface KeySlot {
  user: User;
  account: Account | null;
  slot: number;
  period: number;
  offset: number;
}

export interface InstaclustrWorld {
  seed: number;
  domain: string;
  organisationId: string;
  organisationName: string;
  /** An organisation that exists but no company key belongs to. */
  foreignOrganisationId: string;
  accounts: Account[];
  linkedAccountIds: Set<string>;
  users: User[];
  byUserName: Map<string, User>;
  keys: ApiKey[];
  keysByUser: Map<string, ApiKey[]>;
  support: Array<{ userName: string; userId: string }>;
  clusterSlots: ClusterSlot[];
  keySlots: KeySlot[];
  primary: User;
}

const mod = (n: number, m: number) => ((n % m) + m) % m;

/** A stable UUID for anything named by its parts (cluster topics, key incarnations). */
export function uuidOf(...parts: Array<string | number>): string {
  return new Rng(hashSeed('instaclustr-id', ...parts)).uuid();
}

const ROLE_PLAN: Record<string, (i: number) => Array<[number, Role]>> = {
  admin: () => [[0, 'OWNER'], [1, 'OWNER'], [2, 'OWNER'], [3, 'OWNER']],
  platform: (i) => [[0, 'CLUSTER_ADMIN'], [1, 'CLUSTER_ADMIN'], ...(i < 3 ? ([[3, 'CLUSTER_ADMIN']] as Array<[number, Role]>) : [])],
  sre: () => [[0, 'CLUSTER_ADMIN'], [1, 'CLUSTER_ADMIN']],
  data: () => [[2, 'CLUSTER_ADMIN'], [0, 'READ_ONLY']],
  engineer: (i) => (i < 6 ? [[1, 'READ_ONLY']] : i < 9 ? [[1, 'CLUSTER_ADMIN']] : [[0, 'READ_ONLY']]),
  security: () => [[0, 'READ_ONLY'], [1, 'READ_ONLY'], [2, 'READ_ONLY']],
  finance: () => [[0, 'BILLING'], [2, 'BILLING']],
};

const KEYS_FOR_ROLE: Record<Role, KeyType[]> = {
  OWNER: ['PROVISIONING', 'READ_ONLY_PROVISIONING', 'MONITORING'],
  CLUSTER_ADMIN: ['PROVISIONING', 'READ_ONLY_PROVISIONING', 'MONITORING'],
  READ_ONLY: ['READ_ONLY_PROVISIONING', 'MONITORING'],
  BILLING: ['MONITORING'],
};

const ANY_CIDR = ['0.0.0.0/0', '::/0'];

export function buildWorld(seed: number, company: Company, rng: Rng, overrides: Record<string, unknown>): InstaclustrWorld {
  const organisationId = typeof overrides.organisationId === 'string' ? overrides.organisationId : rng.uuid();
  const foreignOrganisationId = rng.uuid();
  const accounts: Account[] = [...NAMES.accountSuffixes, 'sandbox'].map((suffix, index) => ({
    accountId: rng.uuid(),
    name: `${company.slug}-${suffix}`,
    organisationId: suffix === 'sandbox' ? null : organisationId,
    index,
  }));
  const users: User[] = [];
  const counters = new Map<string, number>();
  for (const person of company.people) {
    const plan = ROLE_PLAN[person.role];
    if (!plan) continue;
    const i = counters.get(person.role) ?? 0;
    counters.set(person.role, i + 1);
    users.push({
      userName: person.email.toLowerCase(),
      userId: rng.uuid(),
      person,
      service: false,
      organisationAdmin: person.role === 'admin' || (person.role === 'security' && i === 0),
      memberships: plan(i).map(([a, role]) => ({ account: accounts[a], role })),
    });
  }
  // Service users that automate the three linked accounts (Terraform, CI, Airflow).
  for (const [a, name] of [[0, 'svc-terraform'], [1, 'svc-ci'], [2, 'svc-airflow']] as const) {
    users.push({ userName: name, userId: rng.uuid(), service: true, organisationAdmin: false, memberships: [{ account: accounts[a], role: 'CLUSTER_ADMIN' }] });
  }
  const keys: ApiKey[] = [];
  for (const u of users) {
    for (const m of u.memberships) {
      for (const keyType of u.service ? (['PROVISIONING'] as KeyType[]) : KEYS_FOR_ROLE[m.role]) {
        keys.push({ userName: u.userName, apiKey: rng.hex(32), keyType, accountId: m.account.accountId, allowedCidrs: ANY_CIDR, active: true });
      }
    }
    if (u.organisationAdmin) keys.push({ userName: u.userName, apiKey: rng.hex(32), keyType: 'ORGANIZATION_MANAGEMENT', organisationId, allowedCidrs: ANY_CIDR, active: true });
  }
  const primary = users.find((u) => u.organisationAdmin && u.memberships.some((m) => m.role === 'OWNER'))!;
  const prodId = accounts[0].accountId;
  // A revoked key and a key limited to a private range, for the failure ladder (steps 3 and 4).
  keys.push({ userName: primary.userName, apiKey: rng.hex(32), keyType: 'PROVISIONING', accountId: prodId, allowedCidrs: ANY_CIDR, active: false });
  keys.push({ userName: primary.userName, apiKey: rng.hex(32), keyType: 'READ_ONLY_PROVISIONING', accountId: prodId, allowedCidrs: ['10.20.0.0/16'], active: true });

  // Credential overrides from the config file replace the primary user's name and keys.
  const primaryKey = (t: KeyType) => keys.find((k) => k.userName === primary.userName && k.keyType === t && k.active && (t === 'ORGANIZATION_MANAGEMENT' || k.accountId === prodId))!;
  if (typeof overrides.accountId === 'string') accounts[0].accountId = overrides.accountId;
  for (const k of keys) if (k.accountId === prodId) k.accountId = accounts[0].accountId;
  if (typeof overrides.provisioningApiKey === 'string') primaryKey('PROVISIONING').apiKey = overrides.provisioningApiKey;
  if (typeof overrides.readOnlyProvisioningApiKey === 'string') primaryKey('READ_ONLY_PROVISIONING').apiKey = overrides.readOnlyProvisioningApiKey;
  if (typeof overrides.organisationManagementApiKey === 'string') primaryKey('ORGANIZATION_MANAGEMENT').apiKey = overrides.organisationManagementApiKey;
  if (typeof overrides.username === 'string') {
    for (const k of keys) if (k.userName === primary.userName) k.userName = overrides.username;
    primary.userName = overrides.username;
  }

  const keysByUser = new Map<string, ApiKey[]>();
  for (const k of keys) keysByUser.set(k.userName, [...(keysByUser.get(k.userName) ?? []), k]);

  const clusterSlots: ClusterSlot[] = [];
  for (const account of accounts) {
    const n = account.name.endsWith('sandbox') ? 3 : account.index === 0 ? 8 : 6;
    for (let slot = 0; slot < n; slot++) {
      const longLived = slot < Math.ceil(n / 2);
      const period = longLived ? rng.int(1500, 4000) : rng.int(60, 300);
      // The first slot of each account is always a Kafka cluster so that Kafka work has a target.
      const product = slot === 0 ? PRODUCTS[1] : rng.weighted(PRODUCTS);
      const env = account.name.endsWith('production') ? 'prod' : account.name.endsWith('staging') ? 'stg' : account.name.endsWith('sandbox') ? 'dev' : 'prod';
      clusterSlots.push({ account, slot, product, base: NAMES.clusterBases[(account.index * 3 + slot) % NAMES.clusterBases.length], env, period, offset: rng.int(0, period - 1), longLived });
    }
  }
  const keySlots: KeySlot[] = [];
  for (const u of users) {
    for (const m of u.memberships) {
      if (m.role !== 'OWNER' && m.role !== 'CLUSTER_ADMIN') continue;
      const period = u.service ? 90 : rng.int(120, 360);
      keySlots.push({ user: u, account: m.account, slot: keySlots.length, period, offset: rng.int(0, period - 1) });
    }
    if (u.organisationAdmin) {
      const period = rng.int(150, 400);
      keySlots.push({ user: u, account: null, slot: keySlots.length, period, offset: rng.int(0, period - 1) });
    }
  }
  return {
    seed,
    domain: company.domain,
    organisationId,
    organisationName: company.name,
    foreignOrganisationId,
    accounts,
    linkedAccountIds: new Set(accounts.filter((a) => a.organisationId).map((a) => a.accountId)),
    users,
    byUserName: new Map(users.map((u) => [u.userName, u])),
    keys,
    keysByUser,
    support: SUPPORT_STAFF.map((userName) => ({ userName, userId: uuidOf(seed, 'support', userName) })),
    clusterSlots,
    keySlots,
    primary,
  };
}

// ---------------------------------------------------------------------------------------------
// Lifetimes: every resource's creation and deletion day is a function of (seed, slot, incarnation),
// so any day bucket can tell on its own which clusters and keys exist, and which are born or die.

export interface Cluster {
  id: string;
  name: string;
  account: Account;
  product: (typeof PRODUCTS)[number];
  version: string;
  /** Day of CREATE_CLUSTER and of DELETE_CLUSTER. */
  createdDay: number;
  deletedDay: number;
  dcs: Array<{ id: string; name: string }>;
  nodes: Array<{ id: string; name: string }>;
}

// Incarnations are pure functions of (seed, slot, k); many day buckets ask for the same ones.
const clusterMemo = new WeakMap<ClusterSlot, Map<number, Cluster>>();
const keyMemo = new WeakMap<KeySlot, Map<number, KeyIncarnation>>();

function memo<S extends object, T>(store: WeakMap<S, Map<number, T>>, s: S, k: number, make: () => T): T {
  let m = store.get(s);
  if (!m) store.set(s, (m = new Map()));
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

function clusterIncarnation(seed: number, s: ClusterSlot, k: number): Cluster {
  return memo(clusterMemo, s, k, () => makeCluster(seed, s, k));
}

function makeCluster(seed: number, s: ClusterSlot, k: number): Cluster {
  const r = new Rng(hashSeed(seed, 'instaclustr', 'cluster', s.account.accountId, s.slot, k));
  const createdDay = s.offset + k * s.period;
  // Long-lived clusters run for years and are deleted just before their slot's next incarnation.
  const life = s.longLived ? s.period - r.int(1, 30) : Math.floor(s.period * (0.5 + r.next() * 0.45));
  const deletedDay = createdDay + life;
  const suffix = s.longLived ? '' : `-${mod(k, 90) + 10}`;
  const id = r.uuid();
  const dcCount = r.chance(0.75) ? 1 : r.int(2, 3);
  const dcStart = r.int(0, NAMES.dataCentres.length - 1);
  const dcs = Array.from({ length: dcCount }, (_, i) => ({ id: r.uuid(), name: NAMES.dataCentres[(dcStart + i) % NAMES.dataCentres.length] }));
  const nodes = Array.from({ length: r.int(3, 12) }, () => ({ id: r.uuid(), name: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(2, 254)}` }));
  return { id, name: `${s.base}-${s.product.short}-${s.env}${suffix}`, account: s.account, product: s.product, version: r.pick(s.product.versions), createdDay, deletedDay, dcs, nodes };
}

/** Incarnations of a slot whose life touches `day` (created, alive or deleted that day). */
function clustersOn(seed: number, s: ClusterSlot, day: number): Cluster[] {
  const k = Math.floor((day - s.offset) / s.period);
  const out: Cluster[] = [];
  for (const kk of [k - 1, k]) {
    const c = clusterIncarnation(seed, s, kk);
    if (c.createdDay <= day && day <= c.deletedDay) out.push(c);
  }
  return out;
}

export interface KeyIncarnation {
  id: string;
  keyType: 'Provisioning' | 'Read-Only Provisioning' | 'Monitoring' | 'Organization Management';
  user: User;
  account: Account | null;
  generatedDay: number;
  revokedDay: number;
}

function keyIncarnation(seed: number, s: KeySlot, k: number): KeyIncarnation {
  return memo(keyMemo, s, k, () => makeKey(seed, s, k));
}

function makeKey(seed: number, s: KeySlot, k: number): KeyIncarnation {
  const r = new Rng(hashSeed(seed, 'instaclustr', 'key', s.user.userId, s.account?.accountId ?? 'org', k));
  const generatedDay = s.offset + k * s.period;
  // Service keys are rotated: the next key is generated a few days before the old one is revoked.
  const life = s.user.service ? s.period + r.int(2, 6) : Math.floor(s.period * (0.3 + r.next() * 0.6));
  const keyType = s.account === null ? 'Organization Management' : s.user.service ? 'Provisioning' : r.weighted([
    { v: 'Provisioning' as const, weight: 6 }, { v: 'Read-Only Provisioning' as const, weight: 3 }, { v: 'Monitoring' as const, weight: 1 },
  ]).v;
  return { id: r.uuid(), keyType, user: s.user, account: s.account, generatedDay, revokedDay: generatedDay + life };
}

/** Every cluster of the world with its creation and deletion day, over [firstDay, lastDay]. */
export function clusterHistory(world: InstaclustrWorld, firstDay: number, lastDay: number): Cluster[] {
  const out = new Map<string, Cluster>();
  for (const s of world.clusterSlots) {
    for (let k = Math.floor((firstDay - s.offset) / s.period) - 1; s.offset + k * s.period <= lastDay; k++) {
      const c = clusterIncarnation(world.seed, s, k);
      out.set(c.id, c);
    }
  }
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------
// One day of history.

interface Actor {
  userName: string;
  userId: string;
  support: boolean;
  person?: Person;
}

interface Target {
  domainId: string | null;
  domainName: string | null;
  vars: Record<string, string>;
}

const SELF_KINDS = new Set(['USER_LOGIN', 'USER_LOGIN_FAILED', 'USER_ENABLE_MFA', 'USER_DISABLE_MFA', 'USER_CHANGE_PASSWORD']);
const MEMBER_KINDS = new Set(['ACCOUNT_MODIFY_LINK', 'ACCOUNT_CREATE_LINK', 'ADMIN_SET_ACCESS_LEVEL']);
const BILLING_KINDS = new Set(['ACCOUNT_UPDATE_BILLING_DETAILS', 'ACCOUNT_UPDATE_CONTACTS', 'USER_CHANGE_PASSWORD', 'USER_ENABLE_MFA']);
const SERVICE_KINDS = new Set([
  'CHANGE_CLUSTER_SETTINGS', 'CHANGE_CLUSTER_FIREWALL_RULES', 'CREATE_KAFKA_TOPIC', 'EDIT_KAFKA_TOPIC', 'CREATE_KAFKA_ACLS', 'CREATE_BUNDLE_USER',
  'UPDATE_CLUSTER_TAGS', 'BACKUP', 'DESCRIBE_KAFKA_TOPIC', 'LIST_KAFKA_ACLS', 'CREATE_KAFKA_USER', 'DISPLAY_KAFKA_TOPIC_CONFIG',
]);
const USER_ADMIN_TYPES = new Set(['USER', 'SERVICE_USER', 'ACCOUNT', 'ENCRYPTION_KEY']);

const customer = ACTION_KINDS.filter((a) => a.weight > 0 && !a.supportOnly && !a.org);
const CHOICES: Record<Role | 'SERVICE' | 'ORG' | 'SUPPORT', ActionKind[]> = {
  OWNER: customer,
  CLUSTER_ADMIN: customer.filter((a) => !USER_ADMIN_TYPES.has(a.domainType) || SELF_KINDS.has(a.kind)),
  READ_ONLY: customer.filter((a) => a.crud === 'READ'),
  BILLING: customer.filter((a) => BILLING_KINDS.has(a.kind)),
  SERVICE: customer.filter((a) => SERVICE_KINDS.has(a.kind)),
  ORG: ACTION_KINDS.filter((a) => a.org && a.weight > 0),
  SUPPORT: ACTION_KINDS.filter((a) => (a.supportWeight ?? 0) > 0).map((a) => ({ ...a, weight: a.supportWeight! })),
};

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => vars[k] ?? k);
}

/** A time within the person's working hours on the UTC day starting at `from`. */
function workTime(rng: Rng, person: Person | undefined, from: number): number {
  if (!person) return from + rng.int(0, DAY - 1);
  const localHour = person.workStart + rng.next() * (person.workEnd - person.workStart - 0.5);
  return from + mod(Math.floor((localHour - person.utcOffset) * HOUR), DAY);
}

export function generateDay(world: InstaclustrWorld, from: number, to: number, bucket: number): UserAction[] {
  const seed = world.seed;
  const rng = new Rng(hashSeed(seed, 'instaclustr', bucket));
  const day = Math.floor(from / DAY);
  const out: UserAction[] = [];
  const last = to - 1;

  const record = (t: number, kind: string, actor: Actor, account: Account | null, target: Target) => {
    const a = ACTION_BY_KIND.get(kind)!;
    out.push({
      id: rng.uuid(),
      action: a.kind,
      crudOperation: a.crud,
      domainType: a.domainType,
      domainId: target.domainId,
      domainName: target.domainName,
      description: fill(a.template, target.vars),
      timestamp: iso(Math.min(Math.max(t, from), last)),
      userName: actor.userName,
      userId: actor.userId,
      accountId: a.org ? null : account?.accountId ?? null,
      organisationId: a.org ? world.organisationId : account?.organisationId ?? null,
      performedByInstaclustrSupport: actor.support,
    });
  };
  const asActor = (u: User): Actor => ({ userName: u.userName, userId: u.userId, support: false, person: u.person });
  const membersOf = (account: Account, roles?: Role[]) =>
    world.users.filter((u) => u.memberships.some((m) => m.account === account && (!roles || roles.includes(m.role))));

  // Clusters by account: those born or dying today get only their lifecycle events today.
  const alive = new Map<Account, Cluster[]>();
  for (const s of world.clusterSlots) {
    for (const c of clustersOn(seed, s, day)) {
      const admins = membersOf(c.account, ['OWNER', 'CLUSTER_ADMIN']);
      const actor = asActor(rng.pick(admins));
      const clusterTarget: Target = { domainId: c.id, domainName: c.name, vars: { name: c.name } };
      if (c.createdDay === day) {
        const t = workTime(rng, actor.person, from);
        record(t, 'CREATE_CLUSTER', actor, c.account, clusterTarget);
        record(t + rng.int(60_000, 900_000), 'CREATE_BACKUP_SCHEDULE', actor, c.account, { domainId: uuidOf(c.id, 'schedule'), domainName: c.name, vars: { name: c.name } });
        record(t + rng.int(900_000, 3_000_000), 'CHANGE_CLUSTER_FIREWALL_RULES', actor, c.account, { ...clusterTarget, vars: { name: c.name, cidr: `198.51.100.${rng.int(0, 255)}/32`, ruleType: c.product.short === 'kafka' ? 'KAFKA' : 'CASSANDRA_CQL', addedOrRemoved: 'added to' } });
      } else if (c.deletedDay === day) {
        const t = workTime(rng, actor.person, from);
        record(t, 'REQUEST_CLUSTER_DELETE', actor, c.account, clusterTarget);
        const approver = admins.length > 1 ? asActor(rng.pick(admins.filter((u) => u.userName !== actor.userName))) : actor;
        record(t + rng.int(600_000, 3 * HOUR), 'DELETE_CLUSTER', approver, c.account, clusterTarget);
      } else {
        alive.set(c.account, [...(alive.get(c.account) ?? []), c]);
      }
    }
  }

  // API keys: generated by their owner, revoked by the owner (or an account owner) on a later day.
  for (const s of world.keySlots) {
    const k = Math.floor((day - s.offset) / s.period);
    for (const kk of [k - 1, k]) {
      const key = keyIncarnation(seed, s, kk);
      const target: Target = { domainId: key.id, domainName: `${key.keyType} API key`, vars: { keyType: key.keyType } };
      const prefix = key.account ? 'ACCOUNT' : 'ORGANISATION';
      if (key.generatedDay === day) record(workTime(rng, s.user.person, from), `${prefix}_GENERATE_API_KEY`, asActor(s.user), key.account, target);
      if (key.revokedDay === day) {
        const owners = key.account && !s.user.service ? membersOf(key.account, ['OWNER']) : [];
        const by = owners.length && rng.chance(0.2) ? rng.pick(owners) : s.user;
        record(workTime(rng, by.person, from), `${prefix}_REVOKE_API_KEY`, asActor(by), key.account, target);
      }
    }
  }

  const targetFor = (a: ActionKind, actor: Actor, account: Account): Target | null => {
    let cluster: Cluster | undefined;
    if (a.cluster) {
      const list = (alive.get(account) ?? []).filter((c) => a.cluster === 'any' || c.product.short === 'kafka');
      if (!list.length) return null;
      cluster = rng.pick(list);
    }
    const vars: Record<string, string> = { account: account.name, org: world.organisationName };
    if (cluster) Object.assign(vars, { name: cluster.name, cluster: cluster.name, bundle: cluster.product.bundle });
    const on = (id: string | null, name: string | null): Target => ({ domainId: id, domainName: name, vars });
    const c = cluster!;
    const outsider = () => {
      const email = `${rng.pick(NAMES.invitees)}${rng.int(1, 40)}@${world.domain}`;
      vars.email = email;
      return on(uuidOf(seed, 'user', email), email);
    };
    switch (a.domainType) {
      case 'CLUSTER':
        Object.assign(vars, {
          pointInTime: iso(from - rng.int(1, 72) * HOUR), version: rng.pick(c.product.versions), onOff: rng.pick(['on', 'off']),
          cidr: `${rng.pick(['198.51.100', '203.0.113', '10.40.0'])}.${rng.int(0, 255)}/32`, ruleType: c.product.short === 'kafka' ? 'KAFKA' : 'CASSANDRA_CQL',
          addedOrRemoved: rng.pick(['added to', 'removed from']),
        });
        return on(c.id, c.name);
      case 'DATA_CENTRE': {
        const dc = rng.pick(c.dcs);
        vars.dc = dc.name;
        vars.size = rng.pick(NAMES.nodeSizes);
        return on(dc.id, dc.name);
      }
      case 'NODE': {
        const dc = rng.pick(c.dcs);
        const node = a.kind === 'ADD_NODE' ? { id: rng.uuid(), name: `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(2, 254)}` } : rng.pick(c.nodes);
        Object.assign(vars, { dc: dc.name, node: node.name, size: rng.pick(NAMES.nodeSizes) });
        return on(node.id, node.name);
      }
      case 'KAFKA_TOPIC': {
        const topic = rng.pick(NAMES.topics);
        vars.topic = topic;
        return on(uuidOf(c.id, 'topic', topic), topic);
      }
      case 'KAFKA_ACL': {
        if (a.crud === 'READ') return on(c.id, c.name);
        const principal = `User:${rng.pick(NAMES.kafkaUsers)}`;
        vars.principal = principal;
        return on(uuidOf(c.id, 'acl', principal), principal);
      }
      case 'KAFKA_USER':
      case 'BUNDLE_USER': {
        if (a.crud === 'READ') return on(c.id, c.name);
        const user = a.kind === 'RESET_DEFAULT_USER_PASSWORD' ? 'icadmin' : rng.pick(a.domainType === 'KAFKA_USER' ? NAMES.kafkaUsers : NAMES.bundleUsers);
        vars.user = user;
        return on(uuidOf(c.id, a.domainType, user), user);
      }
      case 'BACKUP':
      case 'MAINTENANCE_EXCLUSION_WINDOW':
        return on(rng.uuid(), c.name);
      case 'BACKUP_SCHEDULE':
        return on(uuidOf(c.id, 'schedule'), c.name);
      case 'MAINTENANCE_EVENT': {
        const id = rng.uuid();
        vars.event = id.slice(0, 8);
        vars.time = iso(from + rng.int(2, 14) * DAY + rng.int(0, 23) * HOUR);
        return on(id, c.name);
      }
      case 'CONFIG_OVERRIDE': {
        const key = rng.pick(NAMES.configKeys);
        vars.key = key;
        return on(uuidOf(c.id, 'override', key), key);
      }
      case 'KAFKA_LISTENER': {
        const listener = a.kind.includes('PRIVATE_LINK') ? 'PRIVATE_LINK_SASL_SSL:9096' : rng.pick(NAMES.listeners);
        vars.listener = listener;
        return on(uuidOf(c.id, 'listener', listener), listener);
      }
      case 'PRIVATE_LINK': {
        if (!a.template.includes('{arn}')) return on(uuidOf(c.id, 'private-link'), c.name);
        const arn = `arn:aws:iam::${String(hashSeed(seed, account.accountId)).padStart(12, '0').slice(0, 12)}:role/${rng.pick(NAMES.kafkaUsers)}`;
        vars.arn = arn;
        return on(uuidOf(c.id, 'principal', arn), arn);
      }
      case 'KAFKA_CONNECT_MIRROR': {
        const others = (alive.get(account) ?? []).filter((x) => x.product.short === 'kafka' && x.id !== c.id);
        const source = others.length ? rng.pick(others).name : 'onprem-kafka-dc1';
        vars.sourceCluster = source;
        return on(uuidOf(c.id, 'mirror', source), source);
      }
      case 'VPC_PEERING': {
        const vpc = `vpc-${new Rng(hashSeed(seed, account.accountId, 'vpc', rng.int(0, 2))).hex(17)}`;
        vars.peerVpc = vpc;
        return on(uuidOf(account.accountId, vpc), vpc);
      }
      case 'ENCRYPTION_KEY': {
        const alias = rng.pick(NAMES.encryptionAliases);
        vars.alias = alias;
        return on(uuidOf(account.accountId, 'kms', alias), alias);
      }
      case 'ACCOUNT':
        vars.ssoType = rng.pick(NAMES.ssoTypes);
        return on(account.accountId, account.name);
      case 'ORGANISATION':
        return on(world.organisationId, world.organisationName);
      case 'SERVICE_USER': {
        const name = rng.pick(['svc-monitoring', 'svc-backup', 'svc-dbt', 'svc-argo']);
        vars.user = name;
        return on(uuidOf(account.accountId, 'service-user', name), name);
      }
      case 'USER': {
        if (SELF_KINDS.has(a.kind)) {
          vars.email = actor.userName;
          return on(actor.userId, actor.userName);
        }
        if (MEMBER_KINDS.has(a.kind)) {
          const u = rng.pick(membersOf(account).filter((x) => !x.service));
          Object.assign(vars, { email: u.userName, role: rng.pick(NAMES.roles), level: rng.pick(NAMES.accessLevels) });
          return on(u.userId, u.userName);
        }
        return outsider();
      }
      default:
        return null;
    }
  };

  const act = (t: number, kinds: ActionKind[], actor: Actor, account: Account, tries = 3): number => {
    for (let i = 0; i < tries; i++) {
      const a = rng.weighted(kinds);
      const target = a.org ? { domainId: world.organisationId, domainName: world.organisationName, vars: { org: world.organisationName } } : targetFor(a, actor, account);
      if (!target) continue;
      if (a.kind === 'ORGANISATION_INVITE_USER' || a.kind === 'ORGANISATION_REMOVE_USER') {
        const email = `${rng.pick(NAMES.invitees)}${rng.int(1, 40)}@${world.domain}`;
        Object.assign(target, { domainId: uuidOf(seed, 'user', email), domainName: email, vars: { org: world.organisationName, email } });
      }
      record(t, a.kind, actor, account, target);
      // An invitation is usually accepted a few hours later by the invitee.
      if (a.kind === 'ACCOUNT_INVITE_USER' && rng.chance(0.7)) {
        const at = t + rng.int(20 * 60_000, 6 * HOUR);
        if (at <= last) record(at, 'ACCOUNT_ACCEPT_INVITATION', { userName: target.domainName!, userId: target.domainId!, support: false }, account, target);
      }
      return 1;
    }
    return 0;
  };

  // Customer sessions: a login, then a few actions in one account.
  const humans = world.users.filter((u) => u.person);
  const byPerson = new Map(humans.map((u) => [u.person!, u]));
  for (const s of daySessions(rng, humans.map((u) => u.person!), from, 0.5)) {
    const user = byPerson.get(s.person)!;
    const m = rng.pick(user.memberships);
    const actor = asActor(user);
    const self: Target = { domainId: user.userId, domainName: user.userName, vars: { email: user.userName } };
    let t = s.start;
    if (rng.chance(0.04)) {
      record(t, 'USER_LOGIN_FAILED', actor, m.account, self);
      t += rng.int(10_000, 90_000);
    }
    record(t, 'USER_LOGIN', actor, m.account, self);
    const n = rng.int(0, m.role === 'READ_ONLY' || m.role === 'BILLING' ? 2 : 5);
    for (let i = 0; i < n; i++) {
      t += rng.int(20_000, 600_000);
      if (user.organisationAdmin && rng.chance(0.1)) act(t, CHOICES.ORG, actor, m.account);
      else act(t, CHOICES[m.role], actor, m.account);
    }
  }

  // Service users (Terraform, CI) work around the clock through their API keys.
  for (const u of world.users.filter((x) => x.service)) {
    const account = u.memberships[0].account;
    const n = rng.poisson(2.5);
    for (let i = 0; i < n; i++) act(from + rng.int(0, DAY - 1), CHOICES.SERVICE, asActor(u), account);
  }

  // Instaclustr Support: a few actions a day across accounts, marked as such.
  const supportCount = rng.poisson(1.4);
  for (let i = 0; i < supportCount; i++) {
    const staff = rng.pick(world.support);
    const account = rng.pick(world.accounts);
    act(from + rng.int(0, DAY - 1), CHOICES.SUPPORT, { ...staff, support: true }, account);
  }

  // Ties on a millisecond are ordered by id so that newest-first paging breaks ties by id descending.
  out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}
