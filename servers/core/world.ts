import { EventEmitter } from 'node:events';
import { Clock, planClock, type ClockChange } from './clock.js';
import type { BucketCache, ByteBudget } from './cache.js';
import type { Company } from './company.js';
import { DurableState, type StateLayout } from './durable.js';
import { ProviderRuntime, type Provider } from './provider.js';
import { RequestLog } from './requestlog.js';
import { ScenarioEngine, type ScenarioDef } from './scenarios.js';
import { ConfigError, checkVendorIds } from './settings.js';

/** The world every unprefixed control route addresses; it cannot be deleted. */
export const DEFAULT_WORLD = 'default';

export interface ProviderHandle {
  id: string;
  title: string;
  baseUrl: string;
  credentials: Record<string, unknown>;
  [k: string]: unknown;
}

export interface Manifest {
  now: string;
  seed: number;
  frozen: boolean;
  controlUrl: string;
  providers: Record<string, { title: string; baseUrl: string; credentials: Record<string, unknown>; [k: string]: unknown }>;
}

export type WorldEvents = {
  /** After a reset: stores, vendor state and scenarios are new (parts that hold a store re-subscribe). */
  reset: [];
};

/** What a world is made from: the same meanings as the command line's options. */
export interface WorldSpec {
  id: string;
  name?: string;
  seed: number;
  /** The clock's start instant (ms): frozen there unless `frozen` is false. */
  now?: number;
  frozen?: boolean;
  config: Record<string, Record<string, unknown>>;
  only?: string[];
  scenarios?: string[];
}

/** A world to make: its id is drawn, and its seed and settings default to the emulator's. */
export type NewWorldSpec = Omit<WorldSpec, 'id' | 'seed' | 'config'> & Partial<Pick<WorldSpec, 'seed' | 'config'>>;

/** What every world of one emulator shares: the vendors, the fixtures, the ports and the checks. */
export interface WorldDeps {
  providers: Provider[];
  company(seed: number): Company;
  scenarioDefs: ScenarioDef[];
  /** The vendor port's base URL (the same for every world). */
  baseUrl(vendor: string): string;
  controlUrl(world: string): string;
  /** Generated history of every world, under one memory budget. */
  cache?: BucketCache;
  /** Rendered JSON of every world, under one budget. */
  rendered?: ByteBudget;
  onViolation?: (v: string) => void;
  validateRequests?: boolean;
  layout?: StateLayout;
  compactMinBytes?: number;
}

/** The summary `GET /_emulator/worlds` lists. */
export interface WorldSummary {
  id: string;
  name: string;
  seed: number;
  now: string;
  frozen: boolean;
}

export type InjectResult = { ok: true; ids: string[] } | { ok: false; message: string };

/**
 * Everything a client can change, apart from every other client: a clock, each vendor's store and
 * state, faults, applied scenarios and the request log, kept durable by its own journal.
 */
export class World {
  readonly id: string;
  readonly name: string;
  readonly seed: number;
  readonly clock: Clock;
  readonly company: Company;
  readonly log = new RequestLog();
  readonly runtimes: Map<string, ProviderRuntime>;
  readonly scenarios: ScenarioEngine;
  readonly events = new EventEmitter<WorldEvents>();
  /** Each served vendor's base URL and current credentials. */
  readonly providers: Record<string, ProviderHandle> = {};
  persistence?: DurableState;

  constructor(
    readonly spec: WorldSpec,
    private readonly deps: WorldDeps,
  ) {
    this.id = spec.id;
    this.name = spec.name ?? spec.id;
    this.seed = spec.seed;
    this.clock = new Clock(spec.now !== undefined ? { now: spec.now, frozen: spec.frozen ?? true } : {});
    this.company = deps.company(spec.seed);
    this.runtimes = runtimesFor(deps.providers, spec, {
      seed: spec.seed,
      world: spec.id,
      clock: this.clock,
      company: this.company,
      log: this.log,
      cache: deps.cache,
      rendered: deps.rendered,
      onViolation: deps.onViolation,
      onChange: deps.layout ? (vendor) => this.persistence?.changed(vendor) : undefined,
      validateRequests: deps.validateRequests,
    });
    this.scenarios = new ScenarioEngine(
      { seed: spec.seed, clock: this.clock, company: this.company, runtimes: this.runtimes },
      deps.scenarioDefs,
      deps.providers,
    );
    for (const rt of this.runtimes.values()) this.handle(rt);
  }

