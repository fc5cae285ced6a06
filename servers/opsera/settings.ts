import { DEFAULT_ALLOWED_ROLES } from '../../fixtures/catalogues/opsera.js';
import type { SettingsSchema } from '../core/settings.js';

/** The `opsera.<name>` switches; the README's Opsera section says what each one is for. */
export const settings = {
  type: 'object',
  properties: {
    errorBodyFormat: {
      enum: ['json', 'text'],
      default: 'json',
      description: '`text`: errors are bare strings as text/plain instead of `{"message": ...}`',
    },
    dateMode: { enum: ['from', 'day'], default: 'from', description: '`day`: `date` selects that UTC day only, not that day up to now' },
    includeExtendedFields: { type: 'boolean', default: false, description: 'adds `target_name` and `changeLog` to /actions records' },
    logRefusedTokenCalls: { type: 'boolean', default: true, description: '`false`: only calls that end in 200 leave a token-usage record' },
    tokenTargetIncludesQuery: { type: 'boolean', default: false, description: 'the `target` of a token-usage record keeps the query string' },
    allowedRoles: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: DEFAULT_ALLOWED_ROLES,
      description: 'site roles whose tokens may read the logs',
    },
    inactiveUsers: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [],
      description: 'emails (any case) of users deactivated in the account: every token they own gets 401',
    },
    retentionDays: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 365,
      description: 'how far back `date` reaches (the store keeps 365 days at most)',
    },
  },
} satisfies SettingsSchema;

export interface OpseraSettings {
  errorBodyFormat: 'json' | 'text';
  dateMode: 'from' | 'day';
  includeExtendedFields: boolean;
  logRefusedTokenCalls: boolean;
  tokenTargetIncludesQuery: boolean;
  allowedRoles: string[];
  inactiveUsers: string[];
  retentionDays: number;
}
