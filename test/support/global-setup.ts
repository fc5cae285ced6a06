import { execFileSync } from 'node:child_process';

/** Tests that spawn the CLI (persistence, packaging, soak) run the compiled JS: build it once. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
