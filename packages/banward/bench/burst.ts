import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBurstBench, runLatencyBench } from './_burst-bench.js';

/** The burst row alone (`node packages/banward/dist/bench/burst.js [N] [SAMPLES]`), for work on the ban path; `npm run bench` runs it too. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = join(ROOT, 'packages/banward/bin/banward.js');
const config = join(ROOT, 'packages/banward/config');
const latency = await runLatencyBench(bin, config, Number(process.argv[3] ?? 100));
const burst = await runBurstBench(bin, config, Number(process.argv[2] ?? 10_000));
process.stdout.write(`${JSON.stringify({ latency, burst }, null, 2)}\n`);
