import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { VendorFailure, type Failure } from '../core/failure.js';
import type { Entry } from '../core/store.js';
import type { K2Env } from './auth.js';
import type { Dialect } from './errors.js';
import { makeRecord, type K2Event, type Resource } from './records.js';
import type { K2Context } from './state.js';
import type { K2World } from './world.js';

/** What a signed call leaves in the Activity Log besides who made it and when. */
export interface CallRecord {
  source: string;
  name: string;
  readOnly: boolean;
  requestParameters: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: { code: string; message: string };
  resources: Resource[];
  requestId: string;
}

/**
 * Every call that got past the signature is itself an event, appended once its answer is decided,
 * at the emulator time it arrived; nothing is logged while the subscription is inactive.
 */
export class CallLog {
  constructor(
    private readonly ctx: K2Context,
    private readonly world: K2World,
  ) {}

  record(c: Context<K2Env>, r: CallRecord): Entry<K2Event> | undefined {
    if (!this.ctx.state.subscriptionActive) return undefined;
    const caller = c.get('caller');
    return this.ctx.store.insert({
      record: makeRecord({
        time: c.get('arrival'),
        user: caller.user,
        customer: this.world.customer,
        region: this.world.region,
        accessKeyId: caller.accessKeyId,
        project: caller.project,
        source: r.source,
        name: r.name,
        readOnly: r.readOnly,
        userAgent: c.req.header('user-agent') ?? '',
        sourceIp: this.ctx.settings.sourceIpForApiCalls ? (c.req.header('x-forwarded-for') ?? '127.0.0.1') : undefined,
        error: r.error,
        requestParameters: r.requestParameters,
        responseElements: r.output ?? {},
        requestId: r.requestId,
        eventId: randomUUID(),
      }),
      resources: r.resources,
    });
  }

  /** Records the refused call, when it got far enough to be one, and throws its failure. */
  refuse(c: Context<K2Env>, rec: Omit<CallRecord, 'error'> | undefined, f: Failure & { code: string }): never {
    if (rec) this.record(c, { ...rec, error: { code: f.code, message: f.message } });
    throw new VendorFailure(f);
  }
}

/** A surface's first middleware: its error dialect, the arrival time recorded events carry, the request id. */
export function arrive(ctx: K2Context, dialect: Dialect): MiddlewareHandler<K2Env> {
  return async (c, next) => {
    c.set('dialect', dialect);
    c.set('arrival', ctx.clock.now());
    c.set('requestId', randomUUID());
    await next();
  };
}
