/** "Now" in epoch seconds. The engine never reads the wall clock itself; callers inject one. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now() / 1000;

export function fixedClock(epochSeconds: number): Clock {
  return () => epochSeconds;
}
