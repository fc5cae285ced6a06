import { Delivery } from './delivery.js';
import { lookupEvents } from './lookup.js';
import { opError, type OpResult } from './operation.js';
import type { Resource } from './records.js';
import type { K2Context } from './state.js';
import { TrailOps } from './trails.js';
import type { K2World } from './world.js';

/** The CloudTrail operations K2 serves, over `ctx.state` and the event store. */
export class K2Api {
  readonly delivery: Delivery;
  private readonly trails: TrailOps;

  constructor(
    private readonly ctx: K2Context,
    world: K2World,
  ) {
    this.delivery = new Delivery(ctx, world);
    this.trails = new TrailOps(ctx, world, this.delivery);
  }

  /** `input` passed parseBody against the operation's members. */
  async run(op: string, input: Record<string, unknown>): Promise<OpResult> {
    const t = this.trails;
    switch (op) {
      case 'LookupEvents': return lookupEvents(this.ctx, input);
      case 'CreateTrail': return t.createTrail(input);
      case 'UpdateTrail': return t.updateTrail(input);
      case 'DeleteTrail': return t.deleteTrail(input);
      case 'StartLogging': return t.startLogging(input);
      case 'StopLogging': return t.stopLogging(input);
      case 'GetTrail': return t.getTrail(input);
      case 'GetTrailStatus': return t.getTrailStatus(input);
      case 'DescribeTrails': return t.describeTrails(input);
      case 'ListTrails': return t.listTrails();
      default: return opError('UnknownOperationException', `Unknown operation: ${op}`);
    }
  }

  /** The trail a call names, for the recorded event's Resources. */
  resourcesOf(input: Record<string, unknown>): Resource[] {
    return this.trails.resourcesOf(input);
  }
}
