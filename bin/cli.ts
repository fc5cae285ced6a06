#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_CONTROL, feedOf, formatReport, parseCollected, verifyCollected } from '../contracts/verify.js';
import { ConfigError, DEFAULT_PORT_BASE, DEFAULT_SEED, parseBytes, parseInstant, startEmulator, type Manifest, type StartOptions } from '../servers/index.js';

const HELP = `audit-emulator: local emulator of five vendors' audit-log APIs

Usage: audit-emulator start [options]
       audit-emulator verify --vendor V [--feed F] --from ISO --to ISO [--control URL] FILE

  --seed N            seed for the company, credentials and history (default ${DEFAULT_SEED})
  --now ISO           start the clock frozen at this instant (default: real time)
  --running           with --now: let the clock run from that instant
  --port-base N       control port; vendors take N+1..N+5 (default ${DEFAULT_PORT_BASE})
  --host H            address to bind (default 127.0.0.1)
  --config FILE       JSON config: { "<vendor>": { "<setting>": value, "credentials": {...} } }
  --set V.K=VALUE     one config switch, e.g. --set crusoe.strictQueryOrder=true (repeatable)
  --only ID[,ID]      serve only these vendors
  --state-dir DIR     keep recorded/injected events, vendor state, clock settings and applied scenarios across
                      restarts: DIR/<world>/snapshot.json plus an append-only DIR/<world>/journal.log
  --state-file PATH   the same for the default world in one snapshot file, its journal beside it (PATH.journal)
  --max-worlds N      at most N worlds, the default one included (default 1000; POST /_emulator/worlds)
  --memory-budget B   memory for generated history, e.g. 256MB, 1GB or unlimited (default 128MB): the least
                      recently read days are dropped and regenerated identically when read again
  --compact-min-bytes N  rewrite the snapshot once the journal outgrows it and N bytes (default 1000000)
  --scenario N[,N]    apply these anomaly scenarios at start (see GET /_emulator/scenarios)
  --validate-requests check each request against the vendor's OpenAPI spec; violations get the vendor's 400
  --allow-host NAME   also answer control requests whose Host is NAME (a compose service name; repeatable)
  --control-token T   require Authorization: Bearer T on the control port (also AUDIT_EMULATOR_CONTROL_TOKEN);
                      generated and printed when --host is not a loopback address
  --json              print the manifest as JSON instead of a table

verify: compare a collector's output (FILE: JSON lines or one JSON array, as it stored the records)
with the feed's truth on a running emulator; prints missing, duplicated, changed and unexpected
records and exits 0 only when there are none (1 when there are, 2 on bad arguments).
  --vendor V          crusoe, instaclustr, k2, octopai or opsera
  --feed F            the feed (may be left out for a vendor with one feed)
  --from ISO, --to ISO  the window the collector covered, both included
  --control URL       the emulator's control URL (default ${DEFAULT_CONTROL}), or a world's controlUrl
  --control-token T   the control port's token (also AUDIT_EMULATOR_CONTROL_TOKEN)
  --json              print the report as JSON
`;

function fail(msg: string): never {
  process.stderr.write(`audit-emulator: ${msg}\n\n${HELP}`);
  process.exit(2);
}

