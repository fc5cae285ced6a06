/**
 * Resource lifetimes: every cluster's and key's creation and deletion day is a function of
 * (seed, slot, incarnation), so any day bucket can tell on its own which clusters and keys exist,
 * and which are born or die that day.
 */
import { NAMES, type PRODUCTS } from '../../fixtures/catalogues/instaclustr.js';
import { Rng, hashSeed, mixSeed } from '../core/rng.js';
import type { Account, ClusterSlot, InstaclustrWorld, KeySlot, User } from './world.js';

type Product = (typeof PRODUCTS)[number];
type KeyType = 'Provisioning' | 'Read-Only Provisioning' | 'Monitoring' | 'Organization Management';

/**
 * What identifies a cluster, drawn once a record names it, and what it is made of, drawn after
 * that from the same generator once a record names a data centre or node.
 */
interface ClusterDetails {
  id: string;
  parts: () => ClusterParts;
}

interface ClusterParts {
  version: string;
  dcs: Array<{ id: string; name: string }>;
  nodes: Array<{ id: string; name: string }>;
}

/**
 * One incarnation of a slot. Its life is drawn first from the incarnation's own generator and
 * decides what happens when; its details (ids, names) follow in the same generator, drawn when
 * first read: counting a day never reads them.
 */
abstract class Incarnation<S extends { offset: number; period: number }, D> {
  /** The day it starts (its slot's period after the one before) and the day it ends. */
  protected readonly startDay: number;
  protected readonly endDay: number;
  private details: D | undefined;

  protected constructor(
    private readonly seed: number,
    protected readonly slot: S,
    protected readonly k: number,
  ) {
    this.startDay = slot.offset + k * slot.period;
    this.endDay = this.startDay + this.drawLife(new Rng(seed));
  }

  protected abstract drawLife(r: Rng): number;
  protected abstract drawDetails(r: Rng): D;

  protected drawn(): D {
    if (!this.details) {
      const r = new Rng(this.seed);
      this.drawLife(r);
      this.details = this.drawDetails(r);
    }
    return this.details;
  }
}

export class Cluster extends Incarnation<ClusterSlot, ClusterDetails> {
  readonly account: Account;
  readonly product: Product;
  private named: string | undefined;

  constructor(seed: number, slot: ClusterSlot, k: number) {
    super(seed, slot, k);
    this.account = slot.account;
    this.product = slot.product;
  }

  /** Day of CREATE_CLUSTER. */
  get createdDay(): number {
    return this.startDay;
  }
  /** Day of DELETE_CLUSTER. */
  get deletedDay(): number {
    return this.endDay;
  }

  get id(): string {
    return this.drawn().id;
  }
  /** Named by its slot and incarnation: no draw. */
  get name(): string {
    const s = this.slot;
    return (this.named ??= `${s.base}-${s.product.short}-${s.env}${s.longLived ? '' : `-${mod(this.k, 90) + 10}`}`);
  }
  get version(): string {
    return this.drawn().parts().version;
  }
  get dcs(): ClusterParts['dcs'] {
    return this.drawn().parts().dcs;
  }
  get nodes(): ClusterParts['nodes'] {
    return this.drawn().parts().nodes;
  }

  // Long-lived clusters run for years and are deleted just before their slot's next incarnation.
  protected drawLife(r: Rng): number {
    const s = this.slot;
    return s.longLived ? s.period - r.int(1, 30) : Math.floor(s.period * (0.5 + r.next() * 0.45));
  }

  protected drawDetails(r: Rng): ClusterDetails {
    const id = r.uuid();
    let parts: ClusterParts | undefined;
    return { id, parts: () => (parts ??= this.drawParts(r)) };
  }

