import { createHash } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Company, Person } from './company.js';
import { inClockRange, type Clock } from './clock.js';
import type { ProviderHooks } from './hooks.js';
import type { RequestLog } from './requestlog.js';
import { Rng, hashSeed } from './rng.js';
import { checkConformance, checkRequest } from './conformance.js';
import { FaultSet } from './faults.js';
import { describeAjvError, loadSpec, type Spec } from './spec.js';
import { EventStore, type Entry } from './store.js';
import type { BucketCache, ByteBudget } from './cache.js';
import { VendorFailure, renderFailure, type Failure, type FailureRenderer } from './failure.js';
import { recordLimitProblem } from './limits.js';
import { ConfigError, resolveSettings, type CommonSettings, type SettingsSchema } from './settings.js';

export interface AuthInfo {
  outcome: 'ok' | 'refused';
  reason?: string;
  /** The string a signature was computed over, for diagnostics (never a secret). */
  canonical?: string;
}

/** Hono environment shared by every vendor app: auth middleware reports its outcome here. */
export type CoreEnv = { Variables: { auth?: AuthInfo; problem?: string } };

/**
 * The env the direct path of `wrapVendorApp` hands the vendor's routes: @hono/node-server's own
 * (`incoming`, `outgoing`), and for the core the request's path, auth outcome and replaced answer.
 * One per request, so outcomes never leak between requests.
 */
class DirectEnv {
  readonly incoming: unknown;
  readonly outgoing: unknown;
  auth: AuthInfo | undefined = undefined;
  replaced: Response | undefined = undefined;
  path = '';

  constructor(env: unknown) {
    const e = env as { incoming?: unknown; outgoing?: unknown } | undefined;
    this.incoming = e?.incoming;
    this.outgoing = e?.outgoing;
  }
}

/** Generic so that an auth middleware whose Env adds its typed caller can report too. */
export function reportAuth<E extends CoreEnv>(c: Context<E>, info: AuthInfo): void {
  // The direct path reads the outcome from its env; the wrapping middleware from the context.
  if (c.env instanceof DirectEnv) c.env.auth = info;
  else c.set('auth', info);
}

/** What a vendor's state factory may use: everything fixed for the vendor's lifetime. */
export interface StateContext<S = Record<string, unknown>> {
  seed: number;
  /** The world this instance serves (`default` unless created through the worlds API). */
  world: string;
  /**
   * Draws a credential (a key id, a secret, a password): from `rng` in the default world, so that
   * existing seeds keep their credentials; elsewhere from the world's own stream, after the same
   * draw from `rng`, so that everything else the world builds stays the same as the default's.
   */
  credentials(rng: Rng): <T>(draw: (r: Rng) => T) => T;
  clock: Clock;
  company: Company;
  settings: S & CommonSettings;
  rng(name: string): Rng;
}

export interface ProviderContext<R, S = Record<string, unknown>, St = unknown> extends StateContext<S> {
  id: string;
  store: EventStore<R>;
  /**
   * The vendor's state that cannot be regenerated: one plain JSON-able object, made by the
   * provider's `createState` and replaced whole on reset and load, so always read through ctx.
   */
  state: St;
  /** Secret for this vendor's opaque tokens; derived from the seed, never shown to clients. */
  secret: Buffer;
  spec: Spec;
  log: RequestLog;
  /** This vendor's own base URL once it listens. */
  baseUrl(): string;
  /** The faults switched on; vendors consult it for what only they can fake (e.g. bearer tokens expiring early). */
  faults: FaultSet;
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
  /** Summary using the instance's world (e.g. ids resolved to emails); the provider's otherwise. */
  summarize?(rec: R): EventSummary;
  /** The vendor's identity fields for a company person (user name, ids), so scenarios can act as them. */
  actorFor?(person: Person): Record<string, unknown> | undefined;
  /** The truth of each feed, by the feed's name (the names `ProviderHooks.feeds` gives). */
  feeds?: Record<string, FeedTruth>;
  /** Whether this instance handed out the credential `principal` names (see `Provider.principal`). */
  owns?(principal: string): boolean;
}

