import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The code a request runs on @banward/web's behalf: its own build and the one dependency it calls. */
const OURS = /\/packages\/web\/dist\/src\/|\/node_modules\/(proxy-addr|forwarded|ipaddr\.js)\//;

/**
 * Reads the one `.cpuprofile` that `node --cpu-prof --cpu-prof-dir=DIR` left in `dir`: the process's busy
 * time (every sample but idle) and the part of it spent in @banward/web's code itself (self time, so what
 * the middleware calls next — the rest of the app — is not counted).
 */
export function webShareOfProfile(dir: string): { busyUs: number; oursUs: number } {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  let busyUs = 0;
  let oursUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    busyUs += us;
    if (OURS.test(frame.url)) oursUs += us;
  });
  return { busyUs, oursUs };
}
