import type { SettingsSchema } from '../core/settings.js';

export const settings = {
  type: 'object',
  properties: {
    strictQueryOrder: {
      type: 'boolean',
      default: false,
      description: 'also refuse a raw query whose keys are not sorted (401 "query parameters must be sorted")',
    },
    timestampSkewSeconds: { type: 'number', minimum: 0, default: 300, description: 'allowed clock skew of X-Crusoe-Timestamp' },
    rateLimitPerMinute: { type: 'number', minimum: 0, default: 0, description: 'per-key limit answering 429 too_many_requests; 0 is off' },
    unknownParameters: {
      enum: ['ignore', 'reject'],
      default: 'ignore',
      description: 'query parameters other than the 17 documented and offset: ignored (still signed), or refused with 400 naming the first',
    },
    errorBodyStyle: {
      enum: ['observed', 'swagger'],
      default: 'observed',
      description:
        'error bodies as a real response showed them ({"code":"bad_credential","message":"<detail>"}) ' +
        'or as the published swagger\'s examples ({"code":"401","message":"bad_credential"})',
    },
    credentials: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: "replace the first organization admin's key, and the organization's id",
      properties: {
        accessKeyId: { type: 'string', minLength: 1 },
        secretKey: { type: 'string', minLength: 1 },
        organizationId: { type: 'string', minLength: 1 },
      },
    },
  },
} satisfies SettingsSchema;

export interface CrusoeSettings {
  strictQueryOrder: boolean;
  timestampSkewSeconds: number;
  rateLimitPerMinute: number;
  unknownParameters: 'ignore' | 'reject';
  errorBodyStyle: 'observed' | 'swagger';
  credentials: { accessKeyId?: string; secretKey?: string; organizationId?: string };
}
