import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { parseInstant, type ClockChange } from './clock.js';
import type { Company } from './company.js';
import type { Provider } from './provider.js';
import { stateLayout } from './durable.js';
import type { ScenarioDef } from './scenarios.js';
import { BucketCache, ByteBudget } from './cache.js';
import { generateToken, isLoopback, type GuardOptions } from './guard.js';
import { DEFAULT_WORLD, type Manifest, type NewWorldSpec, type World, type WorldEvents } from './world.js';
import { Worlds } from './worlds.js';

export const DEFAULT_SEED = 20240721;
export const DEFAULT_PORT_BASE = 4100;
export const DEFAULT_MEMORY_BUDGET = 128_000_000;
/** Rendered JSON kept for re-serving, all worlds and vendors together. */
const RENDERED_BUDGET = 20_000_000;

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
  /** At most this many worlds, the default one included (default 1,000). */
  maxWorlds?: number;
}

export type { Manifest, ProviderHandle } from './world.js';
export type EmulatorEvents = WorldEvents;

/** Options of `createWorld` and of `POST /_emulator/worlds`: the same meanings as the command line's. */
export interface CreateWorldOptions {
  name?: string;
  seed?: number;
  /** The clock's start instant; frozen there unless `frozen` is false (or `running` true). */
  now?: string | number;
  frozen?: boolean;
  running?: boolean;
  config?: Record<string, Record<string, unknown>>;
  only?: string[];
  scenarios?: string[];
}

/**
 * One running emulator: its default world's handle (what every unprefixed control route and every
 * credential no other world owns reaches), the other worlds, and what they share.
 */
export interface Emulator extends WorldHandle {
  /** Responses that did not conform to their spec (only with `validateResponses`). */
  violations: string[];
  /** Whether every response (vendor and control) is checked against its spec (`validateResponses`). */
  readonly checksResponses: boolean;
  /** Who may use the control port: its bound host, extra Host names, and the token it requires (if any). */
  readonly access: GuardOptions;
  /** Every world, the default one included. */
  readonly worlds: Worlds;
  /** A new world with its own credentials on the same vendor ports; `close()` on it deletes it. */
  createWorld(options?: CreateWorldOptions): Promise<WorldHandle>;
  /** Closes every port and world (worlds in a state directory stay there). */
  close(): Promise<void>;
}

