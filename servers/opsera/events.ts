import type { Company, Person } from '../../fixtures/company.js';
import {
  ACTION_GROUPS, AUTOMATION_TARGETS, PIPELINE_NAMES, TASK_NAMES, TOKEN_NAMES, TOOLS, type OpseraScope, type OpseraType,
} from '../../fixtures/catalogues/opsera.js';
import { daySessions, sessionTimes } from '../core/rhythm.js';
import { Rng, hashSeed } from '../core/rng.js';
import { iso } from '../core/time.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

/** A `/actions` record (opsera.md section 5.2). */
export interface ActionRecord {
  _id: string;
  user_id: string;
  user_email: string;
  type: string;
  action: string;
  target_id: string;
  account: string;
  createdAt: string;
  updatedAt: string;
  __v: 0;
  /** Only with `opsera.includeExtendedFields` (or when injected). */
  target_name?: string;
  changeLog?: unknown[];
}

/** A `/tokens` record (section 5.3). */
export interface TokenRecord {
  _id: string;
  token_id: string;
  scope: string;
  target: string;
  user_id: string;
  account: string;
  createdAt: string;
  updatedAt: string;
  __v: 0;
}

/** Both logs share one store; a token-usage record is the one that carries `token_id`. */
export type OpseraRecord = ActionRecord | TokenRecord;

export function isTokenRecord(r: OpseraRecord): r is TokenRecord {
  return 'token_id' in r;
}

export interface OpseraUser {
  _id: string;
  email: string;
  account: string;
  siteRole: 'Site Administrator' | 'Power User' | 'User';
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
  // About 10 % Site Administrators, 20 % Power Users (section 9.1).
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
    id: oid(), name, owner: rng.pick(owners), webhook: rng.chance(0.5),
  }));
  const tools = TOOLS.slice(0, Math.max(3, Math.min(TOOLS.length, Math.ceil(people.length / 3)))).map((t) => ({ id: oid(), name: t.name, owner: rng.pick(owners) }));
  const tasks = TASK_NAMES.map((name) => ({ id: oid(), name, owner: rng.pick(owners) }));
  const admins = users.filter((u) => u.siteRole !== 'User');
  const token = (name: string, scope: OpseraScope, owner: OpseraUser, lifetimeDays: number): TokenMeta => ({
    _id: oid(), name, scope, user_id: owner._id, account: key, active: true, lifetimeDays,
  });
  const automation = owners.slice(0, Math.max(1, Math.ceil(owners.length / 6))).flatMap((u, i) =>
    Array.from({ length: 1 + (i % 3 === 0 ? 1 : 0) }, (_, k) => token(TOKEN_NAMES[(i + k) % TOKEN_NAMES.length], k === 0 && i % 2 === 0 ? 'api' : 'pipeline', u, 90)),
  );
  const collector = token('siem-collector', 'security-logs', admins.find((u) => u.siteRole === 'Site Administrator') ?? admins[0] ?? users[0], 90);
  return { key, users, byPerson: new Map(users.map((u) => [u.person.id, u])), pipelines, tools, tasks, automation, collector, perDay };
}

