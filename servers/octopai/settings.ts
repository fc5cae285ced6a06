import type { SettingsSchema } from '../core/settings.js';

/** The store keeps this many days; `retentionDays` may only shorten what UserEvents serves. */
export const RETENTION_DAYS = 90;

const credential = {
  type: 'object',
  properties: { userName: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 } },
  additionalProperties: false,
};

export const settings = {
  type: 'object',
  properties: {
    jwtIssuer: { type: 'string', minLength: 1, default: 'DemoIssuer', description: '`iss` written into access tokens and required of them' },
    jwtAudience: { type: 'string', minLength: 1, default: 'DemoAudience', description: '`aud` written into access tokens and required of them' },
    accessTokenSeconds: { type: 'number', minimum: 1, default: 7200, description: 'access token lifetime' },
    refreshTokenDays: { type: 'number', minimum: 0, default: 30, description: 'refresh token lifetime' },
    clockSkewSeconds: { type: 'number', minimum: 0, default: 0, description: 'tolerance on `exp` and `nbf`' },
    loginFailureStatus: { enum: [200, 401], default: 401, description: 'status of a refused Login (the failure envelope either way)' },
    lockoutAfterFailures: { type: 'integer', minimum: 0, default: 0, description: 'consecutive failed logins that lock a user; 0 = never' },
    tenants: {
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z0-9-]+$' },
      default: [],
      description: 'extra tenants, chosen by the first label of the Host header',
    },
    disabledUsers: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [],
      description: 'user names (any case) whose logins fail and who make no history',
    },
    retentionDays: { type: 'number', minimum: 1, maximum: RETENTION_DAYS, default: RETENTION_DAYS, description: 'days UserEvents reaches back' },
    trustForwardedFor: { type: 'boolean', default: false, description: 'record the first X-Forwarded-For address instead of the peer' },
    maxBodyBytes: { type: 'integer', minimum: 1, default: 1_048_576, description: 'request body limit (413 above it)' },
    credentials: {
      type: 'object',
      properties: { ...credential.properties, nonAdmin: credential },
      additionalProperties: false,
      default: {},
      description: "overrides of the default tenant's first admin and first non-admin",
    },
  },
} satisfies SettingsSchema;

export interface CredentialOverride {
  userName?: string;
  password?: string;
}

export interface OctopaiSettings {
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenSeconds: number;
  refreshTokenDays: number;
  clockSkewSeconds: number;
  loginFailureStatus: 200 | 401;
  lockoutAfterFailures: number;
  tenants: string[];
  disabledUsers: string[];
  retentionDays: number;
  trustForwardedFor: boolean;
  maxBodyBytes: number;
  credentials: CredentialOverride & { nonAdmin?: CredentialOverride };
}
