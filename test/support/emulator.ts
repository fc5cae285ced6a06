import { afterAll, beforeAll, expect } from 'vitest';
import { startEmulator, type Emulator, type StartOptions } from '../../servers/index.js';

/** A fixed instant for frozen-clock tests (a Tuesday, mid-morning UTC). */
export const FROZEN_NOW = '2026-03-10T10:00:00.000Z';

/**
 * Start one emulator on free ports for the test file; closed after it. Every response it sends
 * during the file, errors included, is checked against the vendor's spec: any violation fails.
 */
export function useEmulator(opts: StartOptions = {}): { get: () => Emulator } {
  let emu: Emulator | undefined;
  beforeAll(async () => {
    emu = await startEmulator({ portBase: 0, validateResponses: true, ...opts });
  });
  afterAll(async () => {
    await emu?.close();
    expect(emu?.violations ?? [], 'responses that do not conform to their OpenAPI spec').toEqual([]);
  });
  return {
    get: () => {
      if (!emu) throw new Error('emulator not started');
      return emu;
    },
  };
}