/**
 * Every record one feed's API returns to the manifest's credentials for an unfiltered query over
 * [from, to] (ms, both included, already within retention and not after now), once every delay has
 * passed: in the vendor's wire shape, newest first. Built on the same store walk and rendering as
 * the vendor's routes, so that it cannot drift from what the API answers.
 */
export type FeedTruth = (from: number, to: number) => unknown[] | Promise<unknown[]>;

/** The one object a vendor exports; servers/registry.ts lists them. */
export interface Provider<R = any, S = any, St = any> {
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
  /** The vendor's switches with their defaults; unknown or ill-typed ones stop start-up. */
  settings: SettingsSchema;
  /** Every failure kind in the vendor's own shape (settings may choose a dialect). */
  errors(settings: S & CommonSettings): FailureRenderer;
  /** A fresh copy of the vendor's state that cannot be regenerated. */
  createState?(ctx: StateContext<S>): St;
  create(ctx: ProviderContext<R, S, St>): VendorInstance<R>;
  /**
   * The credential a request carries, as the string the vendor finds its caller by (an access key
   * id, an API key, a bearer token, a login's user name): it selects the world that answers. Cheap,
   * and never a verdict: the chosen world's own auth still checks everything.
   */
  principal?(req: Request): string | undefined | Promise<string | undefined>;
  hooks?: ProviderHooks;
}

export function defineProvider<R, S = Record<string, unknown>, St = undefined>(p: Provider<R, S, St>): Provider<R, S, St> {
  return p;
}

/** A running vendor: its context, instance and HTTP handler (rebuilt on reset). */
export class ProviderRuntime<R = any> {
  ctx!: ProviderContext<R>;
  instance!: VendorInstance<R>;
  app!: Hono<CoreEnv>;
  /** The vendor's failure renderer for this instance's settings. */
  errors!: FailureRenderer;
  /** Latency, errors, drops and throttling switched on through the control API or config. */
  readonly faults = new FaultSet();
  private url = '';
  /** Draws for records of the `arrivals` fault. */
  private arrivalRng!: Rng;
  /** Positions of arrived records: they land visible, past any ingestion delay, to shift pages under a client. */
  private arrived = new Set<number>();

