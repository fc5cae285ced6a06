import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, open, rm, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stateLayout } from './durable.js';
import { nodeIo } from './journal.js';
import type { Provider } from './provider.js';
import { ConfigError } from './settings.js';
import { DEFAULT_WORLD, World, type NewWorldSpec, type WorldDeps, type WorldSpec } from './world.js';

/** Why a world cannot be made or found, with the control API's status. */
export class WorldError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface WorldsOptions {
  stateDir?: string;
  stateFile?: string;
  /** At most this many worlds, the default one included. */
  maxWorlds: number;
  /** What a created world inherits unless its own options say otherwise. */
  defaults: Pick<WorldSpec, 'seed' | 'config' | 'only'>;
}

/** Routes remembered from credential to world; past this many the memory starts afresh. */
const ROUTE_CACHE = 100_000;
/** The file beside a world's journal that says how to make it again at start-up. */
const SPEC_FILE = 'world.json';

/**
 * Every world of one emulator and the choice among them: a vendor request's credential selects the
 * world that handed it out (its `principal`, asked of each world once, then remembered), and a
 * credential no world owns goes to the default world, which answers it as the vendor does.
 */
export class Worlds {
  private readonly worlds = new Map<string, World>();
  private readonly routes = new Map<string, World>();
  private readonly providers: Map<string, Provider>;
  /** Worlds being made: they count against the limit before they exist. */
  private making = 0;

  constructor(
    private readonly deps: Omit<WorldDeps, 'layout'>,
    private readonly opts: WorldsOptions,
  ) {
    this.providers = new Map(deps.providers.map((p) => [p.id, p]));
  }

  get default(): World {
    return this.worlds.get(DEFAULT_WORLD)!;
  }

  get size(): number {
    return this.worlds.size;
  }

  get(id: string): World | undefined {
    return this.worlds.get(id);
  }

  list(): World[] {
    return [...this.worlds.values()];
  }

  /** The default world, then every world a state directory holds (start-up only). */
  async start(spec: Omit<WorldSpec, 'id'>): Promise<World> {
    await this.open({ ...spec, id: DEFAULT_WORLD });
    for (const saved of this.savedSpecs()) await this.open(saved);
    return this.default;
  }

  /** A new world with a fresh id; its options default to the emulator's (credentials never). */
  async create(o: NewWorldSpec): Promise<World> {
    if (this.worlds.size + this.making >= this.opts.maxWorlds) {
      throw new WorldError(409, `at most ${this.opts.maxWorlds} worlds (--max-worlds); delete one first`);
    }
    this.making++;
    try {
      return await this.make(o);
    } finally {
      this.making--;
    }
  }

  private async make(o: NewWorldSpec): Promise<World> {
    const spec: WorldSpec = { ...o, id: `w${randomBytes(6).toString('hex')}`, seed: o.seed ?? this.opts.defaults.seed, config: this.inherited(o.config) };
    if (!spec.only && this.opts.defaults.only) spec.only = this.opts.defaults.only;
    for (const v of spec.only ?? []) {
      if (!this.default.runtimes.has(v)) throw new WorldError(400, `vendor '${v}' is not served by this emulator`);
    }
    this.checkCredentials(spec);
    const layout = stateLayout(this.opts, spec.id);
    if (layout) await writeSpec(join(dirname(layout.snapshot), SPEC_FILE), spec);
    try {
      return await this.open(spec);
    } catch (err) {
      if (layout) await rm(dirname(layout.snapshot), { recursive: true, force: true });
      if (err instanceof ConfigError) throw new WorldError(400, err.message);
      throw err;
    }
  }

  /** Remove a world and its files; its credentials then meet each vendor's unknown-credential answer. */
  async delete(id: string): Promise<void> {
    const w = this.worlds.get(id);
    if (!w) throw new WorldError(404, `no world '${id}'`);
    if (id === DEFAULT_WORLD) throw new WorldError(409, 'the default world cannot be deleted');
    this.worlds.delete(id);
    for (const [k, owner] of this.routes) if (owner === w) this.routes.delete(k);
    await w.close();
    const layout = stateLayout(this.opts, id);
    if (!layout) return;
    // Its spec first: a crash half-way leaves a directory that start-up ignores.
    const dir = dirname(layout.snapshot);
    await rm(join(dir, SPEC_FILE), { force: true });
    await rm(dir, { recursive: true, force: true });
  }

