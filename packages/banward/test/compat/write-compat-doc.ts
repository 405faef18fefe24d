import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { formatCompatDoc, runFail2banSamples, totals } from './_compat-report.js';
import { SAMPLES_TZ } from './_sample-suite.js';

process.env.TZ = SAMPLES_TZ;
const version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'fail2ban'], { encoding: 'utf8' });
const results = await runFail2banSamples();
const out = process.argv[2] ?? 'docs/compat.md';
writeFileSync(out, formatCompatDoc(results, version));
const t = totals(results);
process.stdout.write(`${t.passed}/${t.cases} cases pass; wrote ${out}\n`);
