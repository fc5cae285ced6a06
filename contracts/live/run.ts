// npm run contract:live: the contract suites against the real vendors whose credentials are in the
// environment. A vendor without credentials is reported as not run, never as passed.
import { liveSuites } from './suites.js';

let differences = 0;
let ran = 0;
for (const suite of liveSuites) {
  const missing = suite.env.required.filter((k) => !process.env[k]);
  if (missing.length) {
    console.log(`${suite.vendor}: NOT RUN (set ${missing.join(', ')})`);
    continue;
  }
  ran++;
  const results = await suite.run(suite.fromEnv(process.env));
  const bad = results.filter((r) => r.problems.length);
  differences += bad.reduce((n, r) => n + r.problems.length, 0);
  console.log(`${suite.vendor}: ${results.length - bad.length} of ${results.length} checks match the spec`);
  for (const r of bad) for (const p of r.problems) console.log(`  ${r.name}: ${p}`);
}
console.log(`live contract: ${ran} of ${liveSuites.length} vendors run, ${differences} differences from the specs`);
process.exit(differences ? 1 : 0);