/** Accounts, users, pipelines, tools, tasks and tokens: from the seed only. */
export function buildWorld(company: Company, rng: Rng): OpseraWorld {
  const main = buildAccount(rng, `org-${company.slug}-acc0`, company.people, 11);
  // A second, small tenant shares the service: its records exist but never reach the main account's tokens.
  const otherPeople: Person[] = OTHER_FIRST.map((first, i) => {
    const base = company.people[(i * 5) % company.people.length];
    const last = OTHER_LAST[i];
    return { ...base, id: `other-${i}`, firstName: first, lastName: last, name: `${first} ${last}`, email: `${first}.${last}@northwind-traders.example.org`.toLowerCase(), role: i === 0 ? 'admin' : i < 3 ? 'platform' : 'engineer' };
  });
  const other = buildAccount(rng, 'org-northwind-acc0', otherPeople, 4);
  const accounts = [main, other];

  const admin = main.users.find((u) => u.siteRole === 'Site Administrator')!;
  const plain = main.users.find((u) => u.siteRole === 'User')!;
  const mk = (name: string, scope: OpseraScope, owner: OpseraUser, lifetimeDays: number, extra: Partial<TokenMeta> = {}) => ({
    _id: objectId(ENTITY_EPOCH + rng.int(400, 420) * DAY, rng.hex(16)), name, scope, user_id: owner._id, account: main.key, active: true, lifetimeDays, expired: false, ...extra,
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
  const users = new Map<string, OpseraUser>();
  for (const a of accounts) for (const u of a.users) users.set(u._id, u);
  return { main, accounts, users, tokens, manifest, machine: rng.hex(10) };
}

function changeLogFor(action: string, name: string): unknown[] {
  // Deterministic from the record (no draws), so the switch does not change the rest of history.
  if (action === 'update' || action === 'update_runtime_settings') return [{ field: action === 'update' ? 'configuration' : 'runtimeSettings', target: name }];
  if (action === 'edit_access_roles') return [{ field: 'roles', target: name }];
  if (action === 'ownership_transfer') return [{ field: 'owner', target: name }];
  return [];
}

function actionRecord(t: number, user: OpseraUser, type: OpseraType, action: string, target: { id: string; name: string }, rng: Rng, ext: boolean): ActionRecord {
  const at = iso(t);
  const rec: ActionRecord = {
    _id: objectId(t, rng.hex(16)), user_id: user._id, user_email: user.email, type, action, target_id: target.id, account: user.account, createdAt: at, updatedAt: at, __v: 0,
  };
  if (ext) {
    rec.target_name = target.name;
    rec.changeLog = changeLogFor(action, target.name);
  }
  return rec;
}

export function tokenRecord(_id: string, t: number, token: TokenMeta, target: string): TokenRecord {
  const at = iso(t);
  return { _id, token_id: token._id, scope: token.scope, target, user_id: token.user_id, account: token.account, createdAt: at, updatedAt: at, __v: 0 };
}

function weekday(dayStart: number): boolean {
  const d = new Date(dayStart).getUTCDay();
  return d !== 0 && d !== 6;
}

/** One day of both logs for every account, derived from (seed, day) only. */
export function generateDay(seed: number, world: OpseraWorld, from: number, to: number, bucket: number, ext: boolean): OpseraRecord[] {
  const rng = new Rng(hashSeed(seed, 'opsera', bucket));
  const out: OpseraRecord[] = [];
  const busy = weekday(from);
  for (const a of world.accounts) {
    const people = a.users.map((u) => u.person);
    for (const s of daySessions(rng, people, from, a.perDay)) {
      const user = a.byPerson.get(s.person.id)!;
      // A session: a login, then a few actions on one pipeline, tool or task (coherent ids).
      const times = sessionTimes(rng, s.start, 1 + rng.poisson(2.3), [5_000, 240_000]);
      const pipeline = rng.pick(a.pipelines);
      const tool = rng.pick(a.tools);
      const task = rng.pick(a.tasks);
      out.push(actionRecord(times[0], user, 'authentication', 'login', { id: user._id, name: user.email }, rng, ext));
      for (let i = 1; i < times.length; i++) {
        const group = rng.weighted(ACTION_GROUPS);
        const action = rng.weighted(group.actions).action;
        const target = group.type === 'pipeline' ? pipeline : group.type === 'registry' ? tool : task;
        out.push(actionRecord(times[i], user, group.type, action, target, rng, ext));
      }
    }
    // Webhook-triggered runs carry the pipeline owner's user (section 9.2).
    for (const p of a.pipelines) {
      if (!p.webhook) continue;
      const n = rng.poisson(busy ? 2.5 : 0.4);
      for (let i = 0; i < n; i++) out.push(actionRecord(from + rng.int(0, DAY - 1), p.owner, 'pipeline', 'webhook_start', p, rng, ext));
    }
    // The SIEM collector polls both routes every 5 to 15 minutes, day and night.
    for (let t = from + rng.int(0, 10 * MINUTE); t < to; t += rng.int(5 * MINUTE, 15 * MINUTE)) {
      out.push(tokenRecord(objectId(t, rng.hex(16)), t, a.collector, '/v1/logs/user/actions'));
      const t2 = t + rng.int(150, 2_500);
      out.push(tokenRecord(objectId(t2, rng.hex(16)), t2, a.collector, '/v1/logs/user/tokens'));
    }
    // Automation: CI and scripts calling the pipeline, registry and task APIs.
    const calls = rng.poisson((busy ? 30 : 6) * (a === world.main ? 1 : 0.3));
    for (let i = 0; i < calls; i++) {
      const t = from + rng.int(0, DAY - 1);
      const token = rng.pick(a.automation);
      const path = rng.weighted(AUTOMATION_TARGETS).path.replace('<id>', rng.pick(a.pipelines).id);
      out.push(tokenRecord(objectId(t, rng.hex(16)), t, token, path));
    }
  }
  return out;
}
