import { randomUUID } from 'node:crypto';
import { FactsTable, type ActionFacts } from './facts.js';
import type { Person } from '../../fixtures/company.js';
import { ACTION_BY_KIND, ACTION_KINDS, type ActionKind } from '../../fixtures/catalogues/instaclustr.js';
import type { components } from '../../openapi/generated/instaclustr.js';
import type { EventSummary } from '../core/provider.js';
import { Crowd, daySessions } from '../core/rhythm.js';
import { Rng, WeightedTable, hashSeed, mixSeed } from '../core/rng.js';
import { iso } from '../core/time.js';
import { lifetimesOf, type Cluster, type KeyIncarnation } from './lifetimes.js';
import { ADMINS, OWNERS, SELF_KINDS, hasTarget, membersOf, outsiderEmail, targetFor, type Actor, type DayScene, type Target } from './targets.js';
import { uuidOf, type Account, type InstaclustrWorld, type KeySlot, type Role, type User } from './world.js';

/** One user action: all thirteen keys, always present. */
export type UserAction = components['schemas']['UserAction'];
type UserActionInput = components['schemas']['UserActionInput'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const BILLING_KINDS = new Set(['ACCOUNT_UPDATE_BILLING_DETAILS', 'ACCOUNT_UPDATE_CONTACTS', 'USER_CHANGE_PASSWORD', 'USER_ENABLE_MFA']);
const SERVICE_KINDS = new Set([
  'CHANGE_CLUSTER_SETTINGS',
  'CHANGE_CLUSTER_FIREWALL_RULES',
  'CREATE_KAFKA_TOPIC',
  'EDIT_KAFKA_TOPIC',
  'CREATE_KAFKA_ACLS',
  'CREATE_BUNDLE_USER',
  'UPDATE_CLUSTER_TAGS',
  'BACKUP',
  'DESCRIBE_KAFKA_TOPIC',
  'LIST_KAFKA_ACLS',
  'CREATE_KAFKA_USER',
  'DISPLAY_KAFKA_TOPIC_CONFIG',
]);
const USER_ADMIN_TYPES = new Set(['USER', 'SERVICE_USER', 'ACCOUNT', 'ENCRYPTION_KEY']);

const customer = ACTION_KINDS.filter((a) => a.weight > 0 && !a.supportOnly && !a.org);
/** The mix of actions each kind of actor draws from. */
const KINDS: Record<Role | 'SERVICE' | 'ORG' | 'SUPPORT', ActionKind[]> = {
  OWNER: customer,
  CLUSTER_ADMIN: customer.filter((a) => !USER_ADMIN_TYPES.has(a.domainType) || SELF_KINDS.has(a.kind)),
  READ_ONLY: customer.filter((a) => a.crud === 'READ'),
  BILLING: customer.filter((a) => BILLING_KINDS.has(a.kind)),
  SERVICE: customer.filter((a) => SERVICE_KINDS.has(a.kind)),
  ORG: ACTION_KINDS.filter((a) => a.org && a.weight > 0),
  SUPPORT: ACTION_KINDS.filter((a) => (a.supportWeight ?? 0) > 0).map((a) => ({ ...a, weight: a.supportWeight! })),
};

/** A mix of actions, also as a table of running weights (what the streams of a volume draw from). */
interface Choice {
  kinds: ActionKind[];
  table: WeightedTable<ActionKind>;
}

const CHOICES = Object.fromEntries(Object.entries(KINDS).map(([who, kinds]) => [who, { kinds, table: new WeightedTable(kinds) }])) as Record<
  keyof typeof KINDS,
  Choice
>;

/** One day being generated: the scene targets are picked in, and the records so far. */
interface Day extends DayScene {
  day: number;
  /** Last millisecond of the day: records never spill into the next bucket. */
  last: number;
  /** The seed's own stream, whose history predates volumes: it draws as it always has (see `detail`). */
  legacy: boolean;
  /** Draws for whether, what, who and when: everything a count of the day depends on. */
  rng: Rng;
  /** The records so far; null while the day is only counted (see dayFacts)... */
  out: UserAction[] | null;
  /** ...into these, made by `table`. */
  facts: ActionFacts[];
  table: FactsTable;
}

const mod = (n: number, m: number) => ((n % m) + m) % m;

// A template split once into its text (even places) and its words (odd places).
const templates = new Map<string, string[]>();

function fill(template: string, vars: Record<string, string>): string {
  let parts = templates.get(template);
  if (!parts) templates.set(template, (parts = template.split(/\{(\w+)\}/)));
  let s = parts[0];
  for (let i = 1; i < parts.length; i += 2) s += (vars[parts[i]] ?? parts[i]) + parts[i + 1];
  return s;
}

/** A time within the person's working hours on the UTC day starting at `from`. */
function workTime(rng: Rng, person: Person | undefined, from: number): number {
  if (!person) return from + rng.int(0, DAY - 1);
  const localHour = person.workStart + rng.next() * (person.workEnd - person.workStart - 0.5);
  return from + mod(Math.floor((localHour - person.utcOffset) * HOUR), DAY);
}

const asActor = (u: User): Actor => ({ userName: u.userName, userId: u.userId, support: false, person: u.person });

function record(d: Day, t: number, kind: string, actor: Actor, account: Account | null, target: Target): void {
  const a = ACTION_BY_KIND.get(kind)!;
  const accountId = a.org ? null : (account?.accountId ?? null);
  const organisationId = a.org ? d.world.organisationId : (account?.organisationId ?? null);
  if (d.out === null) return void d.facts.push(d.table.of(a.kind, a.crud, accountId, organisationId));
  d.out.push({
    id: d.detail.uuid(),
    action: a.kind,
    crudOperation: a.crud,
    domainType: a.domainType,
    domainId: target.domainId,
    domainName: target.domainName,
    description: fill(a.template, target.vars),
    timestamp: iso(Math.min(Math.max(t, d.from), d.last)),
    userName: actor.userName,
    userId: actor.userId,
    accountId,
    organisationId,
    performedByInstaclustrSupport: actor.support,
  });
}

/** History for one day bucket [from, to): a function of the world's seed and the bucket only. */
export function generateDay(world: InstaclustrWorld, from: number, to: number, bucket: number): UserAction[] {
  const out = play(world, from, to, bucket, [], NO_TABLE).out!;
  // Ties on a millisecond are ordered by id so that newest-first paging breaks ties by id descending.
  out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

/**
 * The facts of generateDay's records, one per record (in no particular order), for counting. A
 * stream with a detail generator of its own is played without naming anything: every draw that
 * decides whether, what, who and when is made, no detail is. The seed's own stream draws both from
 * one generator, so its records are made and reduced.
 */
export function dayFacts(world: InstaclustrWorld, from: number, to: number, bucket: number, table: FactsTable): ActionFacts[] {
  if (world.stream > 0) return play(world, from, to, bucket, null, table).facts;
  return generateDay(world, from, to, bucket).map((r) => table.of(r.action, r.crudOperation, r.accountId, r.organisationId));
}

const NO_TABLE = new FactsTable();

/** Detail generators are seeded apart from their day's: the day's seed mixed with this. */
const DETAIL = 0x64657461;

function play(world: InstaclustrWorld, from: number, to: number, bucket: number, out: UserAction[] | null, table: FactsTable): Day {
  const legacy = world.stream === 0;
  const seed = legacy ? hashSeed(world.seed, 'instaclustr', bucket) : mixSeed(world.seed, bucket);
  const rng = new Rng(seed);
  const detail = legacy ? rng : new Rng(mixSeed(seed, DETAIL));
  const d: Day = { world, legacy, rng, detail, from, alive: new Map(), day: Math.floor(from / DAY), last: to - 1, out, facts: [], table };
  clusterLifecycles(d);
  keyLifecycles(d);
  customerSessions(d);
  serviceWork(d);
  supportWork(d);
  return d;
}

/** Clusters born or dying today get their lifecycle events; the others are alive for today's work. */
function clusterLifecycles(d: Day): void {
  for (const w of lifetimesOf(d.world).clusters) {
    const { before, last } = w.at(d.day);
    if (before.createdDay <= d.day && d.day <= before.deletedDay) clusterDay(d, before);
    if (last.createdDay <= d.day && d.day <= last.deletedDay) clusterDay(d, last);
  }
}

function clusterDay(d: Day, c: Cluster): void {
  const acting = c.createdDay === d.day || c.deletedDay === d.day;
  if (!acting && !d.legacy) return void aliveIn(d, c.account).push(c);
  const admins = membersOf(d.world, c.account, ADMINS);
  // The seed's own stream draws an admin every day, acting or not: its history depends on the draw.
  const admin = d.rng.pick(admins);
  if (c.createdDay === d.day) clusterCreated(d, c, asActor(admin));
  else if (c.deletedDay === d.day) clusterDeleted(d, c, asActor(admin), admins);
  else aliveIn(d, c.account).push(c);
}

function aliveIn(d: Day, account: Account): Cluster[] {
  let list = d.alive.get(account);
  if (!list) d.alive.set(account, (list = []));
  return list;
}

const UNNAMED: Target = Object.freeze({ domainId: null, domainName: null, vars: {} });

/** A target as `make` names it; while only counting, none (nothing is drawn or read for it). */
const named = (d: Day, make: () => Target): Target => (d.out === null ? UNNAMED : make());

const clusterTarget = (c: Cluster): Target => ({ domainId: c.id, domainName: c.name, vars: { name: c.name } });

/** A new cluster comes with a backup schedule and a first firewall rule. */
function clusterCreated(d: Day, c: Cluster, actor: Actor): void {
  const { rng } = d;
  const t = workTime(rng, actor.person, d.from);
  record(
    d,
    t,
    'CREATE_CLUSTER',
    actor,
    c.account,
    named(d, () => clusterTarget(c)),
  );
  record(
    d,
    t + rng.int(60_000, 900_000),
    'CREATE_BACKUP_SCHEDULE',
    actor,
    c.account,
    named(d, () => ({ ...clusterTarget(c), domainId: uuidOf(c.id, 'schedule') })),
  );
  // Time before address: the order of the draws is part of the history a seed names.
  const at = t + rng.int(900_000, 3_000_000);
  const cidr = `198.51.100.${d.detail.int(0, 255)}/32`;
  const rule = () => ({ name: c.name, cidr, ruleType: c.product.short === 'kafka' ? 'KAFKA' : 'CASSANDRA_CQL', addedOrRemoved: 'added to' });
  record(
    d,
    at,
    'CHANGE_CLUSTER_FIREWALL_RULES',
    actor,
    c.account,
    named(d, () => ({ ...clusterTarget(c), vars: rule() })),
  );
}

/** Deletion is requested by one admin and, where the account has another, approved by that one. */
function clusterDeleted(d: Day, c: Cluster, actor: Actor, admins: User[]): void {
  const { rng } = d;
  const t = workTime(rng, actor.person, d.from);
  record(
    d,
    t,
    'REQUEST_CLUSTER_DELETE',
    actor,
    c.account,
    named(d, () => clusterTarget(c)),
  );
  const approver = admins.length > 1 ? asActor(rng.pick(admins.filter((u) => u.userName !== actor.userName))) : actor;
  record(
    d,
    t + rng.int(600_000, 3 * HOUR),
    'DELETE_CLUSTER',
    approver,
    c.account,
    named(d, () => clusterTarget(c)),
  );
}

/** API keys: generated by their owner, revoked by the owner (or an account owner) on a later day. */
function keyLifecycles(d: Day): void {
  for (const { slot, key } of lifetimesOf(d.world).keys.on(d.day)) keyDay(d, slot, key);
}

function keyDay(d: Day, s: KeySlot, key: KeyIncarnation): void {
  const { rng, from, day } = d;
  const target = named(d, () => ({ domainId: key.id, domainName: `${key.keyType} API key`, vars: { keyType: key.keyType } }));
  const prefix = key.account ? 'ACCOUNT' : 'ORGANISATION';
  if (key.generatedDay === day) record(d, workTime(rng, s.user.person, from), `${prefix}_GENERATE_API_KEY`, asActor(s.user), key.account, target);
  if (key.revokedDay === day) {
    const owners = key.account && !s.user.service ? membersOf(d.world, key.account, OWNERS) : [];
    const by = owners.length && rng.chance(0.2) ? rng.pick(owners) : s.user;
    record(d, workTime(rng, by.person, from), `${prefix}_REVOKE_API_KEY`, asActor(by), key.account, target);
  }
}

const organisationTarget = (world: InstaclustrWorld): Target => ({
  domainId: world.organisationId,
  domainName: world.organisationName,
  vars: { org: world.organisationName },
});

/** What an action is done to; while only counting, a target without details (none is drawn). */
function aim(d: Day, a: ActionKind, actor: Actor, account: Account): Target | null {
  if (d.out === null) return a.org || hasTarget(d, a, account) ? UNNAMED : null;
  return a.org ? organisationTarget(d.world) : targetFor(d, a, actor, account);
}

/** One action drawn from `kinds`, retried a few times when the kind has no target today; 1 when recorded. */
function act(d: Day, t: number, kinds: Choice, actor: Actor, account: Account, tries = 3): number {
  const { rng, world } = d;
  for (let i = 0; i < tries; i++) {
    const a = d.legacy ? rng.weighted(kinds.kinds) : kinds.table.pick(rng);
    const target = aim(d, a, actor, account);
    if (!target) continue;
    if (d.out !== null && (a.kind === 'ORGANISATION_INVITE_USER' || a.kind === 'ORGANISATION_REMOVE_USER')) {
      const email = outsiderEmail(d.detail, world);
      Object.assign(target, { domainId: uuidOf(world.seed, 'user', email), domainName: email, vars: { org: world.organisationName, email } });
    }
    record(d, t, a.kind, actor, account, target);
    // An invitation is usually accepted a few hours later by the invitee.
    if (a.kind === 'ACCOUNT_INVITE_USER' && rng.chance(0.7)) {
      const at = t + rng.int(20 * 60_000, 6 * HOUR);
      if (at <= d.last) record(d, at, 'ACCOUNT_ACCEPT_INVITATION', { userName: target.domainName!, userId: target.domainId!, support: false }, account, target);
    }
    return 1;
  }
  return 0;
}

/** Customer sessions per person and working day, scaled by the person's activity. */
const SESSIONS_PER_DAY = 0.5;

/** The people behind a world's users and its service users: fixed per world, asked for every day. */
interface Cast {
  people: Person[];
  /** The people as a crowd: the sessions of streams after the seed's own. */
  crowd: Crowd;
  /** Instaclustr Support's staff as actors, in the world's order. */
  support: Actor[];
  byPerson: Map<Person, User>;
  service: User[];
}

const casts = new WeakMap<InstaclustrWorld, Cast>();

function castOf(world: InstaclustrWorld): Cast {
  let cast = casts.get(world);
  if (!cast) {
    const humans = world.users.filter((u) => u.person);
    const byPerson = new Map(humans.map((u) => [u.person!, u]));
    const people = humans.map((u) => u.person!);
    const support = world.support.map((staff) => ({ ...staff, support: true }));
    casts.set(world, (cast = { people, crowd: new Crowd(people, SESSIONS_PER_DAY), support, byPerson, service: world.users.filter((u) => u.service) }));
  }
  return cast;
}

/** Customer sessions: a login, then a few actions in one account. */
function customerSessions(d: Day): void {
  const { rng } = d;
  const { people, byPerson, crowd } = castOf(d.world);
  for (const s of d.legacy ? daySessions(rng, people, d.from, SESSIONS_PER_DAY) : crowd.sessions(rng, d.from)) {
    const user = byPerson.get(s.person)!;
    const m = rng.pick(user.memberships);
    const actor = asActor(user);
    const self = d.out && { domainId: user.userId, domainName: user.userName, vars: { email: user.userName } };
    let t = s.start;
    if (rng.chance(0.04)) {
      record(d, t, 'USER_LOGIN_FAILED', actor, m.account, self ?? UNNAMED);
      t += rng.int(10_000, 90_000);
    }
    record(d, t, 'USER_LOGIN', actor, m.account, self ?? UNNAMED);
    const n = rng.int(0, m.role === 'READ_ONLY' || m.role === 'BILLING' ? 2 : 5);
    for (let i = 0; i < n; i++) {
      t += rng.int(20_000, 600_000);
      if (user.organisationAdmin && rng.chance(0.1)) act(d, t, CHOICES.ORG, actor, m.account);
      else act(d, t, CHOICES[m.role], actor, m.account);
    }
  }
}

/** Service users (Terraform, CI) work around the clock through their API keys. */
function serviceWork(d: Day): void {
  for (const u of castOf(d.world).service) {
    const account = u.memberships[0].account;
    const n = d.rng.poisson(2.5);
    for (let i = 0; i < n; i++) act(d, d.from + d.rng.int(0, DAY - 1), CHOICES.SERVICE, asActor(u), account);
  }
}

/** Instaclustr Support: a few actions a day across accounts, marked as such. */
function supportWork(d: Day): void {
  const count = d.rng.poisson(1.4);
  for (let i = 0; i < count; i++) {
    const staff = d.rng.pick(castOf(d.world).support);
    const account = d.rng.pick(d.world.accounts);
    act(d, d.from + d.rng.int(0, DAY - 1), CHOICES.SUPPORT, staff, account);
  }
}

/** An injected record with the catalogue's and the world's defaults filled in (account: the primary account). */
export function normalizeAction(world: InstaclustrWorld, input: Record<string, unknown>): UserAction {
  // The core has validated the input against UserActionInput.
  const r = input as UserActionInput;
  const kind = ACTION_BY_KIND.get(r.action)!;
  const prod = world.accounts[0].accountId;
  const accountId = r.accountId === undefined ? (kind.org ? null : prod) : r.accountId;
  const account = world.accounts.find((a) => a.accountId === accountId);
  return {
    id: r.id ?? randomUUID(),
    action: r.action,
    crudOperation: r.crudOperation ?? kind.crud,
    domainType: r.domainType ?? kind.domainType,
    domainId: r.domainId ?? null,
    domainName: r.domainName ?? null,
    description: r.description ?? kind.template,
    timestamp: iso(Date.parse(r.timestamp)),
    userName: r.userName,
    userId: r.userId ?? world.byUserName.get(r.userName)?.userId ?? uuidOf(world.seed, 'user', r.userName),
    accountId,
    organisationId: r.organisationId !== undefined ? r.organisationId : accountId === null ? world.organisationId : (account?.organisationId ?? null),
    performedByInstaclustrSupport: r.performedByInstaclustrSupport ?? false,
  };
}

export function summarizeAction(r: UserAction): EventSummary {
  return {
    actor: r.performedByInstaclustrSupport ? `${r.userName} (Instaclustr Support)` : r.userName,
    action: r.action,
    outcome: r.action === 'USER_LOGIN_FAILED' ? 'failure' : 'success',
    target: r.domainName ? `${r.domainType} ${r.domainName}` : undefined,
  };
}
