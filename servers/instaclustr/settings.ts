import type { SettingsSchema } from '../core/settings.js';

const text = { type: 'string' };

export const settings = {
  type: 'object',
  properties: {
    rateLimitPerSecond: {
      type: 'number',
      minimum: 0,
      default: 35,
      description: 'Per-user requests per rolling second of real time; 0 = off. Only authenticated requests count.',
    },
    rateLimitBody: { enum: ['v2', 'legacy'], default: 'v2', description: '`legacy` answers 429 with the v1 ErrorMessage body.' },
    visibilityStepSeconds: { type: 'number', minimum: 0, default: 20, description: 'New records show in steps of the emulator clock; 0 = at once.' },
    retentionDays: { type: 'number', minimum: 0, maximum: 365, default: 365, description: 'A shorter retention than the real 365 days.' },
    wrapResponseInArray: { type: 'boolean', default: false, description: 'The 200 body as a one-element array, as the reference renders it.' },
    itemsPerPageMode: { enum: ['requested', 'returned'], default: 'requested', description: '`returned` reports resources.length.' },
    unknownActionKindsMatchNothing: { type: 'boolean', default: false, description: 'All-unknown actionKinds match nothing instead of everything.' },
    credentials: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: "Replace the primary user's name, keys and ids with fixed ones.",
      properties: {
        username: text,
        provisioningApiKey: text,
        readOnlyProvisioningApiKey: text,
        organisationManagementApiKey: text,
        accountId: text,
        organisationId: text,
      },
    },
  },
} satisfies SettingsSchema;

export interface CredentialOverrides {
  username?: string;
  provisioningApiKey?: string;
  readOnlyProvisioningApiKey?: string;
  organisationManagementApiKey?: string;
  accountId?: string;
  organisationId?: string;
}

export interface InstaclustrSettings {
  rateLimitPerSecond: number;
  rateLimitBody: 'v2' | 'legacy';
  visibilityStepSeconds: number;
  retentionDays: number;
  wrapResponseInArray: boolean;
  itemsPerPageMode: 'requested' | 'returned';
  unknownActionKindsMatchNothing: boolean;
  credentials: CredentialOverrides;
}
