import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBurstBench, runLatencyBench } from './_burst-bench.js';

/** The burst row alone (`node packages/banward/dist/bench/burst.js [N] [SAMPLES] [IDLE_BANS] [IDLE_SECONDS]`), for work on the ban path; `npm run bench` runs it too. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = join(ROOT, 'packages/banward/bin/banward.js');
const config = join(ROOT, 'packages/banward/config');
const latency = await runLatencyBench(bin, config, Number(process.argv[3] ?? 100));
const burst = await runBurstBench(bin, config, Number(process.argv[2] ?? 10_000), { bans: Number(process.argv[4] ?? 20_000), seconds: Number(process.argv[5] ?? 0) });
process.stdout.write(`${JSON.stringify({ latency, burst }, null, 2)}\n`);
