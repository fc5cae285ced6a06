import type { Company, Person } from '../../fixtures/company.js';
import { PIPELINE_NAMES, TASK_NAMES, TOKEN_NAMES, TOOLS, type OpseraScope, type SiteRole } from '../../fixtures/catalogues/opsera.js';
import type { Rng } from '../core/rng.js';

const DAY = 86_400_000;

export interface OpseraUser {
  _id: string;
  email: string;
  account: string;
  siteRole: SiteRole;
  active: boolean;
  person: Person;
}

/** Token metadata as the portal keeps it; the JWT itself is never stored. */
export interface TokenMeta {
  _id: string;
  name: string;
  scope: OpseraScope;
  user_id: string;
  account: string;
  active: boolean;
  /** Lifetime in days (the portal's expiry choice). */
  lifetimeDays: number;
}

interface Named {
  id: string;
  name: string;
  owner: OpseraUser;
}

export interface Account {
  key: string;
  users: OpseraUser[];
  byPerson: Map<string, OpseraUser>;
  pipelines: Array<Named & { webhook: boolean }>;
  tools: Named[];
  tasks: Named[];
  /** Tokens used by CI and scripts (scopes api / pipeline). */
  automation: TokenMeta[];
  /** A SIEM collector polling both log routes (scope security-logs). */
  collector: TokenMeta;
  /** Mean work sessions per person and weekday. */
  perDay: number;
}

/** Manifest token names (the issue's `credentials.tokens`) and what each exercises. */
export const MANIFEST_TOKENS = ['api', 'securityLogs', 'readOnly', 'expired', 'deactivated', 'notAdmin'] as const;
export type ManifestTokenName = (typeof MANIFEST_TOKENS)[number];

export interface OpseraWorld {
  main: Account;
  accounts: Account[];
  users: Map<string, OpseraUser>;
  tokens: Map<string, TokenMeta>;
  manifest: Record<ManifestTokenName, TokenMeta & { expired: boolean }>;
  /** Ten hex digits: the "machine" part of ObjectIds the emulator records live. */
  machine: string;
}

/** A MongoDB ObjectId: 4-byte seconds, then 16 hex digits (random, or machine and counter). */
export function objectId(ms: number, tail: string): string {
  return (Math.max(0, Math.floor(ms / 1000)) % 2 ** 32).toString(16).padStart(8, '0') + tail;
}

const ENTITY_EPOCH = Date.UTC(2023, 0, 1);

function roleOf(p: Person, i: number): OpseraUser['siteRole'] {
  // About 10 % Site Administrators and 20 % Power Users, as in a typical account.
  if (p.role === 'admin' || (p.role === 'security' && i % 3 === 0)) return 'Site Administrator';
  if (p.role === 'platform' || (p.role === 'sre' && i % 2 === 0)) return 'Power User';
  return 'User';
}

const OTHER_FIRST = ['Ana', 'Bram', 'Chidi', 'Dana', 'Elif', 'Farid', 'Greta', 'Hiro'];
const OTHER_LAST = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Reyes', 'Novak', 'Haddad', 'Silva'];

function buildAccount(rng: Rng, key: string, people: Person[], perDay: number): Account {
  const oid = () => objectId(ENTITY_EPOCH + rng.int(0, 420) * DAY + rng.int(0, DAY - 1), rng.hex(16));
  const users: OpseraUser[] = people.map((person, i) => ({ _id: oid(), email: person.email, account: key, siteRole: roleOf(person, i), active: true, person }));
  const builders = users.filter((u) => ['platform', 'sre', 'engineer', 'admin', 'data'].includes(u.person.role));
  const owners = builders.length ? builders : users;
  const pipelines = PIPELINE_NAMES.slice(0, Math.max(4, Math.min(PIPELINE_NAMES.length, people.length))).map((name) => ({
    id: oid(),
    name,
    owner: rng.pick(owners),
    webhook: rng.chance(0.5),
  }));
  const tools = TOOLS.slice(0, Math.max(3, Math.min(TOOLS.length, Math.ceil(people.length / 3)))).map((t) => ({
    id: oid(),
    name: t.name,
    owner: rng.pick(owners),
  }));
  const tasks = TASK_NAMES.map((name) => ({ id: oid(), name, owner: rng.pick(owners) }));
  const admins = users.filter((u) => u.siteRole !== 'User');
  const token = (name: string, scope: OpseraScope, owner: OpseraUser, lifetimeDays: number): TokenMeta => ({
    _id: oid(),
    name,
    scope,
    user_id: owner._id,
    account: key,
    active: true,
    lifetimeDays,
  });
  const automation = owners
    .slice(0, Math.max(1, Math.ceil(owners.length / 6)))
    .flatMap((u, i) =>
      Array.from({ length: 1 + (i % 3 === 0 ? 1 : 0) }, (_, k) =>
        token(TOKEN_NAMES[(i + k) % TOKEN_NAMES.length], k === 0 && i % 2 === 0 ? 'api' : 'pipeline', u, 90),
      ),
    );
  const collector = token('siem-collector', 'security-logs', admins.find((u) => u.siteRole === 'Site Administrator') ?? admins[0] ?? users[0], 90);
  return { key, users, byPerson: new Map(users.map((u) => [u.person.id, u])), pipelines, tools, tasks, automation, collector, perDay };
}

