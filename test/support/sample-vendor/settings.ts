import type { SettingsSchema } from '../../../servers/core/settings.js';

/** The sample vendor's switches (`config: { sample: {...} }`); unknown or ill-typed ones stop start-up. */
export const settings = {
  type: 'object',
  properties: {
    maxPageSize: { type: 'integer', minimum: 1, maximum: 100, default: 50, description: 'Largest page served, whatever `limit` asks' },
    eventsPerDay: { type: 'integer', minimum: 0, maximum: 5000, default: 120, description: 'Generated history per day' },
    requestsPerMinute: { type: 'integer', minimum: 0, default: 0, description: 'Per-token limit (0: none)' },
  },
} satisfies SettingsSchema;

export interface SampleSettings {
  maxPageSize: number;
  eventsPerDay: number;
  requestsPerMinute: number;
}