  /** Recover or start its journal, then apply the start scenarios; resolves once that is durable. */
  async open(): Promise<this> {
    if (this.deps.layout) {
      const durable = { name: this.id, seed: this.seed, clock: this.clock, runtimes: this.runtimes, scenarios: this.scenarios, reset: () => this.rebuild() };
      this.persistence = await DurableState.open(this.deps.layout, durable, { compactMinBytes: this.deps.compactMinBytes });
    }
    for (const name of this.spec.scenarios ?? []) {
      const r = this.scenarios.apply(name, {});
      if (!r.ok) throw new ConfigError(`scenario ${name}: ${r.message}`);
    }
    await this.changed();
    return this;
  }

  get controlUrl(): string {
    return this.deps.controlUrl(this.id);
  }

  manifest(): Manifest {
    const providers = Object.fromEntries(
      [...this.runtimes.values()].map((rt) => [
        rt.provider.id,
        { title: rt.provider.title, baseUrl: rt.ctx.baseUrl(), credentials: rt.instance.credentials, ...(rt.instance.manifest?.() ?? {}) },
      ]),
    );
    return { now: new Date(this.clock.now()).toISOString(), seed: this.seed, frozen: this.clock.frozen, controlUrl: this.controlUrl, providers };
  }

  summary(): WorldSummary {
    return { id: this.id, name: this.name, seed: this.seed, now: new Date(this.clock.now()).toISOString(), frozen: this.clock.frozen };
  }

  /** Same as POST reset: back to the start settings; emits `reset` once done. */
  reset(): void {
    if (this.persistence) this.persistence.reset(() => this.rebuild());
    else this.rebuild();
  }

  /**
   * Resolves once every change so far is durable (at once without a state directory): the control
   * API waits for it before acknowledging. Vendor state (all vendors', or `vendor`'s) is journaled
   * here when it differs from its last journaled copy.
   */
  changed(vendor?: string): Promise<void> {
    return this.persistence?.changed(vendor) ?? Promise.resolve();
  }

  /** Set the clock: an ISO instant, or advance by an ISO duration / seconds; checked whole, then applied. */
  setClock(change: ClockChange): void {
    this.clock.apply(planClock({ now: this.clock.now(), frozen: this.clock.frozen }, change));
  }

  /** Records in the vendor's own shape, as POST providers/{vendor}/events; durable once `changed()` resolves. */
  inject(vendor: string, records: unknown): InjectResult {
    const rt = this.runtimes.get(vendor);
    if (!rt) return { ok: false, message: `unknown provider '${vendor}'` };
    return rt.inject(records);
  }

  /** The vendor's port is listening at `url` (worlds made before the ports opened learn it here). */
  listening(vendor: string, url: string): void {
    const rt = this.runtimes.get(vendor);
    if (!rt) return;
    rt.setBaseUrl(url);
    this.providers[vendor].baseUrl = url;
  }

  /** Whether this world handed out the credential a vendor request carries. */
  owns(vendor: string, principal: string): boolean {
    return this.runtimes.get(vendor)?.instance.owns?.(principal) === true;
  }

  /** Stop journaling and give the world's history and renderings back to the shared budgets. */
  async close(): Promise<void> {
    await this.persistence?.close();
    for (const rt of this.runtimes.values()) rt.ctx.store.dispose();
  }

  private handle(rt: ProviderRuntime): void {
    rt.setBaseUrl(this.deps.baseUrl(rt.provider.id));
    this.providers[rt.provider.id] = {
      id: rt.provider.id,
      title: rt.provider.title,
      baseUrl: rt.ctx.baseUrl(),
      get credentials() {
        return rt.instance.credentials;
      },
    };
  }

  /** Fresh stores, vendor state, request log and scenarios, as at start for the same seed (the state engine journals it). */
  private rebuild(): void {
    this.clock.restore();
    this.log.clear();
    for (const rt of this.runtimes.values()) {
      const url = rt.ctx.baseUrl();
      rt.build();
      rt.setBaseUrl(url);
    }
    this.scenarios.clear();
    this.events.emit('reset');
  }
}

type RuntimeDeps = ConstructorParameters<typeof ProviderRuntime>[1];

function runtimesFor(providers: Provider[], spec: WorldSpec, deps: Omit<RuntimeDeps, 'config'>): Map<string, ProviderRuntime> {
  checkVendorIds(
    providers.map((p) => p.id),
    spec.config,
    spec.only,
  );
  const selected = spec.only ? providers.filter((p) => spec.only!.includes(p.id)) : providers;
  return new Map(selected.map((p) => [p.id, new ProviderRuntime(p, { ...deps, config: spec.config })]));
}