  /** The world a request to `vendor` is for (a promise only when its credential is in the body). */
  route(vendor: string, req: Request): World | Promise<World> {
    if (this.worlds.size === 1) return this.default;
    const principal = this.providers.get(vendor)?.principal?.(req);
    return principal instanceof Promise ? principal.then((p) => this.owner(vendor, p)) : this.owner(vendor, principal);
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.list().map((w) => w.close()));
  }

  private owner(vendor: string, principal: string | undefined): World {
    if (!principal) return this.default;
    const key = `${vendor}\n${principal}`;
    const hit = this.routes.get(key);
    if (hit) return hit;
    for (const w of this.worlds.values()) {
      if (!w.owns(vendor, principal)) continue;
      if (this.routes.size >= ROUTE_CACHE) this.routes.clear();
      this.routes.set(key, w);
      return w;
    }
    return this.default;
  }

  private async open(spec: WorldSpec): Promise<World> {
    const world = new World(spec, { ...this.deps, layout: stateLayout(this.opts, spec.id) });
    try {
      await world.open();
    } catch (err) {
      await world.close();
      throw err;
    }
    this.worlds.set(spec.id, world);
    return world;
  }

  /** The emulator's settings without its credentials, under the world's own. */
  private inherited(own: WorldSpec['config'] = {}): WorldSpec['config'] {
    const config: WorldSpec['config'] = {};
    for (const [v, settings] of Object.entries(this.opts.defaults.config)) {
      const { credentials: _ignored, ...rest } = settings;
      config[v] = rest;
    }
    for (const [v, settings] of Object.entries(own)) config[v] = { ...config[v], ...settings };
    return config;
  }

  /** Configured credentials must not be another world's: a credential chooses one world. */
  private checkCredentials(spec: WorldSpec): void {
    for (const [vendor, settings] of Object.entries(spec.config)) {
      for (const value of leaves(settings.credentials)) {
        const other = this.list().find((w) => w.owns(vendor, value) || leaves(w.spec.config[vendor]?.credentials).includes(value));
        if (other) throw new WorldError(409, `${vendor} credential '${value}' is already world '${other.id}''s`);
      }
    }
  }

  /** Worlds kept in the state directory besides the default one, in creation order. */
  private savedSpecs(): WorldSpec[] {
    const root = this.opts.stateDir ?? (this.opts.stateFile !== undefined ? `${this.opts.stateFile}.worlds` : undefined);
    if (root === undefined || !existsSync(root)) return [];
    const specs: Array<WorldSpec & { createdAt?: number }> = [];
    for (const d of readdirSync(root, { withFileTypes: true })) {
      if (!d.isDirectory() || d.name === DEFAULT_WORLD) continue;
      const file = join(root, d.name, SPEC_FILE);
      // A world whose creation never finished was never acknowledged.
      if (!existsSync(file)) continue;
      specs.push(readSpec(file, d.name));
    }
    return specs.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
  }
}

function leaves(v: unknown): string[] {
  if (typeof v === 'string') return v ? [v] : [];
  if (v && typeof v === 'object') return Object.values(v).flatMap(leaves);
  return [];
}

async function writeSpec(file: string, spec: WorldSpec): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const h = await open(tmp, 'w');
  try {
    await h.writeFile(JSON.stringify({ ...spec, createdAt: Date.now() }));
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, file);
  await nodeIo.syncDir(dirname(file));
}

function readSpec(file: string, id: string): WorldSpec & { createdAt?: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: not a world description (${(err as Error).message})`);
  }
  const spec = raw as WorldSpec & { createdAt?: number };
  if (!spec || typeof spec !== 'object' || spec.id !== id || !Number.isInteger(spec.seed) || typeof spec.config !== 'object') {
    throw new ConfigError(`${file}: not a world description for '${id}'`);
  }
  return spec;
}
