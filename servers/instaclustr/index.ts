import { randomUUID } from 'node:crypto';
import { ACTION_BY_KIND } from '../../fixtures/catalogues/instaclustr.js';
import { defineProvider } from '../core/provider.js';
import { iso } from '../core/time.js';
import { icStatusError } from './errors.js';
import { buildWorld, generateDay, uuidOf, type UserAction } from './events.js';
import { instaclustrRoutes, settingsOf } from './routes.js';
import { instaclustrClient } from './client.js';

export const instaclustr = defineProvider<UserAction>({
  id: 'instaclustr',
  title: 'Instaclustr User Actions',
  portOffset: 1,
  hooks: instaclustrClient,
  retentionDays: 365,
  specFile: 'openapi/instaclustr.yaml',
  recordSchema: 'UserActionInput',
  timeOf: (r) => Date.parse(r.timestamp),
  idOf: (r) => r.id,
  summarize: (r) => ({
    actor: r.performedByInstaclustrSupport ? `${r.userName} (Instaclustr Support)` : r.userName,
    action: r.action,
    outcome: r.action === 'USER_LOGIN_FAILED' ? 'failure' : 'success',
    target: r.domainName ? `${r.domainType} ${r.domainName}` : undefined,
  }),
  create(ctx) {
    const overrides = (ctx.config.credentials as Record<string, unknown>) ?? {};
    const world = buildWorld(ctx.seed, ctx.company, ctx.rng('world'), overrides);
    const settings = settingsOf(ctx.config);
    const p = world.primary;
    const keyOf = (type: string, accountId?: string) =>
      world.keys.find((k) => k.userName === p.userName && k.keyType === type && k.active && k.allowedCidrs.includes('0.0.0.0/0') && (!accountId || k.accountId === accountId))!.apiKey;
    const prod = world.accounts[0].accountId;
    return {
      app: instaclustrRoutes(ctx, world, settings),
      credentials: {
        username: p.userName,
        provisioningApiKey: keyOf('PROVISIONING', prod),
        readOnlyProvisioningApiKey: keyOf('READ_ONLY_PROVISIONING', prod),
        monitoringApiKey: keyOf('MONITORING', prod),
        organisationManagementApiKey: keyOf('ORGANIZATION_MANAGEMENT'),
        accountId: prod,
        organisationId: world.organisationId,
        organisationName: world.organisationName,
        revokedApiKey: world.keys.find((k) => k.userName === p.userName && !k.active)!.apiKey,
        restrictedApiKey: world.keys.find((k) => k.userName === p.userName && !k.allowedCidrs.includes('0.0.0.0/0'))!.apiKey,
        foreignOrganisationId: world.foreignOrganisationId,
      },
      // The whole organisation (accounts, users and every per-user key) goes in the manifest, not the printed credentials.
      manifest: () => ({
        accounts: world.accounts.map((a) => ({ accountId: a.accountId, name: a.name, organisationId: a.organisationId })),
        users: world.users.map((u) => ({
          userName: u.userName,
          userId: u.userId,
          serviceUser: u.service,
          organisationAdmin: u.organisationAdmin,
          accounts: u.memberships.map((m) => ({ accountId: m.account.accountId, role: m.role })),
        })),
        keys: world.keys.map((k) => ({ ...k })),
      }),
      generate: (from, to, bucket) => generateDay(world, from, to, bucket),
      normalize: (input) => {
        const r = input as Partial<UserAction> & { action: string; timestamp: string; userName: string };
        const kind = ACTION_BY_KIND.get(r.action)!;
        const accountId = r.accountId === undefined ? (kind.org ? null : prod) : r.accountId;
        const account = world.accounts.find((a) => a.accountId === accountId);
        return {
          id: r.id ?? randomUUID(),
          action: r.action,
          crudOperation: r.crudOperation ?? kind.crud,
          domainType: r.domainType ?? kind.domainType,
          domainId: r.domainId ?? null,
          domainName: r.domainName ?? null,
          description: r.description ?? kind.template,
          timestamp: iso(Date.parse(r.timestamp)),
          userName: r.userName,
          userId: r.userId ?? world.byUserName.get(r.userName)?.userId ?? uuidOf(ctx.seed, 'user', r.userName),
          accountId,
          organisationId: r.organisationId !== undefined ? r.organisationId : accountId === null ? world.organisationId : (account?.organisationId ?? null),
          performedByInstaclustrSupport: r.performedByInstaclustrSupport ?? false,
        };
      },
      error: (status, message) => icStatusError(status, message, settings.legacy429),
      actorFor: (person) => {
        const u = world.byUserName.get(person.email.toLowerCase());
        return u && { userName: u.userName, userId: u.userId, accountId: u.memberships[0]?.account.accountId };
      },
    };
  },
});