  constructor(
    readonly provider: Provider<R>,
    private readonly deps: {
      seed: number;
      /** The world served (`default` when not given). */
      world?: string;
      clock: Clock;
      company: Company;
      config: Record<string, unknown>;
      log: RequestLog;
      /** The memory budget of generated history, shared by every vendor. */
      cache?: BucketCache;
      /** Rendered JSON kept by every store together. */
      rendered?: ByteBudget;
      /** When set, every response is checked against the vendor's spec and violations reported here. */
      onViolation?: (v: string) => void;
      /** Called with the vendor's id when a request may have changed state; the response waits until the change is durable. */
      onChange?: (vendor: string) => void | Promise<void>;
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
    const { seed, world = 'default', clock, company, config, log } = this.deps;
    // The store asks for history lazily; it must reach the instance being built, not the one it replaces.
    const built: { instance?: VendorInstance<R> } = {};
    const raw = (config[p.id] as Record<string, unknown>) ?? {};
    const settings = resolveSettings<Record<string, unknown>>(p.id, p.settings, raw);
    // A reset replaces the store: its generated buckets leave the shared budget with it.
    (this.ctx as ProviderContext<R> | undefined)?.store.dispose();
    const store = new EventStore<R>({
      timeOf: (rec) => p.timeOf(rec),
      render: p.render ? (rec) => p.render!(rec) : (r) => r,
      retentionMs: p.retentionDays * 86_400_000,
      bucketMs: p.bucketMs,
      now: () => clock.now(),
      generate: (from, to, bucket) => built.instance?.generate?.(from, to, bucket) ?? [],
      cache: this.deps.cache,
      rendered: this.deps.rendered,
    });
    this.ctx = {
      id: p.id,
      seed,
      world,
      credentials: (rng) => credentialDrawer(rng, world === 'default' ? undefined : new Rng(hashSeed(seed, p.id, 'credentials', world))),
      clock,
      store,
      company,
      settings,
      state: undefined,
      // Tokens sealed in one world open in no other.
      secret: createHash('sha256')
        .update(`${seed}:${p.id}:token-secret${world === 'default' ? '' : `:${world}`}`)
        .digest(),
      // Parsed on first use (injection, strict modes, docs): start-up does not pay for it.
      get spec() {
        return loadSpec(p.specFile);
      },
      log,
      rng: (name) => new Rng(hashSeed(seed, p.id, name)),
      baseUrl: () => this.url,
      faults: this.faults,
    };
    this.ctx.state = this.freshState();
    this.arrivalRng = new Rng(hashSeed(seed, p.id, 'arrivals'));
    const instance = (built.instance = p.create(this.ctx));
    this.instance = instance;
    this.errors = p.errors(settings);
    const configured = FaultSet.parse(settings.faults ?? []);
    if (!configured.ok) throw new ConfigError(`config: ${p.id}.faults: ${configured.message}`);
    this.faults.set(configured.faults);
    // An ingestion delay hides records from every read of the API until their time plus their delay.
    this.arrived = new Set();
    store.inTransit = { active: () => this.faults.delaying, hides: (e) => !this.arrived.has(e.seq) && this.faults.hides(e.ts, e.seq, clock.now()) };
    this.app = wrapVendorApp(p.id, this.errors, instance.app, log, () => this.ctx.spec, this.faults, {
      onViolation: this.deps.onViolation,
      storeVersion: this.deps.onChange && (() => store.version),
      onChange: this.deps.onChange && (() => this.deps.onChange!(p.id)),
      validateRequests: this.deps.validateRequests,
      onAnswer: (method, path) => this.arrive(this.faults.arrivalsAfter(method, path)),
    });
  }

  /** Records landing at the head of the log now, each the vendor's own arrival beat for a company person (the `arrivals` fault). */
  arrive(n: number): void {
    const hooks = this.provider.hooks;
    const people = this.deps.company.people;
    if (!hooks || n <= 0 || people.length === 0) return;
    for (let i = 0; i < n; i++) {
      const person = people[this.arrivalRng.int(0, people.length - 1)];
      const beat = { ...hooks.arrival, person, at: this.deps.clock.now() };
      const r = this.prepare(hooks.scenarioRecord(beat, { rng: this.arrivalRng, actor: this.instance.actorFor?.(person) ?? {} }));
      if (r.ok) for (const rec of r.recs) this.arrived.add(this.ctx.store.insert(rec).seq);
    }
  }

  freshState(): unknown {
    return this.provider.createState?.(this.ctx) ?? undefined;
  }

  /** The vendor state as saved (plain JSON), or undefined when it has none. */
  saveState(): unknown {
    return this.ctx.state;
  }

  /** Replace the vendor state with a saved one, over a fresh copy so that new fields get defaults. */
  loadState(data: unknown): void {
    const fresh = this.freshState();
    this.ctx.state = fresh && typeof fresh === 'object' && data && typeof data === 'object' ? { ...fresh, ...data } : fresh;
  }

  /** Validate and add records in the vendor's own shape; the first bad one rejects the batch. */
  inject(input: unknown): { ok: true; ids: string[] } | { ok: false; message: string } {
    const r = this.prepare(input);
    return r.ok ? { ok: true, ids: this.commit(r.recs) } : r;
  }

  /** Records checked against the limits and the vendor's schema, with its defaults filled in; nothing stored yet. */
  prepare(input: unknown): { ok: true; recs: R[] } | { ok: false; message: string } {
    const items = Array.isArray(input) ? input : [input];
    if (items.length === 0) return { ok: false, message: 'no records given' };
    const validate = this.ctx.spec.schemaValidator(this.provider.recordSchema);
    const recs: R[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const where = Array.isArray(input) ? `record ${i}: ` : '';
      const limit = recordLimitProblem(item);
      if (limit) return { ok: false, message: where + limit };
      if (!validate(item)) return { ok: false, message: where + describeAjvError(validate.errors) };
      const rec = this.normalized(item);
      if (rec === undefined || !inClockRange(this.provider.timeOf(rec))) {
        return { ok: false, message: `${where}the record's time is not a valid instant between 1970 and 9999` };
      }
      recs.push(rec);
    }
    return { ok: true, recs };
  }

  /** Store prepared records as injected; their ids. */
  commit(recs: R[]): string[] {
    return recs.map((r) => this.idOf(this.ctx.store.insert(r, true)));
  }

  /** The vendor's defaults filled in; undefined when its times cannot be read. */
  private normalized(item: unknown): R | undefined {
    try {
      return this.instance.normalize ? this.instance.normalize(item as Record<string, unknown>) : (item as R);
    } catch (err) {
      if (err instanceof RangeError) return undefined;
      throw err;
    }
  }

  /** The feed's truth over [from, to] clamped to retention; undefined when the vendor has no such feed. */
  async truth(feed: string, from: number, to: number): Promise<unknown[] | undefined> {
    const fn = this.instance.feeds?.[feed];
    if (!fn) return undefined;
    return fn(Math.max(from, this.ctx.store.retentionEdge()), to);
  }

  summarize(rec: R): EventSummary {
    return this.instance.summarize ? this.instance.summarize(rec) : this.provider.summarize(rec);
  }

  idOf(e: Entry<R>): string {
    return this.provider.idOf?.(e.rec) ?? `${this.provider.id}:${e.seq}`;
  }
}

/** See `StateContext.credentials`. */
function credentialDrawer(rng: Rng, own: Rng | undefined): <T>(draw: (r: Rng) => T) => T {
  return (draw) => {
    const v = draw(rng);
    return own ? draw(own) : v;
  };
}

interface WrapOptions {
  /** When set, every response is checked against the vendor's spec and violations reported here. */
  onViolation?: (v: string) => void;
  storeVersion?: () => number;
  /** Called when a request may have changed state; the response waits until the promise says the change is durable. */
  onChange?: () => void | Promise<void>;
  validateRequests?: boolean;
  /** Called after every successful answer (history behaviours that follow traffic). */
  onAnswer?: (method: string, path: string) => void;
}

/**
 * Outer app for a vendor: request log, faults, strict mode, and every failure in the vendor's shape.
 * Two ways through it, answering alike. With a fault, strict mode or response checks on, a
 * middleware wraps the vendor's routes. Otherwise (most traffic) the request goes straight to the
 * routes and the log is written from outside: a middleware makes every answer asynchronous, and
 * a vendor route that answers at once then pays promise hops and @hono/node-server's asynchronous
 * write path, about 3 of the 25-30 us of server time a small signed query takes.
 */
function wrapVendorApp(
  id: string,
  errors: FailureRenderer,
  inner: Hono<any>,
  log: RequestLog,
  spec: () => Spec,
  faults: FaultSet,
  o: WrapOptions,
): Hono<CoreEnv> {
  const notFound = (c: Context) => renderFailure(errors, { kind: 'not-found', message: 'route not found' }, c);
  const onError = (err: Error, c: Context) => {
    if (err instanceof VendorFailure) return renderFailure(errors, err.failure, c);
    console.error(`[${id}] unhandled error:`, err);
    return renderFailure(errors, { kind: 'internal', message: 'internal error' }, c);
  };
  const finish = (app: Hono<CoreEnv>) => app.notFound(notFound).onError(onError);
  const app = new Hono<CoreEnv>();
  app.use('*', async (c, next) => {
    const started = performance.now();
    const before = o.storeVersion?.();
    await next();
    if (c.res.status === 200) o.onAnswer?.(c.req.method, c.req.path);
    // Recorded events and vendor state changes are durable before the answer acknowledges them;
    // a request that changed nothing waits for nothing.
    if (o.onChange && (o.storeVersion!() !== before || !['GET', 'HEAD'].includes(c.req.method))) {
      try {
        await o.onChange();
      } catch (err) {
        console.error(`[${id}] state could not be saved: ${(err as Error).message}`);
        c.res = renderFailure(errors, UNSAVED, c);
      }
    }
    if (o.onViolation) await checkConformance(id, c, spec(), o.onViolation);
    logRequest(log, id, c.req.method, c.req.path, c.res.status, started, c.get('auth'), c.get('problem'));
  });
  const faulty = faults.middleware();
  // Most requests meet no fault: skip the extra layer unless one is switched on.
  app.use('*', (c, next) => (faults.active ? faulty(c, next) : next()));
  if (o.validateRequests) app.use('*', strictMode(spec));
  finish(app.route('/', inner));
  if (o.onViolation || o.validateRequests) return app;
  // Hono works out the path once; the direct path keeps it for the log.
  const getPath: Hono['getPath'] = (req, opts) => {
    const path = app.getPath(req, opts);
    if (opts?.env instanceof DirectEnv) opts.env.path = path;
    return path;
  };
  const direct = directPath(finish(new Hono<CoreEnv>({ getPath }).route('/', inner)), finish(savingFailed()), log, id, o);
  const wrapped = app.fetch;
  app.fetch = (req, env, ectx) => (faults.active ? wrapped(req, env, ectx) : direct(req, env, ectx));
  return app;
}

const UNSAVED: Failure = Object.freeze({ kind: 'internal', message: 'state could not be saved' });

function logRequest(log: RequestLog, vendor: string, method: string, path: string, status: number, started: number, auth?: AuthInfo, problem?: string): void {
  const rec: Parameters<RequestLog['add']>[0] = { vendor, method, path, status, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  if (auth) rec.auth = auth;
  if (problem) rec.problem = problem;
  log.add(rec);
}

/** The vendor's answer when its state could not be saved, over the headers of the answer it replaces (carried on the env). */
function savingFailed(): Hono<CoreEnv> {
  return new Hono<CoreEnv>().all('*', (c) => {
    c.res = (c.env as DirectEnv).replaced!;
    throw new VendorFailure(UNSAVED);
  });
}

type Fetch = Hono<CoreEnv>['fetch'];

/**
 * The routes without a middleware around them: the same steps as the wrapping middleware (arrivals
 * after a successful answer, saving what changed, the log) taken on the Response outside the app,
 * synchronously unless something must be saved. The auth outcome comes back on the env.
 */
function directPath(routes: Hono<CoreEnv>, unsaved: Hono<CoreEnv>, log: RequestLog, id: string, o: WrapOptions): Fetch {
  return (req, env, ectx) => {
    const started = performance.now();
    const before = o.storeVersion?.();
    const scoped = new DirectEnv(env);
    const answered = (res: Response): Response | Promise<Response> => {
      const path = scoped.path;
      if (res.status === 200) o.onAnswer?.(req.method, path);
      if (o.onChange && (o.storeVersion!() !== before || !['GET', 'HEAD'].includes(req.method))) {
        return new Promise<void>((resolve) => resolve(o.onChange!())).then(
          () => logged(res, path),
          async (err: unknown) => {
            console.error(`[${id}] state could not be saved: ${(err as Error).message}`);
            scoped.replaced = res;
            return logged(await unsaved.fetch(req, scoped, ectx), path);
          },
        );
      }
      return logged(res, path);
    };
    const logged = (res: Response, path: string) => {
      logRequest(log, id, req.method, path, res.status, started, scoped.auth);
      return res;
    };
    const res = routes.fetch(req, scoped, ectx);
    return res instanceof Promise ? res.then(answered) : answered(res);
  };
}

/** Strict mode: a request that does not conform to the vendor's spec is a bad request. */
function strictMode(spec: () => Spec): MiddlewareHandler<CoreEnv> {
  return async (c, next) => {
    const body = ['GET', 'HEAD'].includes(c.req.method) ? '' : await c.req.raw.clone().text();
    const r = checkRequest(spec(), { method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body });
    if (r.ok) return next();
    const message = r.problems.map((p) => p.message).join('; ');
    c.set('problem', `strict mode: ${message}`);
    throw new VendorFailure({ kind: 'bad-request', message: `request does not conform to ${r.operation}: ${message}` });
  };
}