/**
 * Accounts, users, pipelines, tools, tasks and tokens: from the seed only, except for the users the
 * account has deactivated (`inactiveUsers`, emails in any case), whose every token is refused.
 */
export function buildWorld(company: Company, rng: Rng, inactiveUsers: readonly string[] = []): OpseraWorld {
  const main = buildAccount(rng, `org-${company.slug}-acc0`, company.people, 11);
  // A second, small tenant shares the service: its records exist but never reach the main account's tokens.
  const otherPeople: Person[] = OTHER_FIRST.map((first, i) => {
    const base = company.people[(i * 5) % company.people.length];
    const last = OTHER_LAST[i];
    return {
      ...base,
      id: `other-${i}`,
      firstName: first,
      lastName: last,
      name: `${first} ${last}`,
      email: `${first}.${last}@northwind-traders.example.org`.toLowerCase(),
      role: i === 0 ? 'admin' : i < 3 ? 'platform' : 'engineer',
    };
  });
  const other = buildAccount(rng, 'org-northwind-acc0', otherPeople, 4);
  const accounts = [main, other];

  const admin = main.users.find((u) => u.siteRole === 'Site Administrator')!;
  const plain = main.users.find((u) => u.siteRole === 'User')!;
  const mk = (name: string, scope: OpseraScope, owner: OpseraUser, lifetimeDays: number, extra: Partial<TokenMeta> = {}) => ({
    _id: objectId(ENTITY_EPOCH + rng.int(400, 420) * DAY, rng.hex(16)),
    name,
    scope,
    user_id: owner._id,
    account: main.key,
    active: true,
    lifetimeDays,
    expired: false,
    ...extra,
  });
  const manifest: OpseraWorld['manifest'] = {
    api: mk('emulator api', 'api', admin, 90),
    securityLogs: mk('emulator security logs', 'security-logs', admin, 30),
    readOnly: mk('emulator api read-only', 'api-readonly', admin, 30),
    expired: { ...mk('emulator expired', 'api', admin, 7), expired: true },
    deactivated: mk('emulator deactivated', 'api', admin, 30, { active: false }),
    notAdmin: mk('emulator plain user', 'api', plain, 30),
  };
  const tokens = new Map<string, TokenMeta>();
  for (const a of accounts) for (const t of [...a.automation, a.collector]) tokens.set(t._id, t);
  for (const t of Object.values(manifest)) tokens.set(t._id, t);
  const inactive = new Set(inactiveUsers.map((e) => e.toLowerCase()));
  const users = new Map<string, OpseraUser>();
  for (const a of accounts) {
    for (const u of a.users) {
      if (inactive.has(u.email.toLowerCase())) u.active = false;
      users.set(u._id, u);
    }
  }
  return { main, accounts, users, tokens, manifest, machine: rng.hex(10) };
}

/**
 * The main account as another stream of activity sees it (a volume above 1): the same account,
 * `company`'s people (colleagues) as its users, with their own pipelines, tools, tasks and tokens
 * (which open nothing). The second tenant does not grow with the company.
 */
export function streamWorld(company: Company, rng: Rng, inactiveUsers: readonly string[]): OpseraWorld {
  const w = buildWorld(company, rng, inactiveUsers);
  return { ...w, accounts: [w.main], tokens: new Map() };
}
