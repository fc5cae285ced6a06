import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { buildCompany, type Company } from '../../fixtures/company.js';
import { Clock, parseInstant, planClock, type ClockChange } from './clock.js';
import { createControlApp } from './control.js';
import { ProviderRuntime, type Provider } from './provider.js';
import { Persistence } from './persist.js';
import { ScenarioEngine, type ScenarioDef } from './scenarios.js';
import { RequestLog } from './requestlog.js';
import { checkVendorIds } from './settings.js';

export const DEFAULT_SEED = 20240721;
export const DEFAULT_PORT_BASE = 4100;

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
  /** Keep recorded/injected events, vendor state and clock settings in this file across restarts. */
  stateFile?: string;
  /** Strict mode: check each incoming request against the vendor's spec; violations get the vendor's 400. */
  validateRequests?: boolean;
  /** Scenarios to apply at start, by name (each with its default parameters, ending now). */
  scenarios?: string[];
}

export interface ProviderHandle {
  id: string;
  title: string;
  baseUrl: string;
  credentials: Record<string, unknown>;
  [k: string]: unknown;
}

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
  manifest(): Manifest;
  /** Same as POST /_emulator/reset. */
  reset(): void;
  /** Run after every reset (parts that subscribe to stores re-subscribe here). */
  onReset(fn: () => void): void;
  /** Save state now (with a state file); the control API calls it after each acknowledged change. */
  changed(): void;
  persistence?: Persistence;
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

/** Start the control API and every given vendor, each on its own port. */
export async function startCore(providers: Provider[], opts: StartOptions = {}, scenarioDefs: ScenarioDef[] = []): Promise<Emulator> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const host = opts.host ?? '127.0.0.1';
  const portBase = opts.portBase ?? 0;
  const clock = new Clock(opts.now !== undefined ? { now: parseInstant(opts.now), frozen: !opts.running } : {});
  const company = buildCompany(seed);
  const log = new RequestLog();
  checkVendorIds(providers.map((p) => p.id), opts.config ?? {}, opts.only);
  const selected = opts.only ? providers.filter((p) => opts.only!.includes(p.id)) : providers;
  const runtimes = new Map<string, ProviderRuntime>();
  const violations: string[] = [];
  const onViolation = opts.validateResponses ? (v: string) => violations.push(v) : undefined;
  let persistence: Persistence | undefined;
  const onChange = opts.stateFile ? () => persistence?.save() : undefined;
  for (const p of selected) runtimes.set(p.id, new ProviderRuntime(p, { seed, clock, company, config: opts.config ?? {}, log, onViolation, onChange, validateRequests: opts.validateRequests }));
  if (opts.stateFile) {
    persistence = new Persistence(opts.stateFile, seed, clock, runtimes);
  }

  const resetHooks = new Set<() => void>();
  const servers: Server[] = [];
  const listen = async (fetch: (req: Request, env?: unknown) => Response | Promise<Response>, port: number): Promise<string> => {
    const server = serve({ fetch, port, hostname: host }) as unknown as Server;
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      if (server.listening) return resolve();
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    const addr = server.address() as AddressInfo;
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `http://${shownHost}:${addr.port}`;
  };

  const emu: Emulator = {
    controlUrl: '',
    seed,
    clock,
    company,
    providers: {},
    runtimes,
    log,
    violations,
    manifest: () => ({
      now: new Date(clock.now()).toISOString(),
      seed,
      frozen: clock.frozen,
      controlUrl: emu.controlUrl,
      providers: Object.fromEntries(
        [...runtimes.values()].map((rt) => [
          rt.provider.id,
          { title: rt.provider.title, baseUrl: rt.ctx.baseUrl(), credentials: rt.instance.credentials, ...(rt.instance.manifest?.() ?? {}) },
        ]),
      ),
    }),
    reset: () => {
      clock.restore();
      log.clear();
      for (const rt of runtimes.values()) {
        const url = rt.ctx.baseUrl();
        rt.build();
        rt.setBaseUrl(url);
      }
      emu.scenarios.clear();
      for (const fn of resetHooks) fn();
      persistence?.save();
    },
    onReset: (fn) => void resetHooks.add(fn),
    changed: () => persistence?.save(),
    persistence,
    scenarios: undefined as unknown as ScenarioEngine,
    // Checked whole, then applied: a bad field leaves the clock as it was.
    setClock: (change) => clock.apply(planClock({ now: clock.now(), frozen: clock.frozen }, change)),
    close: async () => {
      clearInterval(pruner);
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections?.();
            }),
        ),
      );
    },
  };

  emu.scenarios = new ScenarioEngine(emu, scenarioDefs, providers);
  persistence?.register('scenarios', emu.scenarios.persistPart());
  const control = createControlApp(emu);
  if (persistence && !persistence.load()) persistence.save();
  for (const name of opts.scenarios ?? []) {
    const r = emu.scenarios.apply(name, {});
    if (!r.ok) throw new Error(`--scenario ${name}: ${r.message}`);
  }
  if (opts.scenarios?.length) persistence?.save();
  emu.controlUrl = await listen((req) => control.fetch(req), portBase);
  for (const rt of runtimes.values()) {
    // The handler looks the app up per request so that a reset swaps in the fresh one.
    // The node-server env ({incoming, outgoing}) goes along so vendors can read the peer address.
    const url = await listen((req, env) => rt.app.fetch(req, env), portBase === 0 ? 0 : portBase + rt.provider.portOffset);
    rt.setBaseUrl(url);
  }
  for (const rt of runtimes.values()) {
    emu.providers[rt.provider.id] = { id: rt.provider.id, title: rt.provider.title, baseUrl: rt.ctx.baseUrl(), get credentials() { return rt.instance.credentials; } };
  }
  const pruner = setInterval(() => {
    for (const rt of runtimes.values()) rt.ctx.store.prune();
  }, opts.pruneEveryMs ?? 60_000);
  pruner.unref();
  return emu;
}
