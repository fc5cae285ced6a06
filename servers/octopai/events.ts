import { createHmac } from 'node:crypto';
import type { Company, Person } from '../../fixtures/company.js';
import { EXPORTS, FAILURE_REASON, MODULES, PAGES, SCRIPT_AGENTS, SEARCH_TERMS, type OctopaiEventType } from '../../fixtures/catalogues/octopai.js';
import { daySessions, sessionTimes } from '../core/rhythm.js';
import { Rng, hashSeed, type CredentialDraw } from '../core/rng.js';
import type { Streams } from '../core/volume.js';
import type { components } from '../../openapi/generated/octopai.js';
import type { CredentialOverride, OctopaiSettings } from './settings.js';

const DAY = 86_400_000;
/** Event ids count per tenant from 2020-01-01, 100 000 slots per day. */
const ID_EPOCH_DAY = 18_262;
const ID_DAY_SLOTS = 100_000;
/** Recorded and injected events take the upper half of a day's id slots. */
export const RECORDED_ID_OFFSET = 50_000;

/** One UserEvent as served. */
export type UserEvent = components['schemas']['UserEvent'];

/** Stored record: the served event plus its tenant (absent = `default`), which is never served. */
export type OctopaiEvent = UserEvent & { tenant?: string };

export interface OctopaiUser {
  person: Person;
  /** The login name, which is the e-mail. */
  userName: string;
  displayName: string;
  password: string;
  isAdmin: boolean;
  enabled: boolean;
  groups: string[];
  /** `userEmail` of the Login response: null unless the user record sets it (as in the vendor sample). */
  userEmail: string | null;
  /** Works from home (varied addresses) rather than the office egress. */
  remote: boolean;
}

export interface Tenant {
  name: string;
  /** HS256 secret for this tenant's tokens. */
  secret: string;
  users: OctopaiUser[];
  byName: Map<string, OctopaiUser>;
  byPerson: Map<string, OctopaiUser>;
}

export interface OctopaiWorld {
  tenants: Map<string, Tenant>;
  displayModules: string;
}

export const DEFAULT_TENANT = 'default';

/** .NET round-trip format: 7 fractional digits and `Z`. Times are kept to the millisecond. */
export function netIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** At a volume above 1 a day has that many times the slots (and the recorded half starts that much higher). */
export function eventId(ts: number, slot: number, volume = 1): number {
  return (Math.floor(ts / DAY) - ID_EPOCH_DAY) * ID_DAY_SLOTS * volume + slot;
}

/** The Octopai users: people who work with data, about 15 % of them admins. */
const ROLES = new Set(['admin', 'security', 'data', 'analyst', 'engineer']);

type WorldSettings = Pick<OctopaiSettings, 'tenants' | 'credentials' | 'disabledUsers'>;

/** Where the world's users differ: `world`'s own names (plus-addressed) and passwords (drawn by `cred`). */
export interface WorldIdentity {
  world: string;
  cred(rng: Rng): CredentialDraw;
}

const DEFAULT_IDENTITY: WorldIdentity = { world: 'default', cred: (rng) => (d) => d(rng) };

/** A person's user name: their address, plus-addressed with the world's id beyond the default world (Octopai finds callers by name). */
function userNameOf(email: string, world: string): string {
  if (world === 'default') return email;
  const at = email.lastIndexOf('@');
  return `${email.slice(0, at)}+${world}${email.slice(at)}`;
}