/** One world as a test holds it: the same shape as the emulator's own. */
export interface WorldHandle {
  readonly id: string;
  controlUrl: string;
  seed: number;
  clock: World['clock'];
  company: World['company'];
  providers: World['providers'];
  runtimes: World['runtimes'];
  log: World['log'];
  scenarios: World['scenarios'];
  readonly events: World['events'];
  /** The journaled state engine of the world, with a state directory or file. */
  readonly persistence?: World['persistence'];
  manifest(): Manifest;
  /** Same as POST reset; emits `reset` once done. */
  reset(): void;
  /** Resolves once every change so far is durable (at once without a state directory). */
  changed(vendor?: string): Promise<void>;
  setClock(change: ClockChange): void;
  /** Records in the vendor's own shape; resolves with their ids once durable. */
  inject(vendor: string, records: unknown): Promise<string[]>;
  close(): Promise<void>;
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

/** A world's handle: its own state and methods, and `close()` deleting it. */
function handleOf(world: World, close: () => Promise<void>): WorldHandle {
  return {
    id: world.id,
    get controlUrl() {
      return world.controlUrl;
    },
    seed: world.seed,
    clock: world.clock,
    company: world.company,
    providers: world.providers,
    runtimes: world.runtimes,
    log: world.log,
    scenarios: world.scenarios,
    events: world.events,
    get persistence() {
      return world.persistence;
    },
    manifest: () => world.manifest(),
    reset: () => world.reset(),
    changed: (vendor) => world.changed(vendor),
    setClock: (change) => world.setClock(change),
    inject: async (vendor, records) => {
      const r = world.inject(vendor, records);
      if (!r.ok) throw new Error(r.message);
      await world.changed(vendor);
      return r.ids;
    },
    close,
  };
}

/** A world spec from the options the command line, `createWorld` and the worlds API share. */
export function worldSpecOf(o: CreateWorldOptions): NewWorldSpec {
  const frozen = o.frozen ?? (o.running === undefined ? undefined : !o.running);
  const now = o.now !== undefined ? parseInstant(o.now) : frozen ? Date.now() : undefined;
  return {
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(now !== undefined ? { now, frozen: frozen ?? true } : {}),
    ...(o.config ? { config: o.config } : {}),
    ...(o.only ? { only: o.only } : {}),
    ...(o.scenarios ? { scenarios: o.scenarios } : {}),
  };
}

/** Start the control port and every given vendor, each on its own port. */
export async function startCore(parts: CoreParts, opts: StartOptions = {}): Promise<Emulator> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const violations: string[] = [];
  const host = opts.host ?? '127.0.0.1';
  const listeners = new Listeners(host);
  const urls = { control: '', vendors: new Map<string, string>() };
  const companies = new Map<number, Company>();
  stateLayout(opts); // refuses --state-dir with --state-file before anything starts
  const worlds = new Worlds(
    {
      providers: parts.providers,
      company: (s) => companies.get(s) ?? companies.set(s, parts.buildCompany(s)).get(s)!,
      scenarioDefs: parts.scenarios ?? [],
      cache: new BucketCache(opts.memoryBudget ?? DEFAULT_MEMORY_BUDGET, opts.collectGarbage),
      // Five vendors' 4 MB each in one busy world, however many worlds there are.
      rendered: new ByteBudget(RENDERED_BUDGET),
      baseUrl: (vendor) => urls.vendors.get(vendor) ?? '',
      controlUrl: (world) => (world === DEFAULT_WORLD ? urls.control : `${urls.control}/_emulator/worlds/${world}`),
      onViolation: opts.validateResponses ? (v: string) => violations.push(v) : undefined,
      validateRequests: opts.validateRequests,
      compactMinBytes: opts.compactMinBytes,
    },
    { stateDir: opts.stateDir, stateFile: opts.stateFile, maxWorlds: opts.maxWorlds ?? 1000, defaults: { seed, config: opts.config ?? {}, only: opts.only } },
  );
  const spec = worldSpecOf({ now: opts.now, running: opts.running });
  const world = await worlds.start({ ...spec, seed, config: opts.config ?? {}, only: opts.only, scenarios: opts.scenarios });
  // A control port reachable beyond this machine is never open: without a token, one is made.
  const token = opts.controlToken ?? (isLoopback(host) ? undefined : generateToken());
  const handle = handleOf(world, async () => {
    clearInterval(pruner);
    await listeners.close();
    await worlds.closeAll();
  });
  // Assigned onto the handle, whose getters (controlUrl, persistence) must stay live.
  const emu: Emulator = Object.assign(handle, {
    violations,
    checksResponses: opts.validateResponses === true,
    access: { host, allowHosts: opts.allowHosts ?? [], ...(token ? { token } : {}) },
    worlds,
    createWorld: async (o = {}) => {
      const w = await worlds.create(worldSpecOf(o));
      return handleOf(w, () => worlds.delete(w.id));
    },
  });
  const control = parts.control(emu);
  await listen(worlds, listeners, control, opts.portBase ?? 0, urls);
  const pruner = setInterval(() => {
    for (const w of worlds.list()) for (const rt of w.runtimes.values()) rt.ctx.store.prune();
  }, opts.pruneEveryMs ?? 60_000);
  pruner.unref();
  return emu;
}

/** The control port first, then each vendor at its offset (or any free port when the base is 0). */
async function listen(
  worlds: Worlds,
  listeners: Listeners,
  control: { fetch: Fetch },
  portBase: number,
  urls: { control: string; vendors: Map<string, string> },
): Promise<void> {
  urls.control = await listeners.listen((req) => control.fetch(req), portBase);
  for (const rt of worlds.default.runtimes.values()) {
    const id = rt.provider.id;
    // The credential chooses the world; its vendor app is looked up per request so that a reset swaps in the fresh one.
    // The node-server env ({incoming, outgoing}) goes along so vendors can read the peer address.
    const appOf = (w: World) => (w.runtimes.get(id) ?? rt).app;
    const url = await listeners.listen(
      (req, env) => {
        const w = worlds.route(id, req);
        return w instanceof Promise ? w.then((x) => appOf(x).fetch(req, env)) : appOf(w).fetch(req, env);
      },
      portBase === 0 ? 0 : portBase + rt.provider.portOffset,
    );
    urls.vendors.set(id, url);
    for (const w of worlds.list()) w.listening(id, url);
  }
}
