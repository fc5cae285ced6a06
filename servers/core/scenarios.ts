import type { ValidateFunction } from 'ajv/dist/2020.js';
import { inClockRange, type Clock } from './clock.js';
import type { Company, Person } from './company.js';
import type { ScenarioBeat } from './hooks.js';
import type { Provider, ProviderRuntime } from './provider.js';
import { parseTime } from './time.js';
import { Rng, hashSeed } from './rng.js';
import { ajvWithFormats, describeAjvError } from './spec.js';

// Defaults fill in as the parameters are checked.
const paramsAjv = ajvWithFormats({ strict: false, useDefaults: true });

/**
 * Named, parameterised stories injected into one or more vendors' logs, each event in the vendor's
 * own record shape and validated like any injection. A story ends at `at` (default: now on the
 * emulator clock) so all of it is visible through the vendors' APIs at once.
 */
export interface ScenarioParam {
  name: string;
  type: 'string' | 'integer' | 'person' | 'ip';
  default?: string | number;
  description: string;
  min?: number;
  max?: number;
}

export interface ScenarioContext {
  /** End of the story, ms since epoch. */
  at: number;
  params: Record<string, any>;
  company: Company;
  rng: Rng;
  /** A company person by email (case-insensitive), or undefined. */
  person(email: string): Person | undefined;
  /** The vendor's own identity fields for a person (user names, ids), from the vendor itself. */
  actor(vendor: string, person: Person): Record<string, any>;
  /** One beat as a record in the vendor's own shape, built by the vendor's `hooks.scenarioRecord`. */
  record(vendor: string, beat: ScenarioBeat & { person: Person }): ScenarioEvent;
}

export interface ScenarioEvent {
  vendor: string;
  record: Record<string, unknown>;
}

export interface ScenarioDef {
  name: string;
  title: string;
  description: string;
  vendors: string[];
  params: ScenarioParam[];
  /** Default end instant when `at` is not given (default: now). */
  defaultAt?(ctx: { now: number; params: Record<string, any>; person: (email: string) => Person | undefined }): number;
  build(ctx: ScenarioContext): ScenarioEvent[];
}

export interface AppliedScenario {
  name: string;
  at: string;
  appliedAt: string;
  params: Record<string, unknown>;
  vendors: string[];
  ids: string[];
  events: Array<{ vendor: string; id: string }>;
}

/** What a story needs of the emulator: the seed and clock, the company, and the vendors to inject into. */
export interface ScenarioWorld {
  seed: number;
  clock: Clock;
  company: Company;
  runtimes: Map<string, ProviderRuntime>;
}

export class ScenarioEngine {
  private applied: AppliedScenario[] = [];
  private listeners = new Set<(a: AppliedScenario) => void>();

  constructor(
    private readonly world: ScenarioWorld,
    readonly defs: ScenarioDef[],
    /** Every known vendor, served or not: records of unserved ones are built (same random draws) and dropped. */
    private readonly providers: Provider[] = [],
  ) {}

  list(): Array<Omit<ScenarioDef, 'build' | 'defaultAt'>> {
    return this.defs.map(({ name, title, description, vendors, params }) => ({ name, title, description, vendors, params }));
  }

  history(): AppliedScenario[] {
    return this.applied;
  }

  clear(): void {
    this.applied = [];
  }

  /** The applied list from a snapshot. */
  restore(v: unknown): void {
    this.applied = Array.isArray(v) ? (v as AppliedScenario[]) : [];
  }

