import type { Context } from 'hono';

/**
 * Every way a request can fail, as meaning rather than as a Response. Routes, auth middleware and
 * the core (faults, strict mode, unknown routes, crashes) throw these; each vendor renders every
 * kind in its own shape in `errors.ts`. `code` is the vendor's own error name where it has several
 * for one meaning (K2's `TrailNotFoundException`, Crusoe's `bad_credential`); `detail` carries a
 * vendor's structured extra (field lists, the failed user name).
 */
interface Base {
  message: string;
  code?: string;
  detail?: unknown;
}

export type Failure =
  | (Base & { kind: 'bad-request' })
  | (Base & { kind: 'unauthenticated' })
  | (Base & { kind: 'forbidden' })
  | (Base & { kind: 'not-found' })
  | (Base & { kind: 'too-large' })
  | (Base & { kind: 'throttled'; retryAfterSeconds: number })
  | (Base & { kind: 'unavailable'; status: 502 | 503 | 504 })
  | (Base & { kind: 'internal' });

export type FailureKind = Failure['kind'];
export type FailureOf<K extends FailureKind> = Extract<Failure, { kind: K }>;

/** A vendor's renderer: one function per kind, so a vendor that misses a kind does not compile. */
export type FailureRenderer = { [K in FailureKind]: (f: FailureOf<K>, c: Context) => Response };

/** Thrown anywhere below a vendor app; the core's error handler renders it. */
export class VendorFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
    this.name = 'VendorFailure';
  }
}

type Extra = Omit<Base, 'message'>;

/** Throwing constructors, one per kind. */
export const fail = {
  badRequest: (message: string, extra: Extra = {}): never => raise({ kind: 'bad-request', message, ...extra }),
  unauthenticated: (message: string, extra: Extra = {}): never => raise({ kind: 'unauthenticated', message, ...extra }),
  forbidden: (message: string, extra: Extra = {}): never => raise({ kind: 'forbidden', message, ...extra }),
  notFound: (message: string, extra: Extra = {}): never => raise({ kind: 'not-found', message, ...extra }),
  tooLarge: (message: string, extra: Extra = {}): never => raise({ kind: 'too-large', message, ...extra }),
  throttled: (message: string, retryAfterSeconds: number, extra: Extra = {}): never => raise({ kind: 'throttled', message, retryAfterSeconds, ...extra }),
  unavailable: (message: string, status: 502 | 503 | 504 = 503, extra: Extra = {}): never => raise({ kind: 'unavailable', message, status, ...extra }),
  internal: (message: string, extra: Extra = {}): never => raise({ kind: 'internal', message, ...extra }),
};

function raise(f: Failure): never {
  throw new VendorFailure(f);
}

/** Render through a vendor's table (the one dispatch every vendor shares). */
export function renderFailure(r: FailureRenderer, f: Failure, c: Context): Response {
  return (r[f.kind] as (f: Failure, c: Context) => Response)(f, c);
}

/** The status a failure answers with when a vendor has no reason to differ. */
export function statusOf(f: Failure): number {
  switch (f.kind) {
    case 'bad-request':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'too-large':
      return 413;
    case 'throttled':
      return 429;
    case 'unavailable':
      return f.status;
    case 'internal':
      return 500;
  }
}

/** `Retry-After` for a throttled failure, in whole seconds (rounded up). */
export function retryAfter(f: FailureOf<'throttled'>): Record<string, string> {
  return { 'retry-after': String(Math.max(0, Math.ceil(f.retryAfterSeconds))) };
}
