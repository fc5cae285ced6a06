import type { ProviderContext } from '../core/provider.js';
import type { OpseraRecord } from './events.js';
import type { OpseraSettings } from './settings.js';

/** What survives a restart besides the recorded token uses themselves. */
export interface OpseraState {
  /** Live ObjectIds end in a counter, so that ids recorded at the same second keep sorting by arrival across restarts. */
  counter: number;
}

export function createState(): OpseraState {
  return { counter: 0 };
}

/** The core's context as Opsera's rooms see it. */
export type OpseraContext = ProviderContext<OpseraRecord, OpseraSettings, OpseraState>;
