/**
 * What an action targets: the domain object (id and name) and the words its description is filled
 * with. Draws from the day's detail generator in a fixed order per kind, which is part of the history a
 * seed names. Whether an action has a target at all is decided without drawing (hasTarget).
 */
import type { Person } from '../../fixtures/company.js';
import { NAMES, type ActionKind, type DomainType } from '../../fixtures/catalogues/instaclustr.js';
import { Rng, hashSeed } from '../core/rng.js';
import { iso } from '../core/time.js';
import type { Cluster } from './lifetimes.js';
import { uuidOf, type Account, type InstaclustrWorld, type Role, type User } from './world.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface Actor {
  userName: string;
  userId: string;
  support: boolean;
  person?: Person;
}

export interface Target {
  domainId: string | null;
  domainName: string | null;
  vars: Record<string, string>;
}

/** What the generator of one day knows when it picks a target. */
export interface DayScene {
  world: InstaclustrWorld;
  /**
   * Draws for what records name (ids, addresses, names, which cluster): a stream of their own from
   * the second stream of a volume on, so that counting a day's actions can skip them (see
   * countDay); the day's one generator in the seed's own stream, whose history predates the split.
   */
  detail: Rng;
  /** Start of the day, ms. */
  from: number;
  /** Clusters alive all day, by account (its index); those born or dying that day get only their lifecycle events. */
  alive: Cluster[][];
}

/** The action being aimed: its kind, who does it where, and the description's words so far. */
interface Aim {
  scene: DayScene;
  a: ActionKind;
  actor: Actor;
  account: Account;
  vars: Record<string, string>;
}

type ClusterAim = Aim & { c: Cluster };

export const SELF_KINDS = new Set(['USER_LOGIN', 'USER_LOGIN_FAILED', 'USER_ENABLE_MFA', 'USER_DISABLE_MFA', 'USER_CHANGE_PASSWORD']);
const MEMBER_KINDS = new Set(['ACCOUNT_MODIFY_LINK', 'ACCOUNT_CREATE_LINK', 'ADMIN_SET_ACCESS_LEVEL']);

// Memberships are fixed per world, and every day asks for the same lists again.
const members = new WeakMap<InstaclustrWorld, Map<Account, Map<Roles, User[]>>>();

/** Who may act in an account: the lists members are looked up by (the same array each time, so a cheap key). */
export const ADMINS: readonly Role[] = ['OWNER', 'CLUSTER_ADMIN'];
export const OWNERS: readonly Role[] = ['OWNER'];
type Roles = readonly Role[] | 'people' | '*';

const holds = (u: User, account: Account, roles: Roles) =>
  (roles !== 'people' || !u.service) && u.memberships.some((m) => m.account === account && (typeof roles === 'string' || roles.includes(m.role)));

/** Members of an account in one of `roles` (all of them by default; `people`: not service users). */
export function membersOf(world: InstaclustrWorld, account: Account, roles: Roles = '*'): User[] {
  let byAccount = members.get(world);
  if (!byAccount) members.set(world, (byAccount = new Map()));
  let byRoles = byAccount.get(account);
  if (!byRoles) byAccount.set(account, (byRoles = new Map()));
  let list = byRoles.get(roles);
  if (!list) byRoles.set(roles, (list = world.users.filter((u) => holds(u, account, roles))));
  return list;
}

const on = (aim: Aim, domainId: string | null, domainName: string | null): Target => ({ domainId, domainName, vars: aim.vars });

/** Sets one description word to a drawn value and targets the object named by it. */
function named(aim: Aim, word: string, value: string, id: string): Target {
  aim.vars[word] = value;
  return on(aim, id, value);
}

/** Someone outside the company's Instaclustr users, e.g. an invitee. */
export function outsiderEmail(rng: Rng, world: InstaclustrWorld): string {
  return `${rng.pick(NAMES.invitees)}${rng.int(1, 40)}@${world.domain}`;
}

const nodeAddress = (rng: Rng) => `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(2, 254)}`;

function clusterTarget({ scene: { detail: rng, from }, c, ...aim }: ClusterAim): Target {
  Object.assign(aim.vars, {
    pointInTime: iso(from - rng.int(1, 72) * HOUR),
    version: rng.pick(c.product.versions),
    onOff: rng.pick(['on', 'off']),
    cidr: `${rng.pick(['198.51.100', '203.0.113', '10.40.0'])}.${rng.int(0, 255)}/32`,
    ruleType: c.product.short === 'kafka' ? 'KAFKA' : 'CASSANDRA_CQL',
    addedOrRemoved: rng.pick(['added to', 'removed from']),
  });
  return { domainId: c.id, domainName: c.name, vars: aim.vars };
}

