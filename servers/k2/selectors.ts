import type { components } from '../../openapi/generated/k2-cloudtrail.js';
import { opError, type OpResult } from './operation.js';
import type { AdvancedEventSelector, EventSelector, K2Context, TrailState } from './state.js';
import { trailArgOf, trailArn, type TrailOps } from './trails.js';
import type { K2World } from './world.js';

type Schemas = components['schemas'];
type Body = Record<string, unknown>;
/** Members have the model's JSON types when present (parseBody checked them); list items may be null. */
type PutEventSelectorsInput = { EventSelectors?: Array<EventSelector | null>; AdvancedEventSelectors?: Array<AdvancedEventSelector | null> };

/** What a trail logs until PutEventSelectors says otherwise: every management event. */
const DEFAULT_SELECTORS: EventSelector[] = [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }];
const READ_WRITE = ['ReadOnly', 'WriteOnly', 'All'];
const MAX_SELECTORS = 5;
const MAX_DATA_VALUES = 250;
const MAX_ADVANCED_VALUES = 500;
const ADVANCED_FIELDS = ['readOnly', 'eventSource', 'eventName', 'eventCategory', 'resources.type', 'resources.ARN'];
const OPERATORS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;
const INSIGHT_TYPES = ['ApiCallRateInsight'];

const invalidSelectors = (message: string) => opError('InvalidEventSelectorsException', message);
const isRefusal = (x: Body | OpResult): x is OpResult => 'error' in x && x.error !== undefined;

/** The basic selectors with AWS's defaults filled in, or the refusal. */
function basicSelectors(given: Array<EventSelector | null>): EventSelector[] | OpResult {
  const list = given.filter((x): x is EventSelector => !!x);
  if (list.length > MAX_SELECTORS) return invalidSelectors(`A trail can have up to ${MAX_SELECTORS} event selectors.`);
  let values = 0;
  const out: EventSelector[] = [];
  for (const s of list) {
    if (s.ReadWriteType !== undefined && !READ_WRITE.includes(s.ReadWriteType)) return invalidSelectors(`Invalid ReadWriteType: ${s.ReadWriteType}.`);
    const data = (s.DataResources ?? []).filter((d) => !!d);
    for (const d of data) {
      if (!d.Type) return invalidSelectors('Each DataResource needs a Type.');
      values += (d.Values ?? []).length;
    }
    out.push({
      ReadWriteType: s.ReadWriteType ?? 'All',
      IncludeManagementEvents: s.IncludeManagementEvents ?? true,
      DataResources: data,
      ...(s.ExcludeManagementEventSources ? { ExcludeManagementEventSources: s.ExcludeManagementEventSources } : {}),
    });
  }
  if (values > MAX_DATA_VALUES) return invalidSelectors(`A trail is limited to ${MAX_DATA_VALUES} data resources.`);
  return out;
}

/** Advanced selectors as given, checked against the model and AWS's documented limits. */
function advancedSelectors(given: Array<AdvancedEventSelector | null>): AdvancedEventSelector[] | OpResult {
  const list = given.filter((x): x is AdvancedEventSelector => !!x);
  let values = 0;
  for (const s of list) {
    if (s.Name !== undefined && s.Name.length > 1000) return invalidSelectors('An advanced event selector name is at most 1000 characters.');
    const fields = (s.FieldSelectors ?? []).filter((f) => !!f);
    if (fields.length === 0) return invalidSelectors('An advanced event selector needs at least one field selector.');
    for (const f of fields) {
      if (!ADVANCED_FIELDS.includes(f.Field)) return invalidSelectors(`Invalid field: ${f.Field ?? ''}.`);
      for (const op of OPERATORS) {
        const v = f[op];
        if (v === undefined) continue;
        if (v.length === 0 || v.some((x) => !x || x.length > 2048)) return invalidSelectors(`Invalid ${op} values for field ${f.Field}.`);
        values += v.length;
      }
    }
  }
  if (values > MAX_ADVANCED_VALUES) return invalidSelectors(`Advanced event selectors are limited to ${MAX_ADVANCED_VALUES} values in all.`);
  return list;
}

