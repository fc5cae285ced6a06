import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Clock, parseInstant, planClock, type ClockChange } from './clock.js';
import type { Company } from './company.js';
import { ProviderRuntime, type Provider } from './provider.js';
import { DurableState, stateLayout } from './durable.js';
import { ScenarioEngine, type ScenarioDef } from './scenarios.js';
import { RequestLog } from './requestlog.js';
import { checkVendorIds } from './settings.js';
import { BucketCache } from './cache.js';
import { generateToken, isLoopback, type GuardOptions } from './guard.js';

export const DEFAULT_SEED = 20240721;
export const DEFAULT_PORT_BASE = 4100;
export const DEFAULT_MEMORY_BUDGET = 128_000_000;

export interface StartOptions {
  /** Seed for the company, credentials and history (default fixed, so runs are identical). */
  seed?: number;
  /** Start the clock frozen at this instant (ISO string or ms). */
  now?: string | number;
  /** With `now`: keep the clock running from that instant instead of frozen. */
  running?: boolean;
  /** Control port; vendors take the next ones. 0 (the programmatic default) picks free ports. */
  portBase?: number;
  host?: string;
  /** Per-vendor settings: `{ crusoe: { strictQueryOrder: true, credentials: {...} } }`. */
  config?: Record<string, Record<string, unknown>>;
  /** Serve only these vendor ids. */
  only?: string[];
  /** Prune expired events every this many ms (real time). */
  pruneEveryMs?: number;
  /** Check every vendor response against its spec; violations collect in `emulator.violations`. */
  validateResponses?: boolean;
  /**
   * Keep what cannot be regenerated (recorded and injected events, vendor state, clock settings,
   * applied scenarios) across restarts in this directory: `<dir>/<world>/snapshot.json` + `journal.log`.
   */
  stateDir?: string;
  /** The same for the default world in this file (its journal beside it as `<file>.journal`); not with `stateDir`. */
  stateFile?: string;
  /**
   * Bytes of generated history kept in memory across every vendor (default 128 MB; Infinity keeps
   * all): beyond it the least recently read buckets are dropped and regenerated when read again.
   */
  memoryBudget?: number;
  /** A full garbage collection the budget may ask for after evicting (keeps resident memory near it). */
  collectGarbage?: () => void;
  /** Compact a journal once it is larger than its snapshot and than this many bytes (default 1,000,000). */
  compactMinBytes?: number;
  /** Strict mode: check each incoming request against the vendor's spec; violations get the vendor's 400. */
  validateRequests?: boolean;
  /** Scenarios to apply at start, by name (each with its default parameters, ending now). */
  scenarios?: string[];
  /** More Host names the control port answers (beyond the bound address and loopback names). */
  allowHosts?: string[];
  /** Require `Authorization: Bearer <token>` on the control port; generated when bound beyond loopback. */
  controlToken?: string;
}

export interface ProviderHandle {
  id: string;
  title: string;
  baseUrl: string;
  credentials: Record<string, unknown>;
  [k: string]: unknown;
}

export type EmulatorEvents = {
  /** After a reset: stores, vendor state and scenarios are new (parts that hold a store re-subscribe). */
  reset: [];
};

export interface Emulator {
  controlUrl: string;
  seed: number;
  clock: Clock;
  company: Company;
  providers: Record<string, ProviderHandle>;
  runtimes: Map<string, ProviderRuntime>;
  log: RequestLog;
  /** Responses that did not conform to their spec (only with `validateResponses`). */
  violations: string[];
  /** Whether every response (vendor and control) is checked against its spec (`validateResponses`). */
  readonly checksResponses: boolean;
  /** Who may use the control port: its bound host, extra Host names, and the token it requires (if any). */
  readonly access: GuardOptions;
  manifest(): Manifest;
  /** Same as POST /_emulator/reset; emits `reset` once done. */
  reset(): void;
  readonly events: EventEmitter<EmulatorEvents>;
  /**
   * Resolves once every change so far is durable (at once without a state directory): the control
   * API waits for it before acknowledging. Vendor state (all vendors', or `vendor`'s) is journaled
   * here when it differs from its last journaled copy.
   */
  changed(vendor?: string): Promise<void>;
  /** The journaled state engine of the default world, with a state directory or file. */
  persistence?: DurableState;
  scenarios: ScenarioEngine;
  /** Set the emulator clock: an ISO instant, or advance by an ISO duration / seconds. */
  setClock(change: ClockChange): void;
  close(): Promise<void>;
}

export interface Manifest {
  now: string;
  seed: number;
  frozen: boolean;
  controlUrl: string;
  providers: Record<string, { title: string; baseUrl: string; credentials: Record<string, unknown>; [k: string]: unknown }>;
}

export { parseInstant };

/** A request handler as @hono/node-server calls it; `env` carries the node request and response. */
type Fetch = (req: Request, env?: unknown) => Response | Promise<Response>;

/**
 * What the composition outside the core supplies: the vendors, the company builder, the stories,
 * and the control port's app (made once the emulator exists, so it can address it).
 */
export interface CoreParts {
  providers: Provider[];
  buildCompany(seed: number): Company;
  scenarios?: ScenarioDef[];
  control(emu: Emulator): { fetch: Fetch };
}

/** The HTTP servers of one emulator: each listens on its own port and all close together. */
class Listeners {
  private servers: Server[] = [];

  constructor(private readonly host: string) {}

  async listen(fetch: Fetch, port: number): Promise<string> {
    const server = serve({ fetch, port, hostname: this.host }) as unknown as Server;
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      if (server.listening) return resolve();
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    const addr = server.address() as AddressInfo;
    const host = this.host;
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `http://${shownHost}:${addr.port}`;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections?.();
          }),
      ),
    );
  }
}

