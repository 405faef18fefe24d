import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBurstBench } from './_burst-bench.js';

/** The burst row alone (`node packages/banward/dist/bench/burst.js [N]`), for work on the ban path; `npm run bench` runs it too. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const result = await runBurstBench(join(ROOT, 'packages/banward/bin/banward.js'), join(ROOT, 'packages/banward/config'), Number(process.argv[2] ?? 10_000));
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
