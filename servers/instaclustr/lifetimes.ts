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

/**
 * Of one slot, the incarnations a day may touch: the last one started by that day and the one
 * before. Kept for the day last asked, since consecutive days mostly ask for the same two.
 */
export class SlotWindow<T> {
  private k = NaN;
  before!: T;
  last!: T;

  constructor(
    private readonly slot: { offset: number; period: number },
    private readonly make: (k: number) => T,
  ) {}

  at(day: number): this {
    const k = Math.floor((day - this.slot.offset) / this.slot.period);
    if (k !== this.k) {
      this.before = this.make(k - 1);
      this.last = this.make(k);
      this.k = k;
    }
    return this;
  }
}

/** A key incarnation generated or revoked on a day, and its slot. */
export interface KeyEvent {
  slot: KeySlot;
  key: KeyIncarnation;
}

const BLOCK = 64;

/**
 * A world's key events by day, for the block of days last asked: most days no key changes, so a
 * day looks up its few events instead of testing every slot. A slot's events on a day are those
 * of the two incarnations the day may touch (see SlotWindow), in slot order, the older first.
 */
class KeyCalendar {
  private block = NaN;
  private days: KeyEvent[][] = [];

  constructor(private readonly world: InstaclustrWorld) {}

  on(day: number): readonly KeyEvent[] {
    const block = Math.floor(day / BLOCK);
    if (block !== this.block) this.fill(block);
    return this.days[day - block * BLOCK];
  }

  private fill(block: number): void {
    const first = block * BLOCK;
    this.days = Array.from({ length: BLOCK }, () => []);
    for (const slot of this.world.keySlots) {
      const kOf = (day: number) => Math.floor((day - slot.offset) / slot.period);
      // Slot by slot, older incarnation first: the order a day plays its key events in.
      for (let k = kOf(first) - 1; k <= kOf(first + BLOCK - 1); k++) {
        const key = keyIncarnation(this.world.seed, slot, k);
        for (const day of key.generatedDay === key.revokedDay ? [key.generatedDay] : [key.generatedDay, key.revokedDay]) {
          if (day >= first && day < first + BLOCK && (k === kOf(day) || k === kOf(day) - 1)) this.days[day - first].push({ slot, key });
        }
      }
    }
    this.block = block;
  }
}

export interface Lifetimes {
  clusters: SlotWindow<Cluster>[];
  keys: KeyCalendar;
}

const lifetimes = new WeakMap<InstaclustrWorld, Lifetimes>();

/** A world's cluster windows (in slot order) and key calendar. */
export function lifetimesOf(world: InstaclustrWorld): Lifetimes {
  let l = lifetimes.get(world);
  if (!l) {
    const { seed } = world;
    l = {
      clusters: world.clusterSlots.map((s) => new SlotWindow(s, (k) => clusterIncarnation(seed, s, k))),
      keys: new KeyCalendar(world),
    };
    lifetimes.set(world, l);
  }
  return l;
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
