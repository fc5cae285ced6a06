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

function memo<S extends object, T>(store: () => WeakMap<S, Map<number, T>>, s: S, k: number, make: () => T): T {
  let m = store().get(s);
  let v = m?.get(k);
  if (v !== undefined) return v;
  if (++memoSize > MAX_MEMO) {
    clusterMemo = new WeakMap();
    keyMemo = new WeakMap();
    memoSize = 1;
    m = undefined;
  }
  if (!m) store().set(s, (m = new Map()));
  m.set(k, (v = make()));
  return v;
}

function clusterIncarnation(seed: number, s: ClusterSlot, k: number): Cluster {
  return memo(
    () => clusterMemo,
    s,
    k,
    () => makeCluster(seed, s, k),
  );
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

/** The incarnations of a slot that `day` may touch: the one started last before it and the one before that. */
function incarnationsAround(s: { offset: number; period: number }, day: number): number[] {
  const k = Math.floor((day - s.offset) / s.period);
  return [k - 1, k];
}

/** Incarnations of a slot whose life touches `day` (created, alive or deleted that day). */
export function clustersOn(seed: number, s: ClusterSlot, day: number): Cluster[] {
  return incarnationsAround(s, day)
    .map((k) => clusterIncarnation(seed, s, k))
    .filter((c) => c.createdDay <= day && day <= c.deletedDay);
}

function keyIncarnation(seed: number, s: KeySlot, k: number): KeyIncarnation {
  return memo(
    () => keyMemo,
    s,
    k,
    () => makeKey(seed, s, k),
  );
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
  return incarnationsAround(s, day).map((k) => keyIncarnation(seed, s, k));
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
