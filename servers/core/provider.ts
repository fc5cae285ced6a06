import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { Company, Person } from '../../fixtures/company.js';
import type { Clock } from './clock.js';
import type { RequestLog } from './requestlog.js';
import { Rng, hashSeed } from './rng.js';
import { checkRequest, checkResponse } from './conformance.js';
import { FaultSet } from './faults.js';
import { describeAjvError, loadSpec, type Spec } from './spec.js';
import { EventStore, type Entry } from './store.js';

export interface AuthInfo {
  outcome: 'ok' | 'refused';
  reason?: string;
  /** The string a signature was computed over, for diagnostics (never a secret). */
  canonical?: string;
}

/** Hono environment shared by every vendor app: auth middleware reports its outcome here. */
export type CoreEnv = { Variables: { auth?: AuthInfo; problem?: string } };

export function reportAuth(c: Context<CoreEnv>, info: AuthInfo): void {
  c.set('auth', info);
}

export interface ProviderContext<R> {
  id: string;
  seed: number;
  clock: Clock;
  store: EventStore<R>;
  company: Company;
  /** This vendor's config section (`<vendor>.<setting>` switches, credential overrides). */
  config: Record<string, unknown>;
  /** Secret for this vendor's opaque tokens; derived from the seed, never shown to clients. */
  secret: Buffer;
  spec: Spec;
  log: RequestLog;
  /** A PRNG seeded from (seed, vendor, name): stable identities and credentials. */
  rng(name: string): Rng;
  /** This vendor's own base URL once it listens. */
  baseUrl(): string;
}

/** A vendor-neutral view of one event, for the cross-vendor timeline and person pages. */
export interface EventSummary {
  /** Who acted: an email where the vendor has one, else a user name or id. */
  actor: string;
  /** The vendor's own action name (e.g. `Create`, `DELETE_CLUSTER`, `RunInstances`). */
  action: string;
  /** 'success' or 'failure'. */
  outcome: 'success' | 'failure';
  /** What was acted on, as a short label. */
  target?: string;
  sourceIp?: string;
}

export interface VendorInstance<R> {
  app: Hono<CoreEnv>;
  /** Working credentials under the vendor's own names, as printed and put in the manifest. */
  credentials: Record<string, unknown>;
  /** More manifest fields for this vendor (e.g. K2's buckets). */
  manifest?(): Record<string, unknown>;
  /** History for one bucket [from, to); a function of its arguments and the seed only. */
  generate?(from: number, to: number, bucket: number): R[];
  /** Fill defaults into an injected record that passed schema validation. */
  normalize?(input: Record<string, unknown>): R;
  /**
   * The vendor's own error body for failures the core answers: 400 (strict request validation),
   * 404 (unknown route), 413, 429 (throttling faults, with Retry-After where the vendor sends one),
   * 500 and 503 (injected faults, crashes).
   */
  error(status: number, message: string): Response;
  /** Mutable state that cannot be regenerated (trails, reports, revoked tokens), as plain JSON. */
  persist?: { save(): unknown; load(data: unknown): void };
  /** Summary using the instance's world (e.g. ids resolved to emails); the provider's otherwise. */
  summarize?(rec: R): EventSummary;
  /** The vendor's identity fields for a company person (user name, ids), so scenarios can act as them. */
  actorFor?(person: Person): Record<string, unknown> | undefined;
}

/** The one object a vendor exports; servers/registry.ts lists them. */
export interface Provider<R = any> {
  id: string;
  title: string;
  /** Port = port base + offset (control is offset 0). */
  portOffset: number;
  retentionDays: number;
  bucketMs?: number;
  /** Path of the vendor's OpenAPI document, relative to the package root. */
  specFile: string;
  /** Schema (in the spec's components) that injected records must satisfy. */
  recordSchema: string;
  timeOf(rec: R): number;
  /** Public JSON for a record; identity when absent. */
  render?(rec: R): unknown;
  /** The vendor's own id of a record, when it has one. */
  idOf?(rec: R): string;
  /** Vendor-neutral summary of a record, for the dashboard timeline. */
  summarize(rec: R): EventSummary;
  create(ctx: ProviderContext<R>): VendorInstance<R>;
}

export function defineProvider<R>(p: Provider<R>): Provider<R> {
  return p;
}

/** A running vendor: its context, instance and HTTP handler (rebuilt on reset). */
export class ProviderRuntime<R = any> {
  ctx!: ProviderContext<R>;
  instance!: VendorInstance<R>;
  app!: Hono<CoreEnv>;
  /** Latency, errors, drops and throttling switched on through the control API or config. */
  readonly faults = new FaultSet();
  private url = '';

  constructor(
    readonly provider: Provider<R>,
    private readonly deps: {
      seed: number;
      clock: Clock;
      company: Company;
      config: Record<string, unknown>;
      log: RequestLog;
      /** When set, every response is checked against the vendor's spec and violations reported here. */
      onViolation?: (v: string) => void;
      /** Called before the response goes out when a request may have changed state (persistence). */
      onChange?: () => void;
      /** Strict mode: refuse requests that do not conform to the vendor's spec with its 400. */
      validateRequests?: boolean;
    },
  ) {
    this.build();
  }

  setBaseUrl(url: string): void {
    this.url = url;
  }