function manifestOf(emu: Emulator): Manifest {
  return {
    now: new Date(emu.clock.now()).toISOString(),
    seed: emu.seed,
    frozen: emu.clock.frozen,
    controlUrl: emu.controlUrl,
    providers: Object.fromEntries(
      [...emu.runtimes.values()].map((rt) => [
        rt.provider.id,
        { title: rt.provider.title, baseUrl: rt.ctx.baseUrl(), credentials: rt.instance.credentials, ...(rt.instance.manifest?.() ?? {}) },
      ]),
    ),
  };
}

/** Fresh stores, vendor state, request log and scenarios, as at start for the same seed (the state engine journals it). */
function resetWorld(emu: Emulator): void {
  emu.clock.restore();
  emu.log.clear();
  for (const rt of emu.runtimes.values()) {
    const url = rt.ctx.baseUrl();
    rt.build();
    rt.setBaseUrl(url);
  }
  emu.scenarios.clear();
  emu.events.emit('reset');
}

type RuntimeDeps = ConstructorParameters<typeof ProviderRuntime>[1];

function runtimesFor(providers: Provider[], opts: StartOptions, deps: Omit<RuntimeDeps, 'config'>): Map<string, ProviderRuntime> {
  checkVendorIds(
    providers.map((p) => p.id),
    opts.config ?? {},
    opts.only,
  );
  const selected = opts.only ? providers.filter((p) => opts.only!.includes(p.id)) : providers;
  return new Map(selected.map((p) => [p.id, new ProviderRuntime(p, { ...deps, config: opts.config ?? {} })]));
}

/** Start the control port and every given vendor, each on its own port. */
export async function startCore(parts: CoreParts, opts: StartOptions = {}): Promise<Emulator> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const clock = new Clock(opts.now !== undefined ? { now: parseInstant(opts.now), frozen: !opts.running } : {});
  const company = parts.buildCompany(seed);
  const log = new RequestLog();
  const violations: string[] = [];
  const layout = stateLayout(opts);
  let persistence: DurableState | undefined;
  const runtimes = runtimesFor(parts.providers, opts, {
    seed,
    clock,
    company,
    log,
    cache: new BucketCache(opts.memoryBudget ?? DEFAULT_MEMORY_BUDGET, opts.collectGarbage),
    onViolation: opts.validateResponses ? (v: string) => violations.push(v) : undefined,
    onChange: layout ? (vendor) => persistence?.changed(vendor) : undefined,
    validateRequests: opts.validateRequests,
  });
  const listeners = new Listeners(opts.host ?? '127.0.0.1');

  const host = opts.host ?? '127.0.0.1';
  // A control port reachable beyond this machine is never open: without a token, one is made.
  const token = opts.controlToken ?? (isLoopback(host) ? undefined : generateToken());
  const emu: Emulator = {
    controlUrl: '',
    seed,
    clock,
    company,
    providers: {},
    runtimes,
    log,
    violations,
    checksResponses: opts.validateResponses === true,
    access: { host, allowHosts: opts.allowHosts ?? [], ...(token ? { token } : {}) },
    events: new EventEmitter<EmulatorEvents>(),
    scenarios: new ScenarioEngine({ seed, clock, company, runtimes }, parts.scenarios ?? [], parts.providers),
    manifest: () => manifestOf(emu),
    reset: () => (persistence ? persistence.reset(() => resetWorld(emu)) : resetWorld(emu)),
    changed: (vendor) => persistence?.changed(vendor) ?? Promise.resolve(),
    // Checked whole, then applied: a bad field leaves the clock as it was.
    setClock: (change) => clock.apply(planClock({ now: clock.now(), frozen: clock.frozen }, change)),
    close: async () => {
      clearInterval(pruner);
      await listeners.close();
      await persistence?.close();
    },
  };
  if (layout) {
    const world = { name: 'default', seed, clock, runtimes, scenarios: emu.scenarios, reset: () => resetWorld(emu) };
    emu.persistence = persistence = await DurableState.open(layout, world, { compactMinBytes: opts.compactMinBytes });
  }
  const control = parts.control(emu);
  for (const name of opts.scenarios ?? []) {
    const r = emu.scenarios.apply(name, {});
    if (!r.ok) throw new Error(`--scenario ${name}: ${r.message}`);
  }
  await emu.changed();
  await listen(emu, listeners, control, opts.portBase ?? 0);
  const pruner = setInterval(() => {
    for (const rt of runtimes.values()) rt.ctx.store.prune();
  }, opts.pruneEveryMs ?? 60_000);
  pruner.unref();
  return emu;
}

/** The control port first, then each vendor at its offset (or any free port when the base is 0). */
async function listen(emu: Emulator, listeners: Listeners, control: { fetch: Fetch }, portBase: number): Promise<void> {
  emu.controlUrl = await listeners.listen((req) => control.fetch(req), portBase);
  for (const rt of emu.runtimes.values()) {
    // The handler looks the app up per request so that a reset swaps in the fresh one.
    // The node-server env ({incoming, outgoing}) goes along so vendors can read the peer address.
    const url = await listeners.listen((req, env) => rt.app.fetch(req, env), portBase === 0 ? 0 : portBase + rt.provider.portOffset);
    rt.setBaseUrl(url);
    emu.providers[rt.provider.id] = {
      id: rt.provider.id,
      title: rt.provider.title,
      baseUrl: url,
      get credentials() {
        return rt.instance.credentials;
      },
    };
  }
}
