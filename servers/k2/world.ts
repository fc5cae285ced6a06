import type { Company, Person } from '../../fixtures/company.js';
import { PROJECT_NAMES } from '../../fixtures/catalogues/k2.js';
import type { CredentialDraw, Rng } from '../core/rng.js';
import type { K2Settings } from './settings.js';

export interface K2User {
  /** `ivan.petrov` */
  name: string;
  /** `ivan.petrov@<customer>` */
  username: string;
  person: Person | null;
  secret: string;
  projects: string[];
  admin: boolean;
}

export interface K2World {
  customer: string;
  region: string;
  projects: string[];
  users: K2User[];
  system: K2User;
  /** Access key id (project-scoped or base) to its user and project. */
  keys: Map<string, { user: K2User; project: string }>;
}

/**
 * The customer's name: the first word of the company's slug. K2 finds a caller's customer in its
 * access key id (`project:user@customer`), so each world other than the default is a customer of
 * its own, named after it.
 */
export function customerOf(company: Company, world = 'default'): string {
  const base = company.slug.split('-')[0];
  return world === 'default' ? base : `${base}-${world}`;
}

/** Buckets that exist before any client acts. */
export function initialBuckets(company: Company, settings: Pick<K2Settings, 'buckets'>, world = 'default'): string[] {
  const customer = customerOf(company, world);
  return settings.buckets ?? [`${customer}-activity-log`, `${customer}-backups`];
}

/** `project:user@customer` split as K2 reads access key ids: project before the first ':', customer after the last '@'. */
export function splitAccessKey(akid: string): { project: string; user: string; customer: string } | null {
  const at = akid.lastIndexOf('@');
  if (at <= 0 || at === akid.length - 1) return null;
  const colon = akid.indexOf(':');
  const project = colon >= 0 && colon < at ? akid.slice(0, colon) : '';
  const user = akid.slice(colon >= 0 && colon < at ? colon + 1 : 0, at);
  return user ? { project, user, customer: akid.slice(at + 1) } : null;
}

const secretOf = (cred: CredentialDraw): string => cred((r) => r.bytes(30).toString('base64').replace(/[+/]/g, 'x'));

export function buildWorld(
  company: Company,
  rng: Rng,
  settings: Pick<K2Settings, 'region' | 'credentials'>,
  world = 'default',
  cred: CredentialDraw = (d) => d(rng),
): K2World {
  const customer = customerOf(company, world);
  const projects = PROJECT_NAMES.slice(0, 5);
  const people = company.people.filter((p) => p.role !== 'finance' && p.role !== 'support');
  const users: K2User[] = people.map((person) => {
    const name = person.email.split('@')[0];
    const n = rng.int(1, 3);
    const own = new Set<string>();
    while (own.size < n) own.add(rng.pick(projects));
    return {
      name,
      username: `${name}@${customer}`,
      person,
      secret: secretOf(cred),
      projects: [...own].sort(),
      admin: person.role === 'admin' || person.role === 'security',
    };
  });
  const system: K2User = { name: 'system', username: `system@${customer}`, person: null, secret: secretOf(cred), projects, admin: false };
  const keys = new Map<string, { user: K2User; project: string }>();
  for (const user of users) {
    keys.set(user.username, { user, project: '' });
    for (const p of user.projects) keys.set(`${p}:${user.username}`, { user, project: p });
  }
  // Configured credentials replace the first administrator's secret and add its key id.
  const { accessKeyId, secretAccessKey } = settings.credentials;
  const admin = firstAdmin({ users });
  if (secretAccessKey !== undefined) admin.secret = secretAccessKey;
  if (accessKeyId !== undefined) keys.set(accessKeyId, { user: admin, project: splitAccessKey(accessKeyId)?.project ?? '' });
  return { customer, region: settings.region, projects, users, system, keys };
}

/** The first administrator: the user whose credentials are printed, and injected records' default actor. */
export function firstAdmin(world: Pick<K2World, 'users'>): K2User {
  return world.users.find((u) => u.admin)!;
}

/** Working credentials as printed and put in the manifest: the first administrator's and a non-member's. */
export function credentialsOf(world: K2World, settings: Pick<K2Settings, 'credentials'>): Record<string, unknown> {
  const admin = firstAdmin(world);
  const member = world.users.find((u) => !u.admin)!;
  return {
    accessKeyId: settings.credentials.accessKeyId ?? `${admin.projects[0]}:${admin.username}`,
    secretAccessKey: admin.secret,
    region: world.region,
    customer: world.customer,
    project: admin.projects[0],
    username: admin.username,
    nonAdmin: { accessKeyId: `${member.projects[0]}:${member.username}`, secretAccessKey: member.secret, username: member.username },
  };
}

/** The customer as another stream of activity sees it (a volume above 1): the same customer, region and projects, `company`'s people (colleagues) as users whose keys open nothing. */
export function streamWorld(base: K2World, company: Company, rng: Rng): K2World {
  return { ...buildWorld(company, rng, { region: base.region, credentials: {} }), keys: new Map() };
}
