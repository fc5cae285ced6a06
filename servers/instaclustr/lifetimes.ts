/**
 * Resource lifetimes: every cluster's and key's creation and deletion day is a function of
 * (seed, slot, incarnation), so any day bucket can tell on its own which clusters and keys exist,
 * and which are born or die that day.
 */
import { NAMES, type PRODUCTS } from '../../fixtures/catalogues/instaclustr.js';
import { Rng, hashSeed } from '../core/rng.js';
import type { Account, ClusterSlot, InstaclustrWorld, KeySlot, User } from './world.js';

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

export interface KeyIncarnation {
  id: string;
  keyType: 'Provisioning' | 'Read-Only Provisioning' | 'Monitoring' | 'Organization Management';
  user: User;
  account: Account | null;
  generatedDay: number;
  revokedDay: number;
}

const mod = (n: number, m: number) => ((n % m) + m) % m;

// Incarnations are pure functions of (seed, slot, k); many day buckets ask for the same ones. The
// memo is bounded: at a high volume every stream's world has its own slots, and a forgotten
// incarnation is only made again.
const MAX_MEMO = 40_000;
let memoSize = 0;
let clusterMemo = new WeakMap<ClusterSlot, Map<number, Cluster>>();
let keyMemo = new WeakMap<KeySlot, Map<number, KeyIncarnation>>();

function clusterIncarnation(seed: number, s: ClusterSlot, k: number): Cluster {
  let m = clusterMemo.get(s);
  let c = m?.get(k);
  if (c !== undefined) return c;
  if (++memoSize > MAX_MEMO) forget();
  if (!(m = clusterMemo.get(s))) clusterMemo.set(s, (m = new Map()));
  m.set(k, (c = makeCluster(seed, s, k)));
  return c;
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
  const name = `${s.base}-${s.product.short}-${s.env}${suffix}`;
  return { id, name, account: s.account, product: s.product, version: r.pick(s.product.versions), createdDay, deletedDay, dcs, nodes };
}

function forget(): void {
  clusterMemo = new WeakMap();
  keyMemo = new WeakMap();
  memoSize = 1;
}

/** The last incarnation of a slot started by `day`; `day` may touch it and the one before. */
const lastStarted = (s: { offset: number; period: number }, day: number) => Math.floor((day - s.offset) / s.period);

/** Incarnations of a slot whose life touches `day` (created, alive or deleted that day), oldest first. */
export function clustersOn(seed: number, s: ClusterSlot, day: number): Cluster[] {
  const out: Cluster[] = [];
  for (let k = lastStarted(s, day) - 1, n = 0; n < 2; k++, n++) {
    const c = clusterIncarnation(seed, s, k);
    if (c.createdDay <= day && day <= c.deletedDay) out.push(c);
  }
  return out;
}

function keyIncarnation(seed: number, s: KeySlot, k: number): KeyIncarnation {
  let m = keyMemo.get(s);
  let key = m?.get(k);
  if (key !== undefined) return key;
  if (++memoSize > MAX_MEMO) forget();
  if (!(m = keyMemo.get(s))) keyMemo.set(s, (m = new Map()));
  m.set(k, (key = makeKey(seed, s, k)));
  return key;
}

const ACCOUNT_KEY_MIX = [
  { v: 'Provisioning' as const, weight: 6 },
  { v: 'Read-Only Provisioning' as const, weight: 3 },
  { v: 'Monitoring' as const, weight: 1 },
];

function makeKey(seed: number, s: KeySlot, k: number): KeyIncarnation {
  const r = new Rng(hashSeed(seed, 'instaclustr', 'key', s.user.userId, s.account?.accountId ?? 'org', k));
  const generatedDay = s.offset + k * s.period;
  // Service keys are rotated: the next key is generated a few days before the old one is revoked.
  const life = s.user.service ? s.period + r.int(2, 6) : Math.floor(s.period * (0.3 + r.next() * 0.6));
  const keyType = s.account === null ? 'Organization Management' : s.user.service ? 'Provisioning' : r.weighted(ACCOUNT_KEY_MIX).v;
  return { id: r.uuid(), keyType, user: s.user, account: s.account, generatedDay, revokedDay: generatedDay + life };
}

/** Incarnations of a key slot that may be generated or revoked on `day`, oldest first. */
export function keysAround(seed: number, s: KeySlot, day: number): KeyIncarnation[] {
  const k = lastStarted(s, day);
  return [keyIncarnation(seed, s, k - 1), keyIncarnation(seed, s, k)];
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