export function buildWorld(
  company: Company,
  secret: Buffer,
  rngFor: (name: string) => Rng,
  settings: WorldSettings,
  identity: WorldIdentity = DEFAULT_IDENTITY,
): OctopaiWorld {
  const tenants = new Map<string, Tenant>();
  const extra = settings.tenants.map((t) => t.toLowerCase()).filter((t) => t !== DEFAULT_TENANT);
  // Users an administrator has disabled: their logins fail (and are recorded) and they make no history.
  const disabled = new Set(settings.disabledUsers.map((n) => n.toLowerCase()));
  for (const name of [DEFAULT_TENANT, ...extra]) {
    const rng = rngFor(`users:${name}`);
    const cred = identity.cred(rng);
    let firstSecurity = true;
    const users: OctopaiUser[] = company.people
      .filter((p) => ROLES.has(p.role))
      .map((person) => {
        const isAdmin = person.role === 'admin' || (person.role === 'security' && firstSecurity && !(firstSecurity = false));
        return {
          person,
          userName: userNameOf(person.email, identity.world),
          displayName: person.name,
          password: cred((r) => `${r.alnum(4)}-${r.bytes(9).toString('base64url')}`),
          isAdmin,
          enabled: true,
          groups: [],
          userEmail: null,
          remote: rng.chance(0.1),
        };
      });
    if (name === DEFAULT_TENANT) applyOverrides(users, settings.credentials);
    for (const u of users) if (disabled.has(u.userName.toLowerCase())) u.enabled = false;
    tenants.set(name, {
      name,
      secret: createHmac('sha256', secret).update(`octopai-jwt:${name}`).digest('base64url'),
      users,
      byName: new Map(users.map((u) => [u.userName.toLowerCase(), u])),
      byPerson: new Map(users.map((u) => [u.person.id, u])),
    });
  }
  return { tenants, displayModules: MODULES.join(';') };
}

/** Credential overrides from the config replace the first admin's and the first non-admin's. */
function applyOverrides(users: OctopaiUser[], o: WorldSettings['credentials']): void {
  const set = (u: OctopaiUser | undefined, r: CredentialOverride | undefined) => {
    if (!u || !r) return;
    if (r.userName) u.userName = r.userName;
    if (r.password) u.password = r.password;
  };
  set(
    users.find((u) => u.isAdmin),
    o,
  );
  set(
    users.find((u) => !u.isAdmin),
    o.nonAdmin,
  );
}

function adminOf(t: Tenant): OctopaiUser {
  return t.users.find((u) => u.isAdmin)!;
}
function nonAdminOf(t: Tenant): OctopaiUser {
  return t.users.find((u) => !u.isAdmin && u.person.role === 'data') ?? t.users.find((u) => !u.isAdmin)!;
}

/** A tenant's working logins as printed and put in the manifest: an admin and a non-admin. */
export function credentialsOf(t: Tenant) {
  const a = adminOf(t);
  const n = nonAdminOf(t);
  return { userName: a.userName, password: a.password, nonAdmin: { userName: n.userName, password: n.password } };
}

/** Manifest fields: the extra tenants with their hosts and logins (nothing with the default one only). */
export function tenantsManifest(world: OctopaiWorld): Record<string, unknown> {
  const extra = [...world.tenants.values()].filter((t) => t.name !== DEFAULT_TENANT);
  if (!extra.length) return {};
  return { tenants: Object.fromEntries(extra.map((t) => [t.name, { host: `${t.name}.localhost`, credentials: credentialsOf(t) }])) };
}

/** The tenant a request is for: the first label of its Host, or `default` when no tenant has it. */
export function tenantFor(world: OctopaiWorld, hostHeader: string | undefined): Tenant {
  const host = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase();
  const label = host.startsWith('[') ? '' : host.split('.')[0];
  return world.tenants.get(label) ?? world.tenants.get(DEFAULT_TENANT)!;
}

function ipv6(p: Person): string {
  return `2001:db8:${(0x1000 + p.index).toString(16)}::${(p.index * 7 + 1).toString(16)}`;
}

/** A mistyped user name: a dropped or doubled letter in the local part. */
function typo(rng: Rng, name: string): string {
  const at = name.indexOf('@');
  const i = rng.int(0, Math.max(0, at - 1));
  return rng.chance(0.5) ? name.slice(0, i) + name.slice(i + 1) : name.slice(0, i) + name[i] + name.slice(i);
}

/**
 * The company's Octopai users as another stream of activity sees them (a volume above 1): the same
 * tenants, `company`'s people (colleagues) as their users, whose passwords open nothing.
 */
export function streamWorld(company: Company, secret: Buffer, seed: number, settings: WorldSettings): OctopaiWorld {
  return buildWorld(company, secret, (name) => new Rng(hashSeed(seed, 'octopai', name)), { ...settings, credentials: {} });
}

/**
 * One day of a tenant's history at the streams' volume. Above 1, every stream's events in time
 * order, numbered again (ids increase per tenant) within the day's wider range of ids.
 */
