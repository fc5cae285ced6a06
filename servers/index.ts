import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startCore, type Emulator, type StartOptions } from './core/emulator.js';
import { controlPort } from './control/index.js';
import { providers } from './registry.js';
import { buildCompany } from '../fixtures/company.js';
import { scenarios } from '../fixtures/scenarios.js';

export type { Emulator, EmulatorEvents, Manifest, ProviderHandle, StartOptions } from './core/emulator.js';
export { DEFAULT_PORT_BASE, DEFAULT_SEED } from './core/emulator.js';
export { parseInstant } from './core/clock.js';
export { parseBytes } from './core/cache.js';
export { providers } from './registry.js';
export { ConfigError } from './core/settings.js';

/** Start the control port and every registered vendor. Programmatic default: free ports. */
export function startEmulator(opts: StartOptions = {}): Promise<Emulator> {
  return startCore({ providers, buildCompany, scenarios, control: controlPort }, { collectGarbage: () => fullCollection(), ...opts });
}

let gc: (() => void) | undefined;

/**
 * A full garbage collection without starting node with --expose-gc: the flag, set now, gives a new
 * context its `gc` (the main context stays as it was). Used only once history is being evicted.
 */
function fullCollection(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