  private drawParts(r: Rng): ClusterParts {
    const dcCount = r.chance(0.75) ? 1 : r.int(2, 3);
    const dcStart = r.int(0, NAMES.dataCentres.length - 1);
    const dcs = Array.from({ length: dcCount }, (_, i) => ({ id: r.uuid(), name: NAMES.dataCentres[(dcStart + i) % NAMES.dataCentres.length] }));
    const nodes = Array.from({ length: r.int(3, 12) }, () => ({ id: r.uuid(), name: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(2, 254)}` }));
    return { version: r.pick(this.slot.product.versions), dcs, nodes };
  }
}

export class KeyIncarnation extends Incarnation<KeySlot, { keyType: KeyType; id: string }> {
  readonly user: User;
  readonly account: Account | null;

  constructor(seed: number, slot: KeySlot, k: number) {
    super(seed, slot, k);
    this.user = slot.user;
    this.account = slot.account;
  }

  get generatedDay(): number {
    return this.startDay;
  }
  get revokedDay(): number {
    return this.endDay;
  }

  get keyType(): KeyType {
    return this.drawn().keyType;
  }
  get id(): string {
    return this.drawn().id;
  }

  // Service keys are rotated: the next key is generated a few days before the old one is revoked.
  protected drawLife(r: Rng): number {
    const s = this.slot;
    return s.user.service ? s.period + r.int(2, 6) : Math.floor(s.period * (0.3 + r.next() * 0.6));
  }

  protected drawDetails(r: Rng): { keyType: KeyType; id: string } {
    const s = this.slot;
    const keyType = s.account === null ? 'Organization Management' : s.user.service ? 'Provisioning' : r.weighted(ACCOUNT_KEY_MIX).v;
    return { keyType, id: r.uuid() };
  }
}

const mod = (n: number, m: number) => ((n % m) + m) % m;

// Incarnations are pure functions of (seed, slot, k); many day buckets ask for the same ones. The
// memo is bounded: at a high volume every stream's world has its own slots, and a forgotten
// incarnation is only made again.
const MAX_MEMO = 40_000;
let memoSize = 0;
let memo = new WeakMap<ClusterSlot | KeySlot, Map<number, unknown>>();

/** Incarnation `k` of `slot`, made by `make` unless remembered. */
function remembered<T>(slot: ClusterSlot | KeySlot, k: number, make: () => T): T {
  let m = memo.get(slot);
  let v = m?.get(k) as T | undefined;
  if (v !== undefined) return v;
  if (++memoSize > MAX_MEMO) {
    memo = new WeakMap();
    memoSize = 1;
    m = undefined;
  }
  if (!m) memo.set(slot, (m = new Map()));
  m.set(k, (v = make()));
  return v;
}

// An incarnation's seed: a digest of what names it in the seed's own stream, as it has always
// been; integer mixing in the streams of a volume, whose incarnations are made by the ten thousand.
const CLUSTER = 0x636c7573;
const KEY = 0x6b657973;
const clusterSeed = (world: InstaclustrWorld, s: ClusterSlot, k: number) =>
  world.stream === 0
    ? hashSeed(world.seed, 'instaclustr', 'cluster', s.account.accountId, s.slot, k)
    : mixSeed(mixSeed(world.seed ^ CLUSTER, s.account.index * 64 + s.slot), k);
const keySeed = (world: InstaclustrWorld, s: KeySlot, k: number) =>
  world.stream === 0
    ? hashSeed(world.seed, 'instaclustr', 'key', s.user.userId, s.account?.accountId ?? 'org', k)
    : mixSeed(mixSeed(world.seed ^ KEY, s.slot), k);

const clusterIncarnation = (world: InstaclustrWorld, s: ClusterSlot, k: number): Cluster => remembered(s, k, () => new Cluster(clusterSeed(world, s, k), s, k));
const keyIncarnation = (world: InstaclustrWorld, s: KeySlot, k: number): KeyIncarnation =>
  remembered(s, k, () => new KeyIncarnation(keySeed(world, s, k), s, k));

const ACCOUNT_KEY_MIX = [
  { v: 'Provisioning' as const, weight: 6 },
  { v: 'Read-Only Provisioning' as const, weight: 3 },
  { v: 'Monitoring' as const, weight: 1 },
];

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
        const key = keyIncarnation(this.world, slot, k);
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
    l = {
      clusters: world.clusterSlots.map((s) => new SlotWindow(s, (k) => clusterIncarnation(world, s, k))),
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
      const c = clusterIncarnation(world, s, k);
      out.set(c.id, c);
    }
  }
  return [...out.values()];
}
