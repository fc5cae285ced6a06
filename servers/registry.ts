import type { Provider } from './core/provider.js';
import { crusoe } from './crusoe/index.js';
import { k2 } from './k2/index.js';
import { instaclustr } from './instaclustr/index.js';
import { octopai } from './octopai/index.js';
import { opsera } from './opsera/index.js';

/** Every vendor the emulator serves. A new vendor is one folder and one line here. */
export const providers: Provider[] = [crusoe, instaclustr, k2, octopai, opsera];
