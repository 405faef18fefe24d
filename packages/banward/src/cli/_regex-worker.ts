import { parentPort, workerData } from 'node:worker_threads';
import { testPart, type PartJob } from './_regex-parallel.js';

// A worker thread of `banward regex`: tests one part of the log and sends its statistics back.
parentPort!.postMessage(testPart(workerData as PartJob));