function parseValue(v: string): unknown {
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

const OPTIONS = {
  seed: { type: 'string' },
  now: { type: 'string' },
  running: { type: 'boolean' },
  'port-base': { type: 'string' },
  host: { type: 'string' },
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  only: { type: 'string' },
  'state-dir': { type: 'string' },
  'state-file': { type: 'string' },
  'compact-min-bytes': { type: 'string' },
  'max-worlds': { type: 'string' },
  'memory-budget': { type: 'string' },
  'validate-requests': { type: 'boolean' },
  scenario: { type: 'string', multiple: true },
  'allow-host': { type: 'string', multiple: true },
  'control-token': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function readArgs(argv: string[]): { command: string | undefined; values: Values } {
  const command = argv[0] && !argv[0].startsWith('-') ? argv.shift() : 'start';
  try {
    return { command, values: parseArgs({ args: argv, options: OPTIONS }).values };
  } catch (err) {
    fail((err as Error).message);
  }
}

/** `--config FILE` with every `--set vendor.setting=value` on top. */
function vendorConfig(values: Values): Record<string, Record<string, unknown>> {
  let config: Record<string, Record<string, unknown>> = {};
  if (values.config) {
    try {
      config = JSON.parse(readFileSync(values.config, 'utf8'));
    } catch (err) {
      fail(`cannot read --config: ${(err as Error).message}`);
    }
  }
  for (const s of values.set ?? []) {
    const m = /^([a-z0-9]+)\.([A-Za-z0-9_.]+)=(.*)$/.exec(s);
    if (!m) fail(`--set takes vendor.setting=value, got '${s}'`);
    (config[m[1]] ??= {})[m[2]] = parseValue(m[3]);
  }
  return config;
}

function startOptions(values: Values): StartOptions {
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) fail('--seed must be an integer');
  const portBase = values['port-base'] === undefined ? DEFAULT_PORT_BASE : Number(values['port-base']);
  if (!Number.isInteger(portBase) || portBase < 0 || portBase > 65530) fail('--port-base must be a port number');
  const compact = values['compact-min-bytes'] === undefined ? undefined : Number(values['compact-min-bytes']);
  if (compact !== undefined && !(Number.isSafeInteger(compact) && compact >= 0)) fail('--compact-min-bytes must be a number of bytes');
  const maxWorlds = values['max-worlds'] === undefined ? undefined : Number(values['max-worlds']);
  if (maxWorlds !== undefined && !(Number.isSafeInteger(maxWorlds) && maxWorlds >= 1)) fail('--max-worlds must be a whole number of at least 1');
  const budget = values['memory-budget'] === undefined ? undefined : parseBytes(values['memory-budget']);
  if (budget === undefined && values['memory-budget'] !== undefined) fail('--memory-budget takes a size such as 256MB, 1GB or unlimited');
  if (values.now !== undefined) {
    try {
      parseInstant(values.now, '--now');
    } catch (err) {
      fail((err as Error).message);
    }
  }
  return {
    seed,
    now: values.now,
    running: values.running,
    portBase,
    host: values.host,
    config: vendorConfig(values),
    only: values.only ? values.only.split(',') : undefined,
    stateDir: values['state-dir'],
    stateFile: values['state-file'],
    compactMinBytes: compact,
    maxWorlds,
    memoryBudget: budget,
    validateRequests: values['validate-requests'],
    scenarios: (values.scenario ?? []).flatMap((s) => s.split(',')).filter(Boolean),
    allowHosts: (values['allow-host'] ?? []).flatMap((s) => s.split(',')).filter(Boolean),
    controlToken: values['control-token'] ?? (process.env.AUDIT_EMULATOR_CONTROL_TOKEN || undefined),
  };
}

function printManifest(manifest: Manifest, json: boolean, token: string | undefined): void {
  if (json) {
    process.stdout.write(JSON.stringify(token ? { ...manifest, controlToken: token } : manifest, null, 2) + '\n');
    return;
  }
  const lines = [
    `audit-emulator ready (seed ${manifest.seed}, clock ${manifest.now}${manifest.frozen ? ', frozen' : ''})`,
    `  control     ${manifest.controlUrl}  (manifest: ${manifest.controlUrl}/_emulator/manifest)`,
  ];
  if (token) {
    lines.push(`      control token: ${token}  (send Authorization: Bearer <token>)`);
    lines.push(`      dashboard: ${manifest.controlUrl}/?token=${token}`);
  }
  for (const [id, p] of Object.entries(manifest.providers)) {
    lines.push(`  ${id.padEnd(11)} ${p.baseUrl}  ${p.title}`);
    for (const [k, v] of Object.entries(p.credentials)) {
      lines.push(`      ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

const VERIFY_OPTIONS = {
  vendor: { type: 'string' },
  feed: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  control: { type: 'string' },
  'control-token': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `verify`: exit 0 when the collector got every record exactly once, 1 when it did not. */
async function verify(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: VERIFY_OPTIONS, allowPositionals: true });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (!v.vendor || !v.from || !v.to || positionals.length !== 1) fail('verify takes --vendor, --from, --to and one FILE');
  let records: unknown[];
  try {
    records = parseCollected(readFileSync(positionals[0], 'utf8'));
    feedOf(v.vendor, v.feed);
  } catch (err) {
    fail(`verify: ${(err as Error).message}`);
  }
  let report;
  try {
    report = await verifyCollected({
      vendor: v.vendor,
      feed: v.feed,
      from: v.from,
      to: v.to,
      records,
      control: v.control,
      controlToken: v['control-token'] ?? (process.env.AUDIT_EMULATOR_CONTROL_TOKEN || undefined),
    });
  } catch (err) {
    // No emulator, or it refused the window: nothing was verified.
    process.stderr.write(`audit-emulator verify: ${(err as Error).message}\n`);
    process.exit(2);
  }
  process.stdout.write((v.json ? JSON.stringify(report, null, 2) : formatReport(report)) + '\n');
  process.exitCode = report.ok ? 0 : 1;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'verify') return verify(process.argv.slice(3));
  const { command, values } = readArgs(process.argv.slice(2));
  if (values.help || command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (command !== 'start') fail(`unknown command '${command}'`);
  const emu = await startEmulator(startOptions(values));
  printManifest(emu.manifest(), values.json === true, emu.access.token);
  const stop = () => {
    void emu.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  // Wrong configuration is the user's to fix: one line, exit code 2, no stack trace.
  if (err instanceof ConfigError) {
    process.stderr.write(`audit-emulator: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`audit-emulator: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
