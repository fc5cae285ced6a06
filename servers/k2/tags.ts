import type { components } from '../../openapi/generated/k2-cloudtrail.js';
import { opError, type OpResult } from './operation.js';
import type { K2Context, TrailState } from './state.js';
import { trailArn, trailNameProblem } from './trails.js';
import type { K2World } from './world.js';

type Tag = components['schemas']['Tag'];
type TagsInput = { ResourceId?: string; TagsList?: Array<{ Key?: string; Value?: string } | null> };

/** AddTags' documented limit per trail. */
export const MAX_TAGS = 50;
const refusal = (...args: Parameters<typeof opError>) => opError(...args) as OpResult & { error: object };
const ARN = /^arn:aws:cloudtrail:([a-z0-9-]+):([^:]+):([a-z]+)\/(.+)$/;

/**
 * Tags on trails (AddTags, RemoveTags, ListTags), kept with the trail. Resources are named by trail
 * ARN only; the model lists CloudTrailARNInvalidException for these operations alone.
 */
export class TagOps {
  constructor(
    private readonly ctx: K2Context,
    private readonly world: K2World,
  ) {}

  addTags(input: TagsInput): OpResult {
    return this.onTrail(input, (t, tags) => {
      const merged = new Map((t.tags ?? []).map((x) => [x.Key, x]));
      for (const tag of tags) merged.set(tag.Key, tag);
      if (merged.size > MAX_TAGS) return opError('TagsLimitExceededException', `The number of tags exceeds the limit of ${MAX_TAGS} for the trail.`);
      t.tags = [...merged.values()];
      return null;
    });
  }

  removeTags(input: TagsInput): OpResult {
    return this.onTrail(input, (t, tags) => {
      const gone = new Set(tags.map((x) => x.Key));
      t.tags = (t.tags ?? []).filter((x) => !gone.has(x.Key));
      return null;
    });
  }

  listTags(input: { ResourceIdList?: Array<string | null>; NextToken?: string }): OpResult {
    const ids = (input.ResourceIdList ?? []).filter((x): x is string => typeof x === 'string');
    if (input.NextToken !== undefined) return opError('InvalidTokenException', 'Invalid token.');
    const list: Array<{ ResourceId: string; TagsList: Tag[] }> = [];
    for (const id of ids) {
      const found = this.resolve(id);
      if ('error' in found) return found;
      list.push({ ResourceId: trailArn(this.world, found.name), TagsList: found.tags ?? [] });
    }
    const resources = list.map((r) => ({ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: r.ResourceId }));
    return { body: JSON.stringify({ ResourceTagList: list } satisfies components['schemas']['ListTagsResponse']), resources };
  }

  /** The trail an ARN names, or the tag operations' refusal. */
  private resolve(id: string): TrailState | (OpResult & { error: object }) {
    const m = ARN.exec(id);
    if (!m || trailNameProblem(m[4])) {
      return refusal('CloudTrailARNInvalidException', `Invalid ARN: ${id}. A trail ARN looks like arn:aws:cloudtrail:region:account:trail/name.`);
    }
    if (m[3] !== 'trail') return refusal('ResourceTypeNotSupportedException', `Resource type not supported: ${m[3]}.`);
    const trail = m[1] === this.world.region && m[2] === this.world.customer ? this.ctx.state.trails.find((t) => t.name === m[4]) : undefined;
    return trail ?? refusal('ResourceNotFoundException', `Resource not found: ${id}.`, 'not-found');
  }

  private onTrail(input: TagsInput, change: (t: TrailState, tags: Tag[]) => OpResult | null): OpResult {
    const id = input.ResourceId ?? '';
    const resources = id ? [{ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: id }] : [];
    const found = this.resolve(id);
    if ('error' in found) return { ...found, resources };
    const tags: Tag[] = [];
    for (const x of (input.TagsList ?? []).filter((t) => !!t)) {
      const problem = tagProblem(x, tags);
      if (problem) return { ...opError('InvalidTagParameterException', problem), resources };
      tags.push(x.Value === undefined ? { Key: x.Key! } : { Key: x.Key!, Value: x.Value });
    }
    const refused = change(found, tags);
    return refused ? { ...refused, resources } : { body: '{}', output: {}, resources };
  }
}

function tagProblem(x: { Key?: string; Value?: string }, earlier: Tag[]): string | null {
  if (!x.Key || x.Key.length > 128) return 'A tag key must be 1 to 128 characters long.';
  if (x.Value !== undefined && x.Value.length > 256) return 'A tag value must be at most 256 characters long.';
  if (earlier.some((t) => t.Key === x.Key)) return `Duplicate tag key: ${x.Key}.`;
  return null;
}
