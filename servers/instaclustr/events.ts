import { randomUUID } from 'node:crypto';
import type { Person } from '../../fixtures/company.js';
import { ACTION_BY_KIND, ACTION_KINDS, kindNamed, type ActionKind } from '../../fixtures/catalogues/instaclustr.js';
import type { components } from '../../openapi/generated/instaclustr.js';
import type { EventSummary } from '../core/provider.js';
import { Crowd, daySessions } from '../core/rhythm.js';
import { Rng, WeightedTable, hashSeed, mixSeed } from '../core/rng.js';
import { iso } from '../core/time.js';
import { DAY, HOUR, UNNAMED, asActor, nameless, record, type Day, type Keep } from './day.js';
import type { FactsTable, Span } from './facts.js';
import { clusterLifecycles, keyLifecycles } from './lifecycles.js';
import { SELF_KINDS, hasTarget, outsiderEmail, targetFor, type Actor, type Target } from './targets.js';
import { uuidOf, type Account, type InstaclustrWorld, type Role, type User } from './world.js';

/** One user action: all thirteen keys, always present. */
export type UserAction = components['schemas']['UserAction'];
type UserActionInput = components['schemas']['UserActionInput'];

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

const LOGIN = kindNamed('USER_LOGIN');
const LOGIN_FAILED = kindNamed('USER_LOGIN_FAILED');
const ACCEPT_INVITATION = kindNamed('ACCOUNT_ACCEPT_INVITATION');

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

/** History for one day bucket [from, to): a function of the world's seed and the bucket only. */
export function generateDay(world: InstaclustrWorld, from: number, to: number, bucket: number): UserAction[] {
  const out: UserAction[] = [];
  play(world, from, to, bucket, { records: out });
  // Ties on a millisecond are ordered by id so that newest-first paging breaks ties by id descending.
  out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

/**
 * Counts the facts of generateDay's records (those within `span` when given) into `counts` (by
 * their number in `table`), making none. A stream with a detail
 * generator of its own is played without naming anything: every draw that decides whether, what,
 * who and when is made, no detail is. The seed's own stream draws both from one generator, so its
 * names are drawn as generating draws them.
 */
export function countDay(world: InstaclustrWorld, from: number, to: number, bucket: number, table: FactsTable, counts: number[], span?: Span): void {
  play(world, from, to, bucket, { counts, table, span });
}

/** Detail generators are seeded apart from their day's: the day's seed mixed with this. */
const DETAIL = 0x64657461;

function play(world: InstaclustrWorld, from: number, to: number, bucket: number, keep: Keep): void {
  const legacy = world.stream === 0;
  const seed = legacy ? hashSeed(world.seed, 'instaclustr', bucket) : mixSeed(world.seed, bucket);
  const rng = new Rng(seed);
  const detail = legacy ? rng : new Rng(mixSeed(seed, DETAIL));
  const d: Day = {
    world,
    legacy,
    rng,
    detail,
    from,
    alive: [],
    day: Math.floor(from / DAY),
    last: to - 1,
    keep,
    nameless: !legacy && !('records' in keep),
  };
  clusterLifecycles(d);
  keyLifecycles(d);
  customerSessions(d);
  serviceWork(d);
  supportWork(d);
}

const organisationTarget = (world: InstaclustrWorld): Target => ({
  domainId: world.organisationId,
  domainName: world.organisationName,
  vars: { org: world.organisationName },
});

/** What an action is done to; on a nameless day, a target without details (none is drawn). */
function aim(d: Day, a: ActionKind, actor: Actor, account: Account): Target | null {
  if (nameless(d)) return a.org || hasTarget(d, a, account) ? UNNAMED : null;
  return a.org ? organisationTarget(d.world) : targetFor(d, a, actor, account);
}

/** One action drawn from `kinds`, retried a few times when the kind has no target today; 1 when recorded. */
function act(d: Day, t: number, kinds: Choice, actor: Actor, account: Account, tries = 3): number {
  const { rng, world } = d;
  for (let i = 0; i < tries; i++) {
    const a = d.legacy ? rng.weighted(kinds.kinds) : kinds.table.pick(rng);
    const target = aim(d, a, actor, account);
    if (!target) continue;
    if (!nameless(d) && (a.kind === 'ORGANISATION_INVITE_USER' || a.kind === 'ORGANISATION_REMOVE_USER')) {
      const email = outsiderEmail(d.detail, world);
      Object.assign(target, { domainId: uuidOf(world.seed, 'user', email), domainName: email, vars: { org: world.organisationName, email } });
    }
    record(d, t, a, actor, account, target);
    // An invitation is usually accepted a few hours later by the invitee.
    if (a.kind === 'ACCOUNT_INVITE_USER' && rng.chance(0.7)) {
      const at = t + rng.int(20 * 60_000, 6 * HOUR);
      if (at <= d.last) record(d, at, ACCEPT_INVITATION, { userName: target.domainName!, userId: target.domainId!, support: false }, account, target);
    }
    return 1;
  }
  return 0;
}

/** Customer sessions per person and working day, scaled by the person's activity. */
const SESSIONS_PER_DAY = 0.5;

/** A world's user as the days see it: as an actor, and as the target of actions on oneself. */
interface Member {
  user: User;
  actor: Actor;
  self: Target;
}

/** The people behind a world's users and its service users: fixed per world, asked for every day. */
interface Cast {
  people: Person[];
  /** The people as a crowd: the sessions of streams after the seed's own. */
  crowd: Crowd;
  /** Instaclustr Support's staff as actors, in the world's order. */
  support: Actor[];
  /** Members by their person's place in the company. */
  byPerson: Member[];
  service: Member[];
}

const casts = new WeakMap<InstaclustrWorld, Cast>();

const memberOf = (user: User): Member => ({
  user,
  actor: asActor(user),
  self: { domainId: user.userId, domainName: user.userName, vars: { email: user.userName } },
});

function castOf(world: InstaclustrWorld): Cast {
  let cast = casts.get(world);
  if (!cast) {
    const humans = world.users.filter((u) => u.person);
    const byPerson: Member[] = [];
    for (const u of humans) byPerson[u.person!.index] = memberOf(u);
    const people = humans.map((u) => u.person!);
    // Support staff as actors of the same shape as users' (see asActor).
    const support = world.support.map((staff): Actor => ({ userName: staff.userName, userId: staff.userId, support: true, person: undefined }));
    const service = world.users.filter((u) => u.service).map(memberOf);
    casts.set(world, (cast = { people, crowd: new Crowd(people, SESSIONS_PER_DAY), support, byPerson, service }));
  }
  return cast;
}

/** Customer sessions: a login, then a few actions in one account. */
function customerSessions(d: Day): void {
  const { rng } = d;
  const { people, byPerson, crowd } = castOf(d.world);
  for (const s of d.legacy ? daySessions(rng, people, d.from, SESSIONS_PER_DAY) : crowd.sessions(rng, d.from)) {
    const { user, actor } = byPerson[s.person.index];
    const m = rng.pick(user.memberships);
    const self = nameless(d) ? UNNAMED : byPerson[s.person.index].self;
    let t = s.start;
    if (rng.chance(0.04)) {
      record(d, t, LOGIN_FAILED, actor, m.account, self);
      t += rng.int(10_000, 90_000);
    }
    record(d, t, LOGIN, actor, m.account, self);
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
  for (const { user, actor } of castOf(d.world).service) {
    const account = user.memberships[0].account;
    const n = d.rng.poisson(2.5);
    for (let i = 0; i < n; i++) act(d, d.from + d.rng.int(0, DAY - 1), CHOICES.SERVICE, actor, account);
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