  /** Called with each applied scenario (the state engine journals it). */
  onApply(fn: (a: AppliedScenario) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Add to the applied list, keeping the newest thousand (also how the journal replays it). */
  record(a: AppliedScenario): void {
    this.applied.push(a);
    if (this.applied.length > 1000) this.applied.shift();
  }

  apply(name: string, input: Record<string, unknown>): { ok: true; result: AppliedScenario } | { ok: false; status: 400 | 404; message: string } {
    const def = this.defs.find((d) => d.name === name);
    if (!def) return { ok: false, status: 404, message: `unknown scenario '${name}' (${this.defs.map((d) => d.name).join(', ')})` };
    const { company } = this.world;
    const person = (email: string) => company.byEmail.get(email.toLowerCase()) ?? company.people.find((p) => p.email.toLowerCase() === email.toLowerCase());
    const checked = checkParams(def, input, person);
    if (!checked.ok) return { ok: false, status: 400, message: checked.message };
    const { params } = checked;
    const now = this.world.clock.now();
    let at: number;
    if (input.at !== undefined) {
      const parsed = typeof input.at === 'string' ? parseTime(input.at) : null;
      if (parsed === null || !inClockRange(parsed)) {
        return { ok: false, status: 400, message: "parameter 'at' must be an RFC 3339 instant between 1970 and 9999" };
      }
      at = parsed;
    } else at = def.defaultAt?.({ now, params, person }) ?? now;
    const rng = new Rng(hashSeed(this.world.seed, 'scenario', name, at, this.applied.length));
    const actor = (vendor: string, p: Person) => this.world.runtimes.get(vendor)?.instance.actorFor?.(p) ?? {};
    const record = (vendor: string, beat: ScenarioBeat & { person: Person }): ScenarioEvent => {
      const hooks = this.providers.find((p) => p.id === vendor)?.hooks;
      // An unknown vendor's beat is dropped like any vendor not served in this run.
      return { vendor, record: hooks ? hooks.scenarioRecord(beat, { rng, actor: actor(vendor, beat.person) }) : {} };
    };
    const stored = this.store(def.build({ at, params, company, rng, person, actor, record }));
    if (!stored.ok) return { ok: false, status: 400, message: `scenario ${name} produced a record ${stored.vendor} refused: ${stored.message}` };
    const result: AppliedScenario = {
      name,
      at: new Date(at).toISOString(),
      appliedAt: new Date(now).toISOString(),
      params,
      vendors: stored.vendors,
      ids: stored.events.map((e) => e.id),
      events: stored.events,
    };
    this.record(result);
    for (const fn of this.listeners) fn(result);
    return { ok: true, result };
  }

  /**
   * The story's records into the vendors served in this run. Every vendor's records are checked
   * before any is stored: a refusal leaves nothing applied.
   */
  private store(
    events: ScenarioEvent[],
  ): { ok: true; vendors: string[]; events: Array<{ vendor: string; id: string }> } | { ok: false; vendor: string; message: string } {
    const byVendor = new Map<string, Record<string, unknown>[]>();
    for (const e of events) {
      if (!this.world.runtimes.has(e.vendor)) continue; // vendor not served in this run
      const list = byVendor.get(e.vendor) ?? [];
      list.push(e.record);
      byVendor.set(e.vendor, list);
    }
    const prepared = [];
    for (const [vendor, records] of byVendor) {
      const rt = this.world.runtimes.get(vendor)!;
      const r = rt.prepare(records);
      if (!r.ok) return { ok: false, vendor, message: r.message };
      prepared.push({ vendor, rt, recs: r.recs });
    }
    const out: Array<{ vendor: string; id: string }> = [];
    for (const { vendor, rt, recs } of prepared) for (const id of rt.commit(recs)) out.push({ vendor, id });
    return { ok: true, vendors: [...byVendor.keys()], events: out };
  }
}

/**
 * A story's declared parameters as a JSON Schema: the one statement of what each accepts, checked
 * with ajv here and published per scenario in openapi/control.yaml (a test keeps the two equal).
 */
export function paramSchema(def: ScenarioDef): Record<string, unknown> {
  const properties: Record<string, unknown> = { at: { type: 'string' } };
  for (const p of def.params) {
    const base = { description: p.description, ...(p.default !== undefined ? { default: p.default } : {}) };
    if (p.type === 'integer') {
      properties[p.name] = { type: 'integer', ...(p.min !== undefined ? { minimum: p.min } : {}), ...(p.max !== undefined ? { maximum: p.max } : {}), ...base };
    } else if (p.type === 'ip') properties[p.name] = { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }], ...base };
    else properties[p.name] = { type: 'string', minLength: 1, ...base };
  }
  return { type: 'object', additionalProperties: false, properties };
}

const validators = new WeakMap<ScenarioDef, ValidateFunction>();

/** The story's parameters from the caller's input and the defaults, checked against paramSchema. */
function checkParams(
  def: ScenarioDef,
  input: Record<string, unknown>,
  person: (email: string) => Person | undefined,
): { ok: true; params: Record<string, any> } | { ok: false; message: string } {
  let validate = validators.get(def);
  if (!validate) validators.set(def, (validate = paramsAjv.compile(paramSchema(def))));
  const params: Record<string, any> = { ...input };
  if (!validate(params)) return { ok: false, message: describeAjvError(validate.errors, 'parameters') };
  delete params.at;
  for (const p of def.params) {
    if (p.type === 'person' && params[p.name] !== undefined && !person(params[p.name] as string)) {
      return { ok: false, message: `parameter '${p.name}': no person with email '${String(params[p.name])}' in the company` };
    }
  }
  return { ok: true, params };
}
