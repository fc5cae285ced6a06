import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../servers/core/settings.js';
import { settings, type InstaclustrSettings } from '../../servers/instaclustr/settings.js';

const resolve = (input: unknown) => resolveSettings<InstaclustrSettings>('instaclustr', settings, input);

describe('Instaclustr settings', () => {
  it('defaults for every switch', () => {
    expect(resolve({})).toEqual({
      rateLimitPerSecond: 35,
      rateLimitBody: 'v2',
      visibilityStepSeconds: 20,
      retentionDays: 365,
      wrapResponseInArray: false,
      itemsPerPageMode: 'requested',
      unknownActionKindsMatchNothing: false,
      credentials: {},
      faults: [],
    });
  });
  it('unknown, ill-typed and out-of-range switches are refused by name', () => {
    expect(() => resolve({ rateLimitPerSecnd: 1 })).toThrow(/unknown setting 'instaclustr\.rateLimitPerSecnd'/);
    expect(() => resolve({ rateLimitBody: 'v1' })).toThrow(/'instaclustr\.rateLimitBody'/);
    expect(() => resolve({ rateLimitPerSecond: '35' })).toThrow(/'instaclustr\.rateLimitPerSecond'/);
    expect(() => resolve({ retentionDays: 400 })).toThrow(/'instaclustr\.retentionDays'/);
    expect(() => resolve({ visibilityStepSeconds: -1 })).toThrow(/'instaclustr\.visibilityStepSeconds'/);
    expect(() => resolve({ credentials: { apiKey: 'x' } })).toThrow(/unknown setting 'instaclustr\.credentials\.apiKey'/);
    expect(() => resolve({ credentials: { username: 7 } })).toThrow(/'instaclustr\.credentials\.username'/);
  });
});
