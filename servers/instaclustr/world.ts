import type { Company, Person } from '../../fixtures/company.js';
import { NAMES, PRODUCTS, SUPPORT_STAFF } from '../../fixtures/catalogues/instaclustr.js';
import { Memo } from '../core/memo.js';
import { Rng, hashSeed, type CredentialDraw } from '../core/rng.js';
import type { CredentialOverrides } from './settings.js';

export type KeyType = 'PROVISIONING' | 'READ_ONLY_PROVISIONING' | 'MONITORING' | 'ORGANIZATION_MANAGEMENT';
export type Role = 'OWNER' | 'CLUSTER_ADMIN' | 'BILLING' | 'READ_ONLY';

/** The emulator's key model: per-user keys of one type, bound to an account or to the organisation. */
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

/** A place in an account where clusters of one product are created and deleted, one incarnation after another. */
export interface ClusterSlot {
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

/** A user's API key of one account (or of the organisation), generated and revoked again and again. */
export interface KeySlot {
  user: User;
  account: Account | null;
  slot: number;
  period: number;
  offset: number;
}

export interface InstaclustrWorld {
  seed: number;
  /** Which stream of a volume this world's activity is (0: the seed's own). */
  stream: number;
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

/** A stable UUID for anything named by its parts (cluster topics, key incarnations). */
export function uuidOf(...parts: Array<string | number>): string {
  // The same objects (a cluster's topics, its schedule) are named again day after day.
  return ids.get(parts.join('\u0000'), () => new Rng(hashSeed('instaclustr-id', ...parts)).uuid());
}

const ids = new Memo<string>(100_000);

const ROLE_PLAN: Record<string, (i: number) => Array<[number, Role]>> = {
  admin: () => [
    [0, 'OWNER'],
    [1, 'OWNER'],
    [2, 'OWNER'],
    [3, 'OWNER'],
  ],
  platform: (i) => [[0, 'CLUSTER_ADMIN'], [1, 'CLUSTER_ADMIN'], ...(i < 3 ? ([[3, 'CLUSTER_ADMIN']] as Array<[number, Role]>) : [])],
  sre: () => [
    [0, 'CLUSTER_ADMIN'],
    [1, 'CLUSTER_ADMIN'],
  ],
  data: () => [
    [2, 'CLUSTER_ADMIN'],
    [0, 'READ_ONLY'],
  ],
  engineer: (i) => (i < 6 ? [[1, 'READ_ONLY']] : i < 9 ? [[1, 'CLUSTER_ADMIN']] : [[0, 'READ_ONLY']]),
  security: () => [
    [0, 'READ_ONLY'],
    [1, 'READ_ONLY'],
    [2, 'READ_ONLY'],
  ],
  finance: () => [
    [0, 'BILLING'],
    [2, 'BILLING'],
  ],
};

const KEYS_FOR_ROLE: Record<Role, KeyType[]> = {
  OWNER: ['PROVISIONING', 'READ_ONLY_PROVISIONING', 'MONITORING'],
  CLUSTER_ADMIN: ['PROVISIONING', 'READ_ONLY_PROVISIONING', 'MONITORING'],
  READ_ONLY: ['READ_ONLY_PROVISIONING', 'MONITORING'],
  BILLING: ['MONITORING'],
};

const ANY_CIDR = ['0.0.0.0/0', '::/0'];

/** What an organisation's seed draws after its id, in the order it draws it. */
interface Drawn {
  foreignOrganisationId: string;
  accounts: Account[];
  users: User[];
  keys: ApiKey[];
  primary: User;
  clusterSlots: ClusterSlot[];
  keySlots: KeySlot[];
}

/** What a world has that streams of a volume take from the seed's own (see streamWorld). */
type Own = Pick<InstaclustrWorld, 'stream' | 'organisationId' | 'foreignOrganisationId' | 'linkedAccountIds' | 'keys' | 'keysByUser' | 'support'>;

/**
 * The organisation, its accounts, users, keys and resource slots, drawn from `rng` in a fixed
 * order: the order of the draws is part of the world a seed names, so keep it when changing this.
 */
export function buildWorld(seed: number, company: Company, rng: Rng, overrides: CredentialOverrides, cred: CredentialDraw = (d) => d(rng)): InstaclustrWorld {
  const organisationId = overrides.organisationId ?? rng.uuid();
  const d = drawOrganisation(company, rng, organisationId, cred);
  applyOverrides(overrides, d.primary, d.accounts[0], d.keys);
  const keysByUser = new Map<string, ApiKey[]>();
  for (const k of d.keys) keysByUser.set(k.userName, [...(keysByUser.get(k.userName) ?? []), k]);
  return worldOf(seed, company, d, {
    stream: 0,
    organisationId,
    foreignOrganisationId: d.foreignOrganisationId,
    linkedAccountIds: new Set(d.accounts.filter((a) => a.organisationId).map((a) => a.accountId)),
    keys: d.keys,
    keysByUser,
    support: SUPPORT_STAFF.map((userName) => ({ userName, userId: uuidOf(seed, 'support', userName) })),
  });
}

function drawOrganisation(company: Company, rng: Rng, organisationId: string, cred: CredentialDraw): Drawn {
  const foreignOrganisationId = rng.uuid();
  const accounts = accountsOf(company, rng, organisationId);
  const users = usersOf(company, rng, accounts);
  const keys = keysOf(users, cred, organisationId);
  const primary = users.find((u) => u.organisationAdmin && u.memberships.some((m) => m.role === 'OWNER'))!;
  keys.push(...ladderKeys(primary, cred, accounts[0].accountId));
  return { foreignOrganisationId, accounts, users, keys, primary, clusterSlots: clusterSlotsOf(accounts, rng), keySlots: keySlotsOf(users, rng) };
}

// One literal for the worlds of every stream: one shape, so that the engine's code for a day stays
// specialised to it when a count goes from stream to stream.
function worldOf(seed: number, company: Company, d: Drawn, own: Own): InstaclustrWorld {
  return {
    seed,
    stream: own.stream,
    domain: company.domain,
    organisationId: own.organisationId,
    organisationName: company.name,
    foreignOrganisationId: own.foreignOrganisationId,
    accounts: d.accounts,
    linkedAccountIds: own.linkedAccountIds,
    users: d.users,
    byUserName: new Map(d.users.map((u) => [u.userName, u])),
    keys: own.keys,
    keysByUser: own.keysByUser,
    support: own.support,
    clusterSlots: d.clusterSlots,
    keySlots: d.keySlots,
    primary: d.primary,
  };
}

/** Three accounts linked to the organisation and one unlinked sandbox. */
function accountsOf(company: Company, rng: Rng, organisationId: string): Account[] {
  return [...NAMES.accountSuffixes, 'sandbox'].map((suffix, index) => ({
    accountId: rng.uuid(),
    name: `${company.slug}-${suffix}`,
    organisationId: suffix === 'sandbox' ? null : organisationId,
    index,
  }));
}

/** The company's people with an Instaclustr role, then the service users that automate the linked accounts. */
function usersOf(company: Company, rng: Rng, accounts: Account[]): User[] {
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
  for (const [a, name] of [
    [0, 'svc-terraform'],
    [1, 'svc-ci'],
    [2, 'svc-airflow'],
  ] as const) {
    users.push({ userName: name, userId: rng.uuid(), service: true, organisationAdmin: false, memberships: [{ account: accounts[a], role: 'CLUSTER_ADMIN' }] });
  }
  return users;
}

/** Every key a user's roles give, open to any address. */
function keysOf(users: User[], cred: CredentialDraw, organisationId: string): ApiKey[] {
  const keys: ApiKey[] = [];
  for (const u of users) {
    for (const m of u.memberships) {
      for (const keyType of u.service ? (['PROVISIONING'] as KeyType[]) : KEYS_FOR_ROLE[m.role]) {
        keys.push({ userName: u.userName, apiKey: cred((r) => r.hex(32)), keyType, accountId: m.account.accountId, allowedCidrs: ANY_CIDR, active: true });
      }
    }
    if (!u.organisationAdmin) continue;
    keys.push({
      userName: u.userName,
      apiKey: cred((r) => r.hex(32)),
      keyType: 'ORGANIZATION_MANAGEMENT',
      organisationId,
      allowedCidrs: ANY_CIDR,
      active: true,
    });
  }
  return keys;
}

/** A revoked key and a key limited to a private range, so that clients can meet those refusals of the failure ladder. */
function ladderKeys(primary: User, cred: CredentialDraw, accountId: string): ApiKey[] {
  return [
    { userName: primary.userName, apiKey: cred((r) => r.hex(32)), keyType: 'PROVISIONING', accountId, allowedCidrs: ANY_CIDR, active: false },
    { userName: primary.userName, apiKey: cred((r) => r.hex(32)), keyType: 'READ_ONLY_PROVISIONING', accountId, allowedCidrs: ['10.20.0.0/16'], active: true },
  ];
}

/** Credential overrides from the config replace the primary user's name, keys and production account id. */
function applyOverrides(o: CredentialOverrides, primary: User, production: Account, keys: ApiKey[]): void {
  const prodId = production.accountId;
  const primaryKey = (t: KeyType) =>
    keys.find((k) => k.userName === primary.userName && k.keyType === t && k.active && (t === 'ORGANIZATION_MANAGEMENT' || k.accountId === prodId))!;
  // Found before the account id changes, so that a new account id and new keys can be given together.
  const provisioning = primaryKey('PROVISIONING');
  const readOnly = primaryKey('READ_ONLY_PROVISIONING');
  const organisation = primaryKey('ORGANIZATION_MANAGEMENT');
  if (o.accountId !== undefined) production.accountId = o.accountId;
  for (const k of keys) if (k.accountId === prodId) k.accountId = production.accountId;
  if (o.provisioningApiKey !== undefined) provisioning.apiKey = o.provisioningApiKey;
  if (o.readOnlyProvisioningApiKey !== undefined) readOnly.apiKey = o.readOnlyProvisioningApiKey;
  if (o.organisationManagementApiKey !== undefined) organisation.apiKey = o.organisationManagementApiKey;
  if (o.username !== undefined) {
    for (const k of keys) if (k.userName === primary.userName) k.userName = o.username;
    primary.userName = o.username;
  }
}

function clusterSlotsOf(accounts: Account[], rng: Rng): ClusterSlot[] {
  const slots: ClusterSlot[] = [];
  for (const account of accounts) {
    const n = account.name.endsWith('sandbox') ? 3 : account.index === 0 ? 8 : 6;
    const env = account.name.endsWith('production') ? 'prod' : account.name.endsWith('staging') ? 'stg' : account.name.endsWith('sandbox') ? 'dev' : 'prod';
    for (let slot = 0; slot < n; slot++) {
      const longLived = slot < Math.ceil(n / 2);
      const period = longLived ? rng.int(1500, 4000) : rng.int(60, 300);
      // The first slot of each account is always a Kafka cluster so that Kafka work has a target.
      const product = slot === 0 ? PRODUCTS[1] : rng.weighted(PRODUCTS);
      const base = NAMES.clusterBases[(account.index * 3 + slot) % NAMES.clusterBases.length];
      slots.push({ account, slot, product, base, env, period, offset: rng.int(0, period - 1), longLived });
    }
  }
  return slots;
}

/** Owners and cluster admins rotate account keys; organisation admins rotate organisation keys. */
function keySlotsOf(users: User[], rng: Rng): KeySlot[] {
  const slots: KeySlot[] = [];
  for (const u of users) {
    for (const m of u.memberships) {
      if (m.role !== 'OWNER' && m.role !== 'CLUSTER_ADMIN') continue;
      const period = u.service ? 90 : rng.int(120, 360);
      slots.push({ user: u, account: m.account, slot: slots.length, period, offset: rng.int(0, period - 1) });
    }
    if (u.organisationAdmin) {
      const period = rng.int(150, 400);
      slots.push({ user: u, account: null, slot: slots.length, period, offset: rng.int(0, period - 1) });
    }
  }
  return slots;
}

/**
 * The organisation as another stream of activity sees it (a volume above 1): the same organisation
 * and accounts, `company`'s people (colleagues) and service users of their own as its users, with
 * their own clusters and key rotations (drawn from the stream's `seed`). Their keys open nothing.
 */
export function streamWorld(base: InstaclustrWorld, company: Company, seed: number, rng: Rng, stream: number): InstaclustrWorld {
  // The organisation's id is drawn and left: the stream's organisation is the seed's own.
  rng.skipUuid();
  const d = drawOrganisation(company, rng, base.organisationId, (draw) => draw(rng));
  d.accounts.forEach((a, i) => (a.accountId = base.accounts[i].accountId));
  for (const u of d.users) if (u.service) u.userName = `${u.userName}-${stream + 1}`;
  // Its keys open nothing (they are drawn, so that its slots are what the seed names, and dropped).
  return worldOf(seed, company, d, {
    stream,
    organisationId: base.organisationId,
    foreignOrganisationId: base.foreignOrganisationId,
    linkedAccountIds: base.linkedAccountIds,
    keys: [],
    keysByUser: new Map(),
    support: base.support,
  });
}

/** The primary user's working credentials, under the names the manifest prints. */
export function credentialsOf(world: InstaclustrWorld): Record<string, unknown> {
  const p = world.primary;
  const prod = world.accounts[0].accountId;
  const open = (k: ApiKey) => k.userName === p.userName && k.active && k.allowedCidrs.includes('0.0.0.0/0');
  const keyOf = (type: KeyType, accountId?: string) =>
    world.keys.find((k) => open(k) && k.keyType === type && (!accountId || k.accountId === accountId))!.apiKey;
  return {
    username: p.userName,
    provisioningApiKey: keyOf('PROVISIONING', prod),
    readOnlyProvisioningApiKey: keyOf('READ_ONLY_PROVISIONING', prod),
    monitoringApiKey: keyOf('MONITORING', prod),
    organisationManagementApiKey: keyOf('ORGANIZATION_MANAGEMENT'),
    accountId: prod,
    organisationId: world.organisationId,
    organisationName: world.organisationName,
    revokedApiKey: world.keys.find((k) => k.userName === p.userName && !k.active)!.apiKey,
    restrictedApiKey: world.keys.find((k) => k.userName === p.userName && !k.allowedCidrs.includes('0.0.0.0/0'))!.apiKey,
    foreignOrganisationId: world.foreignOrganisationId,
  };
}

/** The whole organisation (accounts, users and every per-user key) goes in the manifest, not the printed credentials. */
export function manifestOf(world: InstaclustrWorld): Record<string, unknown> {
  return {
    accounts: world.accounts.map((a) => ({ accountId: a.accountId, name: a.name, organisationId: a.organisationId })),
    users: world.users.map((u) => ({
      userName: u.userName,
      userId: u.userId,
      serviceUser: u.service,
      organisationAdmin: u.organisationAdmin,
      accounts: u.memberships.map((m) => ({ accountId: m.account.accountId, role: m.role })),
    })),
    keys: world.keys.map((k) => ({ ...k })),
  };
}

/** A company person's Instaclustr identity, so that scenarios can act as them. */
export function actorOf(world: InstaclustrWorld, person: Person): Record<string, unknown> | undefined {
  const u = world.byUserName.get(person.email.toLowerCase());
  return u && { userName: u.userName, userId: u.userId, accountId: u.memberships[0]?.account.accountId };
}