function nodeTarget(aim: ClusterAim): Target {
  const { detail: rng } = aim.scene;
  const dc = rng.pick(aim.c.dcs);
  const node = aim.a.kind === 'ADD_NODE' ? { id: rng.uuid(), name: nodeAddress(rng) } : rng.pick(aim.c.nodes);
  Object.assign(aim.vars, { dc: dc.name, node: node.name, size: rng.pick(NAMES.nodeSizes) });
  return on(aim, node.id, node.name);
}

/** Reads of a cluster's users or ACLs target the cluster; changes target one user or principal. */
function clusterUserTarget(aim: ClusterAim): Target {
  const { a, c, scene } = aim;
  if (a.crud === 'READ') return on(aim, c.id, c.name);
  const user = a.kind === 'RESET_DEFAULT_USER_PASSWORD' ? 'icadmin' : scene.detail.pick(a.domainType === 'KAFKA_USER' ? NAMES.kafkaUsers : NAMES.bundleUsers);
  return named(aim, 'user', user, uuidOf(c.id, a.domainType, user));
}

function maintenanceEventTarget(aim: ClusterAim): Target {
  const { detail: rng, from } = aim.scene;
  const id = rng.uuid();
  aim.vars.event = id.slice(0, 8);
  aim.vars.time = iso(from + rng.int(2, 14) * DAY + rng.int(0, 23) * HOUR);
  return on(aim, id, aim.c.name);
}

function privateLinkTarget(aim: ClusterAim): Target {
  const { c, scene } = aim;
  if (!aim.a.template.includes('{arn}')) return on(aim, uuidOf(c.id, 'private-link'), c.name);
  const account = String(hashSeed(scene.world.seed, aim.account.accountId)).padStart(12, '0').slice(0, 12);
  const arn = `arn:aws:iam::${account}:role/${scene.detail.pick(NAMES.kafkaUsers)}`;
  return named(aim, 'arn', arn, uuidOf(c.id, 'principal', arn));
}

function mirrorTarget(aim: ClusterAim): Target {
  const { c, scene } = aim;
  const others = (scene.alive[aim.account.index] ?? []).filter((x) => x.product.short === 'kafka' && x.id !== c.id);
  const source = others.length ? scene.detail.pick(others).name : 'onprem-kafka-dc1';
  return named(aim, 'sourceCluster', source, uuidOf(c.id, 'mirror', source));
}

/** Domain types of the kinds that act on a live cluster (the catalogue's `cluster` kinds). */
const CLUSTER_TARGETS: Partial<Record<DomainType, (aim: ClusterAim) => Target>> = {
  CLUSTER: clusterTarget,
  DATA_CENTRE: (aim) => {
    const dc = aim.scene.detail.pick(aim.c.dcs);
    aim.vars.dc = dc.name;
    aim.vars.size = aim.scene.detail.pick(NAMES.nodeSizes);
    return on(aim, dc.id, dc.name);
  },
  NODE: nodeTarget,
  KAFKA_TOPIC: (aim) => {
    const topic = aim.scene.detail.pick(NAMES.topics);
    return named(aim, 'topic', topic, uuidOf(aim.c.id, 'topic', topic));
  },
  KAFKA_ACL: (aim) => {
    if (aim.a.crud === 'READ') return on(aim, aim.c.id, aim.c.name);
    const principal = `User:${aim.scene.detail.pick(NAMES.kafkaUsers)}`;
    return named(aim, 'principal', principal, uuidOf(aim.c.id, 'acl', principal));
  },
  KAFKA_USER: clusterUserTarget,
  BUNDLE_USER: clusterUserTarget,
  BACKUP: (aim) => on(aim, aim.scene.detail.uuid(), aim.c.name),
  MAINTENANCE_EXCLUSION_WINDOW: (aim) => on(aim, aim.scene.detail.uuid(), aim.c.name),
  BACKUP_SCHEDULE: (aim) => on(aim, uuidOf(aim.c.id, 'schedule'), aim.c.name),
  MAINTENANCE_EVENT: maintenanceEventTarget,
  CONFIG_OVERRIDE: (aim) => {
    const key = aim.scene.detail.pick(NAMES.configKeys);
    return named(aim, 'key', key, uuidOf(aim.c.id, 'override', key));
  },
  KAFKA_LISTENER: (aim) => {
    const listener = aim.a.kind.includes('PRIVATE_LINK') ? 'PRIVATE_LINK_SASL_SSL:9096' : aim.scene.detail.pick(NAMES.listeners);
    return named(aim, 'listener', listener, uuidOf(aim.c.id, 'listener', listener));
  },
  PRIVATE_LINK: privateLinkTarget,
  KAFKA_CONNECT_MIRROR: mirrorTarget,
};

