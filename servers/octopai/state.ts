import type { ProviderContext } from '../core/provider.js';
import type { OctopaiEvent } from './events.js';
import type { OctopaiSettings } from './settings.js';

/** What cannot be regenerated from the seed: live refresh tokens, failure counters, id counters. */
export interface OctopaiState {
  /** tenant → refresh token → owner (lower-case user name) and expiry (ms). */
  refresh: Record<string, Record<string, { user: string; exp: number }>>;
  /** `tenant\nuser` → consecutive failed logins (only with lockout on). */
  failures: Record<string, number>;
  /** tenant → day → recorded and injected events so far (their id slots). */
  recorded: Record<string, Record<string, number>>;
}

export function createState(): OctopaiState {
  return { refresh: {}, failures: {}, recorded: {} };
}

/** What Octopai code is handed: typed settings, and the state always read through it (the core replaces it whole). */
export type OctopaiContext = ProviderContext<OctopaiEvent, OctopaiSettings, OctopaiState>;
