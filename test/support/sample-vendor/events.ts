import { randomBytes } from 'node:crypto';
import type { Company } from '../../../fixtures/company.js';
import { Rng, hashSeed } from '../../../servers/core/rng.js';
import { iso } from '../../../servers/core/time.js';
import type { components } from './generated.js';

export type SampleEvent = components['schemas']['Event'];
type EventInput = components['schemas']['EventInput'];

const ACTIONS = ['login', 'login', 'login', 'export', 'update', 'update', 'delete', 'logout'];

export interface Caller {
  email: string;
  scopes: string[];
}

/** Who holds which token: the admin's reads the log, the other person's lacks the scope. */
export interface SampleWorld {
  tokens: Record<string, Caller>;
  readToken: string;
  noScopeToken: string;
}

export function buildWorld(company: Company, rng: Rng): SampleWorld {
  const admin = company.admins[0] ?? company.people[0];
  const other = company.people.find((p) => p !== admin) ?? admin;
  const readToken = `smp_${rng.alnum(32)}`;
  const noScopeToken = `smp_${rng.alnum(32)}`;
  return {
    tokens: { [readToken]: { email: admin.email, scopes: ['audit:read'] }, [noScopeToken]: { email: other.email, scopes: ['profile'] } },
    readToken,
    noScopeToken,
  };
}

/** History of one day bucket: a function of (seed, bucket) and the switch only. */
export function generateDay(seed: number, company: Company, perDay: number, from: number, to: number, bucket: number): SampleEvent[] {
  const rng = new Rng(hashSeed(seed, 'sample', bucket));
  const out: SampleEvent[] = [];
  for (let i = 0; i < perDay; i++) {
    const person = company.people[rng.int(0, company.people.length - 1)];
    const action = ACTIONS[rng.int(0, ACTIONS.length - 1)];
    const time = iso(from + rng.int(0, to - from - 1));
    out.push({ id: `evt_${rng.hex(16)}`, time, actor: person.email, action, ip: person.officeIp, ...(action === 'export' ? { target: 'report.csv' } : {}) });
  }
  return out;
}

/** An injected event (already valid against EventInput) with its id and times filled in. */
export function normalize(input: Record<string, unknown>): SampleEvent {
  const r = input as EventInput;
  return { id: r.id ?? `evt_${randomBytes(8).toString('hex')}`, ip: '', ...r, time: iso(Date.parse(r.time)) };
}
