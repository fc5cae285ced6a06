import type { Rng } from './rng.js';

/**
 * How a client of a vendor talks to it: everything outside the vendor's server that still has to
 * know the vendor (the request signer of the fuzzer, soak and live suites, the calls of the live
 * suite, scenario records, dashboard snippets, soak traffic, fuzz path values). Each vendor keeps
 * its answers in its own `client.ts` and hands them over as `Provider.hooks`, so that shared code
 * looks a vendor up instead of branching on its id.
 */
export interface ProviderHooks {
  /** Authenticates requests as the vendor's real clients do (may log in first). */
  authorizer(target: ClientTarget): Promise<Authorizer>;
  /** The read-only contract suite that also runs against the real vendor. */
  live: LiveHooks;
  /** One record in the vendor's injection shape for one beat of a scenario. */
  scenarioRecord(beat: ScenarioBeat, ctx: RecordContext): Record<string, unknown>;
  /** Ready-to-run commands for the dashboard's vendor card. */
  snippets(target: ClientTarget): Snippet[];
  /** Correctly authenticated read traffic for the soak. */
  soak(target: ClientTarget): SoakPlan;
  /** Known-good path parameter values, so that fuzz cases reach past routing and auth. */
  pathValues(entry: ManifestEntry): Record<string, string[]>;
  /** A record that lands while a client pages (the `arrivals` fault): a beat without its person and time. */
  arrival: Omit<ScenarioBeat, 'person' | 'at'>;
  /** The vendor's audit feeds by name (the first is the default), as collectors and `verify` know them. */
  feeds: Record<string, FeedHooks>;
}

/** What a collector's verifier must know of one feed. */
export interface FeedHooks {
  /**
   * The record's identity as the vendor gives it (its id field); absent when the vendor has none,
   * and then the whole record is its identity.
   */
  identity?(rec: Record<string, unknown>): string | undefined;
}

/** Where a client finds the vendor: a base URL and credentials under the manifest's names. */
export interface ClientTarget {
  baseUrl: string;
  credentials: Record<string, any>;
}

/** A vendor's manifest entry: a target plus the vendor's extra fields (e.g. K2's buckets). */
export interface ManifestEntry extends ClientTarget {
  [field: string]: unknown;
}

export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Headers that authenticate one request. */
export type Authorizer = (req: OutgoingRequest) => Promise<Record<string, string>>;

export interface LiveHooks {
  /** Environment variables: required ones, then optional ones with their defaults. */
  env: { required: string[]; optional: Record<string, string> };
  fromEnv: (env: NodeJS.ProcessEnv) => ClientTarget;
  /** The calls, in order; a function sees the bodies of the calls before it (by name) and may skip. */
  calls(target: ClientTarget): LiveStep[];
  /** A credential of the right form that the vendor must refuse. */
  wrongAuthorizer(target: ClientTarget): Promise<Authorizer>;
}

export interface LiveCall {
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /** 'wrong': authenticated with `wrongAuthorizer` (default 'valid'). */
  auth?: 'valid' | 'wrong';
  /** Expected status (default 200). */
  expect?: number;
}

export type LiveStep = LiveCall | ((prev: Map<string, any>) => LiveCall | null);

/**
 * One beat of a scenario, in vendor-neutral terms; each vendor maps it to its own record.
 * `action` is the vendor's own action name (scenarios tell a story per vendor).
 */
export interface ScenarioBeat {
  person: BeatPerson;
  /** ms since epoch. */
  at: number;
  action: string;
  ip?: string;
  userAgent?: string;
  /** What was acted on; `type` is the vendor's own kind (e.g. Crusoe `VM`, Opsera `pipeline`). */
  target?: { type?: string; name?: string; id?: string };
  /** Free text the vendor records about the action. */
  detail?: string | null;
  /** More fields of the vendor's record, as they are. */
  fields?: Record<string, unknown>;
}

/** The parts of a company person a record may use (a structural type: the core imports no fixtures). */
export interface BeatPerson {
  id: string;
  name: string;
  email: string;
  username: string;
  homeIp: string;
  officeIp: string;
  userAgent: string;
}

export interface RecordContext {
  /** The scenario's random stream: draws must stay in order for a scenario to be reproducible. */
  rng: Rng;
  /** The vendor's own identity fields for the beat's person (empty when the vendor is not served). */
  actor: Record<string, any>;
}

export interface Snippet {
  label: string;
  code: string;
}

export interface SoakPlan {
  /** Concurrent connections for this vendor. */
  connections: number;
  requests: Array<{ method: string; path: string; body?: string; headers?: Record<string, string> }>;
}

/** A record's id field as a string; undefined when it has none (then the whole record is its identity). */
export function idField(rec: Record<string, unknown>, field: string): string | undefined {
  const v = rec[field];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** A POSIX shell single-quoted word, for snippets. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The decoded path a signer signs over; the raw path when it does not decode. */
export function decodedPath(url: URL): string {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return url.pathname;
  }
}