export function tenantDay(streams: Streams<OctopaiWorld>, tenant: string, from: number, to: number, bucket: number): OctopaiEvent[] {
  const day = streams.generate((w, seed) => generateDay(seed, w.tenants.get(tenant)!, from, to, bucket));
  if (streams.volume === 1) return day;
  day.sort((a, b) => (a.eventDate < b.eventDate ? -1 : a.eventDate > b.eventDate ? 1 : 0));
  return day.map((e, i) => ({ ...e, id: eventId(from, i + 1, streams.volume) }));
}

/** One day of a tenant's history, derived from (seed, tenant, day) only. */
export function generateDay(seed: number, tenant: Tenant, from: number, to: number, bucket: number): OctopaiEvent[] {
  const rng = new Rng(hashSeed(seed, 'octopai', tenant.name, bucket));
  type Draft = Omit<OctopaiEvent, 'id' | 'eventDate'> & { t: number };
  const out: Draft[] = [];
  const tenantField = tenant.name === DEFAULT_TENANT ? {} : { tenant: tenant.name };
  const people = tenant.users.filter((u) => u.enabled).map((u) => u.person);
  for (const s of daySessions(rng, people, from, 1.1)) {
    const user = tenant.byPerson.get(s.person.id)!;
    const ipAddress = rng.chance(0.05) ? ipv6(s.person) : user.remote || s.offHours ? s.person.homeIp : s.person.officeIp;
    const base = { ...tenantField, ipAddress, userAgent: s.person.userAgent };
    const ev = (t: number, eventType: OctopaiEventType, details: string | null, userName = user.userName, userEmail: string | null = user.userName): Draft => ({
      ...base,
      t,
      eventType,
      details,
      userName,
      userEmail,
    });
    // Failed logins come in short bursts just before a successful one: a mistyped password or name.
    if (rng.chance(0.12)) {
      const k = rng.int(1, 3);
      let t = s.start;
      const fails: Draft[] = [];
      for (let i = 0; i < k; i++) {
        t -= rng.int(4_000, 40_000);
        const wrongName = rng.chance(0.25);
        fails.push(ev(t, 'LoginFailed', FAILURE_REASON, wrongName ? typo(rng, user.userName) : user.userName, wrongName ? null : user.userName));
      }
      out.push(...fails.reverse());
    }
    out.push(ev(s.start, 'Login', null));
    const actions: Array<[OctopaiEventType, string]> = [['PageLoad', '/home']];
    const pages = rng.int(8, 60);
    for (let i = 0; i < pages; i++) actions.push(['PageLoad', rng.weighted(PAGES).value]);
    const searches = rng.int(0, 6);
    for (let i = 0; i < searches; i++) actions.splice(rng.int(1, actions.length), 0, ['Search', rng.pick(SEARCH_TERMS)]);
    if (rng.chance(0.3)) actions.splice(rng.int(2, actions.length), 0, ['Export', rng.weighted(EXPORTS).value]);
    const times = sessionTimes(rng, s.start + rng.int(1_500, 8_000), actions.length, [3_000, 150_000]);
    actions.forEach(([type, details], i) => out.push(ev(times[i], type, details)));
    if (rng.chance(0.5)) out.push(ev(times[times.length - 1] + rng.int(10_000, 600_000), 'Logout', null));
  }
  // Scripted logins: admins pulling the audit trail early on weekdays, from the office egress.
  const weekday = new Date(from).getUTCDay();
  if (weekday !== 0 && weekday !== 6) {
    for (const u of tenant.users.filter((x) => x.isAdmin && x.enabled)) {
      if (!rng.chance(0.35)) continue;
      const t = from + 6 * 3_600_000 + rng.int(0, 3_599_999);
      const userAgent = rng.pick(SCRIPT_AGENTS);
      out.push({ ...tenantField, t, eventType: 'Login', details: null, userName: u.userName, userEmail: u.userName, ipAddress: u.person.officeIp, userAgent });
    }
  }
  const inDay = out.filter((d) => d.t >= from && d.t < to).sort((a, b) => a.t - b.t);
  return inDay.map(({ t, ...d }, i) => ({ id: eventId(t, i + 1), ...d, eventDate: netIso(t) }));
}