/**
 * Event and insight selectors, stored per trail. K2's model names the trail `Name` in and out for
 * the event selectors where AWS's has `TrailName` in and `TrailARN` out: both are taken, and the
 * answer follows `k2.eventSelectorsStyle`. K2 logs management events only, so selectors are kept
 * and answered but do not change what a trail delivers.
 */
export class SelectorOps {
  constructor(
    private readonly ctx: K2Context,
    private readonly world: K2World,
    private readonly trails: TrailOps,
  ) {}

  getEventSelectors(input: Body): OpResult {
    return this.withTrail(trailArgOf(input), (t) => this.eventSelectorsOut(t), true);
  }

  putEventSelectors(input: Body & PutEventSelectorsInput): OpResult {
    return this.withTrail(trailArgOf(input), (t) => {
      const basic = input.EventSelectors;
      const advanced = input.AdvancedEventSelectors;
      if ((basic === undefined) === (advanced === undefined)) return invalidSelectors('Specify either EventSelectors or AdvancedEventSelectors, not both.');
      const checked = basic !== undefined ? basicSelectors(basic) : advancedSelectors(advanced!);
      if (!Array.isArray(checked)) return checked;
      if (basic !== undefined) {
        t.eventSelectors = checked as EventSelector[];
        delete t.advancedEventSelectors;
      } else {
        t.advancedEventSelectors = checked as AdvancedEventSelector[];
        delete t.eventSelectors;
      }
      return this.eventSelectorsOut(t);
    });
  }

  getInsightSelectors(input: Body): OpResult {
    const name = typeof input.TrailName === 'string' ? input.TrailName : '';
    return this.withTrail(
      name,
      (t) => {
        if (!t.insightSelectors?.length) return opError('InsightNotEnabledException', `Trail ${trailArn(this.world, t.name)} does not have Insights enabled.`);
        return this.insightsOut(t);
      },
      true,
    );
  }

  putInsightSelectors(input: Body & { InsightSelectors?: Array<{ InsightType?: string } | null> }): OpResult {
    const name = typeof input.TrailName === 'string' ? input.TrailName : '';
    return this.withTrail(name, (t) => {
      if (input.InsightSelectors === undefined) return opError('InvalidInsightSelectorsException', 'InsightSelectors is required.');
      const list = input.InsightSelectors.filter((x) => !!x);
      const bad = list.find((x) => !INSIGHT_TYPES.includes(x.InsightType ?? ''));
      if (bad) return opError('InvalidInsightSelectorsException', `Invalid InsightType: ${bad.InsightType ?? ''}. Valid: ${INSIGHT_TYPES.join(', ')}.`);
      // An empty list turns Insights off.
      t.insightSelectors = [...new Set(list.map((x) => x.InsightType!))].map((InsightType) => ({ InsightType }));
      return this.insightsOut(t);
    });
  }

  /** The named trail's answer, or the trail operations' refusal (unknown or malformed name). */
  private withTrail(name: string, fn: (t: TrailState) => Body | OpResult, readOnly = false): OpResult {
    const found = this.trails.find(name);
    if (!found.trail) return { ...found.error, resources: this.trails.resourcesOf({ Name: name }) };
    const resources = [{ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: trailArn(this.world, found.trail.name) }];
    const out = fn(found.trail);
    if (isRefusal(out)) return { ...out, resources };
    return { body: JSON.stringify(out), output: readOnly ? undefined : out, resources };
  }

  private eventSelectorsOut(t: TrailState): Schemas['EventSelectorsResponse'] {
    const who = this.ctx.settings.eventSelectorsStyle === 'aws' ? { TrailARN: trailArn(this.world, t.name) } : { Name: t.name };
    if (t.advancedEventSelectors) return { ...who, AdvancedEventSelectors: t.advancedEventSelectors };
    return { ...who, EventSelectors: t.eventSelectors ?? DEFAULT_SELECTORS };
  }

  private insightsOut(t: TrailState): Schemas['InsightSelectorsResponse'] {
    return { TrailARN: trailArn(this.world, t.name), InsightSelectors: (t.insightSelectors ?? []) as Schemas['InsightSelector'][] };
  }
}
