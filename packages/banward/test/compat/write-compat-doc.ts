import { writeFileSync } from 'node:fs';
import { fail2ban11, formatCompatDoc, installedFail2ban, runFail2banSamples, totals } from './_compat-report.js';
import { SAMPLES_TZ } from './_sample-suite.js';

process.env.TZ = SAMPLES_TZ;
const out = process.argv[2] ?? 'docs/compat.md';
const sections = [];
for (const release of [installedFail2ban(), fail2ban11()]) {
  const results = await runFail2banSamples(release);
  const t = totals(results);
  process.stdout.write(`${release.title}: ${t.passed}/${t.cases} cases pass\n`);
  sections.push({ release, results });
}
writeFileSync(out, formatCompatDoc(sections));
process.stdout.write(`wrote ${out}\n`);
