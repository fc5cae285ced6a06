import { Delivery } from './delivery.js';
import { lookupEvents } from './lookup.js';
import type { components } from '../../openapi/generated/k2-cloudtrail.js';
import { opError, type OpResult } from './operation.js';
import { timestampMs } from './query.js';
import type { Resource } from './records.js';
import { SelectorOps } from './selectors.js';
import type { K2Context } from './state.js';
import { TagOps } from './tags.js';
import { TrailOps } from './trails.js';
import type { K2World } from './world.js';
import type { K2Event } from './records.js';

/** The CloudTrail operations K2 serves, over `ctx.state` and the event store. */
export class K2Api {
  readonly delivery: Delivery;
  private readonly trails: TrailOps;
  private readonly selectors: SelectorOps;
  private readonly tags: TagOps;

  constructor(
    private readonly ctx: K2Context,
    world: K2World,
    /** The generated history of a day bucket, at the configured volume. */
    history: (from: number, to: number, bucket: number) => K2Event[],
  ) {
    this.delivery = new Delivery(ctx, world, history);
    this.trails = new TrailOps(ctx, world, this.delivery);
    this.selectors = new SelectorOps(ctx, world, this.trails);
    this.tags = new TagOps(ctx, world);
  }

  /** `input` passed parseBody against the operation's members. */
  async run(op: string, input: Record<string, unknown>): Promise<OpResult> {
    const t = this.trails;
    switch (op) {
      case 'LookupEvents':
        return lookupEvents(this.ctx, input);
      case 'CreateTrail':
        return t.createTrail(input);
      case 'UpdateTrail':
        return t.updateTrail(input);
      case 'DeleteTrail':
        return t.deleteTrail(input);
      case 'StartLogging':
        return t.startLogging(input);
      case 'StopLogging':
        return t.stopLogging(input);
      case 'GetTrail':
        return t.getTrail(input);
      case 'GetTrailStatus':
        return t.getTrailStatus(input);
      case 'DescribeTrails':
        return t.describeTrails(input);
      case 'ListTrails':
        return t.listTrails();
      case 'AddTags':
        return this.tags.addTags(input);
      case 'RemoveTags':
        return this.tags.removeTags(input);
      case 'ListTags':
        return this.tags.listTags(input);
      case 'GetEventSelectors':
        return this.selectors.getEventSelectors(input);
      case 'PutEventSelectors':
        return this.selectors.putEventSelectors(input);
      case 'GetInsightSelectors':
        return this.selectors.getInsightSelectors(input);
      case 'PutInsightSelectors':
        return this.selectors.putInsightSelectors(input);
      case 'ListPublicKeys':
        return listPublicKeys(input);
      default:
        return opError('UnknownOperationException', `Unknown operation: ${op}`);
    }
  }

  /** The trail a call names, for the recorded event's Resources. */
  resourcesOf(input: Record<string, unknown>): Resource[] {
    return this.trails.resourcesOf(input);
  }
}

/** ListPublicKeys: K2 writes no digest files, so no key ever signed one; the input is still checked. */
function listPublicKeys(input: { StartTime?: unknown; EndTime?: unknown; NextToken?: string }): OpResult {
  const start = input.StartTime === undefined ? undefined : timestampMs(input.StartTime)!;
  const end = input.EndTime === undefined ? undefined : timestampMs(input.EndTime)!;
  if (start !== undefined && end !== undefined && start > end) return opError('InvalidTimeRangeException', 'StartTime must not be after EndTime.');
  if (input.NextToken !== undefined) return opError('InvalidTokenException', 'Invalid token.');
  return { body: JSON.stringify({ PublicKeyList: [] } satisfies components['schemas']['ListPublicKeysResponse']), resources: [] };
}