  /** Fresh state and history: the same as at start for the same seed. */
  build(): void {
    const p = this.provider;
    const { seed, clock, company, config, log } = this.deps;
    let instance: VendorInstance<R> | undefined;
    const store = new EventStore<R>({
      timeOf: p.timeOf,
      render: p.render ?? ((r) => r),
      retentionMs: p.retentionDays * 86_400_000,
      bucketMs: p.bucketMs,
      now: () => clock.now(),
      generate: (from, to, bucket) => instance?.generate?.(from, to, bucket) ?? [],
    });
    this.ctx = {
      id: p.id,
      seed,
      clock,
      store,
      company,
      config: (config[p.id] as Record<string, unknown>) ?? {},
      secret: createHash('sha256').update(`${seed}:${p.id}:token-secret`).digest(),
      // Parsed on first use (injection, strict modes, docs): start-up does not pay for it.
      get spec() {
        return loadSpec(p.specFile);
      },
      log,
      rng: (name) => new Rng(hashSeed(seed, p.id, name)),
      baseUrl: () => this.url,
    };
    instance = p.create(this.ctx);
    this.instance = instance;
    const configured = FaultSet.parse(this.ctx.config.faults ?? []);
    this.faults.set(configured.ok ? configured.faults : []);
    this.app = wrapVendorApp(p.id, instance, log, () => this.ctx.spec, this.faults, this.deps.onViolation, this.deps.onChange && (() => store.version), this.deps.onChange, this.deps.validateRequests);
  }

  /** Validate and add records in the vendor's own shape; the first bad one rejects the batch. */
  inject(input: unknown): { ok: true; ids: string[] } | { ok: false; message: string } {
    const items = Array.isArray(input) ? input : [input];
    if (items.length === 0) return { ok: false, message: 'no records given' };
    const validate = this.ctx.spec.schemaValidator(this.provider.recordSchema);
    const recs: R[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!validate(item)) {
        const where = Array.isArray(input) ? `record ${i}: ` : '';
        return { ok: false, message: where + describeAjvError(validate.errors) };
      }
      const rec = this.instance.normalize ? this.instance.normalize(item as Record<string, unknown>) : (item as R);
      if (!Number.isFinite(this.provider.timeOf(rec))) {
        return { ok: false, message: `${Array.isArray(input) ? `record ${i}: ` : ''}the record's time is not a valid instant` };
      }
      recs.push(rec);
    }
    const ids = recs.map((r) => this.idOf(this.ctx.store.insert(r, true)));
    return { ok: true, ids };
  }

  summarize(rec: R): EventSummary {
    return this.instance.summarize ? this.instance.summarize(rec) : this.provider.summarize(rec);
  }

  idOf(e: Entry<R>): string {
    return this.provider.idOf?.(e.rec) ?? `${this.provider.id}:${e.seq}`;
  }
}

/** Outer app for a vendor: request log, the vendor's 404 and error shapes around its routes. */
function wrapVendorApp<R>(
  id: string,
  instance: VendorInstance<R>,
  log: RequestLog,
  spec: () => Spec,
  faults: FaultSet,
  onViolation?: (v: string) => void,
  storeVersion?: () => number,
  onChange?: () => void,
  validateRequests?: boolean,
): Hono<CoreEnv> {
  const app = new Hono<CoreEnv>();
  app.use('*', async (c, next) => {
    const started = performance.now();
    const before = storeVersion?.();
    await next();
    // Recorded events and vendor state changes are saved before the answer acknowledges them.
    if (onChange && (storeVersion!() !== before || !['GET', 'HEAD'].includes(c.req.method))) onChange();
    if (onViolation) {
      const path = new URL(c.req.url).pathname;
      const res = c.res.clone();
      const ct = res.headers.get('content-type');
      const text = await res.text();
      let body: unknown = text;
      if (ct && /json/.test(ct)) {
        try { body = JSON.parse(text); } catch { onViolation(`${id} ${c.req.method} ${path} ${res.status}: body is not JSON`); }
      }
      const r = checkResponse(spec(), { method: c.req.method, path, status: res.status, contentType: ct, body });
      if (!r.ok) onViolation(`${id} ${c.req.method} ${path} ${res.status}: ${r.errors.join('; ')}`);
    }
    const auth = c.get('auth');
    const problem = c.get('problem');
    log.add({
      vendor: id,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      ...(auth ? { auth } : {}),
      ...(problem ? { problem } : {}),
    });
  });
  const faulty = faults.middleware((status, message) => instance.error(status, message));
  // Most requests meet no fault: skip the extra layer unless one is switched on.
  app.use('*', (c, next) => (faults.active ? faulty(c, next) : next()));
  if (validateRequests) {
    app.use('*', async (c, next) => {
      const body = ['GET', 'HEAD'].includes(c.req.method) ? '' : await c.req.raw.clone().text();
      const r = checkRequest(spec(), { method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body });
      if (r.ok) return next();
      const message = r.problems.map((p) => p.message).join('; ');
      c.set('problem', `strict mode: ${message}`);
      return instance.error(400, `request does not conform to ${r.operation}: ${message}`);
    });
  }
  app.route('/', instance.app);
  app.notFound(() => instance.error(404, 'route not found'));
  app.onError((err) => {
    console.error(`[${id}] unhandled error:`, err);
    return instance.error(500, 'internal error');
  });
  return app;
}
