import { describe, expect, it } from 'vitest';
import { scenarios } from '../../fixtures/scenarios.js';
import { paramSchema } from '../../servers/core/scenarios.js';
import { loadSpec } from '../../servers/core/spec.js';

// The stories declare their parameters once (fixtures/scenarios.ts); the engine checks them through
// paramSchema, and openapi/control.yaml publishes them per scenario. The two must say the same.
describe('scenario parameters in the control spec', () => {
  const spec = loadSpec('openapi/control.yaml');
  it.each(scenarios.map((d) => [d.name, d] as const))('%s: the spec declares exactly the declared parameters, ranges and defaults', (name, def) => {
    const body = spec.deref(spec.doc.paths[`/_emulator/scenarios/${name}`].post.requestBody);
    const published = spec.deref<{ properties: Record<string, any>; additionalProperties: boolean }>(body.content['application/json'].schema);
    const own = paramSchema(def) as { properties: Record<string, any> };
    expect(published.additionalProperties).toBe(false);
    expect(Object.keys(published.properties).sort()).toEqual(Object.keys(own.properties).sort());
    for (const p of def.params) {
      const pub = published.properties[p.name];
      if (p.type === 'integer') expect({ min: pub.minimum, max: pub.maximum, dflt: pub.default }, p.name).toEqual({ min: p.min, max: p.max, dflt: p.default });
      if (p.type === 'ip') {
        expect(pub.$ref, p.name).toBe('#/components/schemas/IpAddress');
        expect(pub.default, p.name).toBe(p.default);
      }
      if (p.type === 'person') expect(pub.$ref, p.name).toBe('#/components/schemas/ScenarioUser');
    }
  });
});
