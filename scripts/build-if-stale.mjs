// `npm start` and friends: build with tsc only when a source is newer than the last build, so a
// user who changed nothing is serving in about a second (tsc itself takes seconds even when the
// incremental build has nothing to do).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Written after each build here: tsc leaves its own build info untouched when nothing changed.
const STAMP = 'dist/.build-stamp';
const ROOTS = ['servers', 'fixtures', 'contracts', 'bin', 'bench', 'openapi/generated'];
const FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return path.endsWith('.ts') || FILES.includes(path) ? st.mtimeMs : 0;
  let max = 0;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = Math.max(...ROOTS.map(newest), ...FILES.map(newest));
if (sources > built || process.argv.includes('--always')) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  writeFileSync(STAMP, new Date().toISOString());
}