/** Users: oneself, a member of the account, or someone invited from outside. */
function userTarget(aim: Aim): Target {
  const { a, actor, scene } = aim;
  if (SELF_KINDS.has(a.kind)) return named(aim, 'email', actor.userName, actor.userId);
  if (MEMBER_KINDS.has(a.kind)) {
    const u = scene.detail.pick(membersOf(scene.world, aim.account, 'people'));
    Object.assign(aim.vars, { email: u.userName, role: scene.detail.pick(NAMES.roles), level: scene.detail.pick(NAMES.accessLevels) });
    return on(aim, u.userId, u.userName);
  }
  const email = outsiderEmail(scene.detail, scene.world);
  return named(aim, 'email', email, uuidOf(scene.world.seed, 'user', email));
}

/** Domain types of the kinds that act on the account itself. */
const ACCOUNT_TARGETS: Partial<Record<DomainType, (aim: Aim) => Target>> = {
  VPC_PEERING: (aim) => {
    const { detail: rng, world } = aim.scene;
    const vpc = `vpc-${new Rng(hashSeed(world.seed, aim.account.accountId, 'vpc', rng.int(0, 2))).hex(17)}`;
    return named(aim, 'peerVpc', vpc, uuidOf(aim.account.accountId, vpc));
  },
  ENCRYPTION_KEY: (aim) => {
    const alias = aim.scene.detail.pick(NAMES.encryptionAliases);
    return named(aim, 'alias', alias, uuidOf(aim.account.accountId, 'kms', alias));
  },
  ACCOUNT: (aim) => {
    aim.vars.ssoType = aim.scene.detail.pick(NAMES.ssoTypes);
    return on(aim, aim.account.accountId, aim.account.name);
  },
  ORGANISATION: (aim) => on(aim, aim.scene.world.organisationId, aim.scene.world.organisationName),
  SERVICE_USER: (aim) => {
    const name = aim.scene.detail.pick(['svc-monitoring', 'svc-backup', 'svc-dbt', 'svc-argo']);
    return named(aim, 'user', name, uuidOf(aim.account.accountId, 'service-user', name));
  },
  USER: userTarget,
};

/** Live clusters an action of kind `a` may act on in `account` today. */
function liveFor(scene: DayScene, a: ActionKind, account: Account): Cluster[] {
  const alive = scene.alive[account.index] ?? [];
  return a.cluster === 'any' ? alive : alive.filter((c) => c.product.short === 'kafka');
}

/** Whether targetFor finds a target, decided without a draw (every target maker makes one). */
export function hasTarget(scene: DayScene, a: ActionKind, account: Account): boolean {
  if (!a.cluster) return ACCOUNT_TARGETS[a.domainType] !== undefined;
  const alive = scene.alive[account.index] ?? [];
  return CLUSTER_TARGETS[a.domainType] !== undefined && (a.cluster === 'any' ? alive.length > 0 : alive.some((c) => c.product.short === 'kafka'));
}

/** The target of an account-level action, or null when it has none today (no live cluster of the kind it needs). */
export function targetFor(scene: DayScene, a: ActionKind, actor: Actor, account: Account): Target | null {
  const vars: Record<string, string> = { account: account.name, org: scene.world.organisationName };
  if (!a.cluster) return ACCOUNT_TARGETS[a.domainType]?.({ scene, a, actor, account, vars }) ?? null;
  const live = liveFor(scene, a, account);
  if (!live.length) return null;
  const c = scene.detail.pick(live);
  Object.assign(vars, { name: c.name, cluster: c.name, bundle: c.product.bundle });
  return CLUSTER_TARGETS[a.domainType]?.({ scene, a, actor, account, vars, c }) ?? null;
}
