import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { FaultSpec } from './faults.js';

/** A vendor's switches: a JSON Schema object whose properties carry their defaults. */
export interface SettingsSchema {
  type: 'object';
  properties: Record<string, object>;
  additionalProperties?: false;
  [k: string]: unknown;
}

/** What every vendor's settings have besides its own switches. */
export interface CommonSettings {
  /** Faults switched on at start (the same shape as `PUT /_emulator/faults/{vendor}`). */
  faults: FaultSpec[];
  /**
   * Multiplies the generated activity: more people, sessions and resources of the same company
   * (absent or 1: the history every seed has always had).
   */
  volume?: number;
}

/** The largest volume: a bucket's generated entries are numbered within a fixed range (see the store). */
export const MAX_VOLUME = 1_000;

/** Wrong configuration: start-up stops with this one line and exit code 2. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv2020({ strict: false, allErrors: false, useDefaults: true, coerceTypes: false });

/** Defaults filled, types and ranges checked; unknown switches refused with their name. */
// Compiled once per vendor schema: every start, reset and rebuild reuses it.
const compiled = new WeakMap<SettingsSchema, ValidateFunction>();

function validatorFor(schema: SettingsSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    const faults = { type: 'array', items: { type: 'object' }, default: [] };
    const volume = { type: 'integer', minimum: 1, maximum: MAX_VOLUME };
    v = ajv.compile({ ...schema, additionalProperties: false, properties: { ...schema.properties, faults, volume } });
    compiled.set(schema, v);
  }
  return v;
}

export function resolveSettings<S>(vendor: string, schema: SettingsSchema, input: unknown): S & CommonSettings {
  // No switches given (the usual start): the defaults, without compiling the schema.
  if (input === undefined || (isPlainObject(input) && Object.keys(input).length === 0)) return defaultsOf(schema) as S & CommonSettings;
  const value = structuredClone(input) as Record<string, unknown>;
  if (!isPlainObject(value)) throw new ConfigError(`config: '${vendor}' must be an object of switches`);
  const validate = validatorFor(schema);
  if (!validate(value)) throw new ConfigError(describe(vendor, schema, validate.errors));
  return value as S & CommonSettings;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function defaultsOf(schema: SettingsSchema): Record<string, unknown> {
  const out: Record<string, unknown> = { faults: [] };
  for (const [k, p] of Object.entries(schema.properties)) {
    if ('default' in p) out[k] = structuredClone(p.default);
  }
  return out;
}

function describe(vendor: string, schema: SettingsSchema, errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  const at = (path: string) => `${vendor}${path.replace(/\//g, '.')}`;
  if (!e) return `config: ${vendor} is invalid`;
  if (e.keyword === 'additionalProperties') {
    const name = (e.params as { additionalProperty: string }).additionalProperty;
    const known = e.instancePath === '' ? `; known: ${Object.keys(schema.properties).sort().join(', ')}` : '';
    return `config: unknown setting '${at(e.instancePath)}.${name}'${known}`;
  }
  return `config: setting '${at(e.instancePath)}' ${e.message}`;
}

/** Every vendor section of a config must name a served vendor, and `only` ids must exist. */
export function checkVendorIds(known: string[], config: Record<string, unknown>, only: string[] | undefined): void {
  for (const id of Object.keys(config)) {
    if (!known.includes(id)) throw new ConfigError(`config: unknown vendor '${id}'; known: ${known.join(', ')}`);
  }
  for (const id of only ?? []) {
    if (!known.includes(id)) throw new ConfigError(`--only: unknown vendor '${id}'; known: ${known.join(', ')}`);
  }
}
