import type { Entry } from '../core/store.js';
import type { K2Event, Resource } from './records.js';

/** An operation's refusal: CloudTrail's exception name and message (always a 400 on the wire). */
export interface OpError {
  code: string;
  message: string;
  kind: 'bad-request' | 'not-found';
}

/** What a CloudTrail operation answers, before the route records and renders it. */
export interface OpResult {
  /** JSON of the output (text, or UTF-8 for LookupEvents pages), or an error. */
  body?: string | Uint8Array<ArrayBuffer>;
  error?: OpError;
  /** `responseElements` of the recorded event (write calls). */
  output?: Record<string, unknown>;
  /** `Resources` of the recorded event. */
  resources: Resource[];
  /** Told where the call's own event was stored (StartLogging and StopLogging keep it). */
  onRecorded?: (e: Entry<K2Event>) => void;
}

export const opError = (code: string, message: string, kind: OpError['kind'] = 'bad-request'): OpResult => ({ error: { code, message, kind }, resources: [] });
