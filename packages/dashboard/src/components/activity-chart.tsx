/** Failures and bans per minute per jail over the window the API returned, drawn by uPlot on a canvas. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Activity } from '../api.js';

const COLOURS = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626'];
const HEIGHT = 220;

/** uPlot wants one x array and one aligned y array per series: every minute in the window, zeros filled. */
export function chartData(activity: Activity): { series: Array<{ label: string; colour: string; dash: boolean }>; data: uPlot.AlignedData } {
  const first = Math.floor(activity.from / 60) * 60;
  const count = Math.max(1, Math.floor((activity.to - first) / 60) + 1);
  const xs = Array.from({ length: count }, (_, i) => first + i * 60);
  const jails = [...new Set(activity.minutes.map((m) => m.jail))].sort();
  const series: Array<{ label: string; colour: string; dash: boolean }> = [];
  const ys: number[][] = [];
  jails.forEach((jail, j) => {
    const failures = new Array<number>(count).fill(0);
    const bans = new Array<number>(count).fill(0);
    for (const m of activity.minutes) {
      const i = Math.floor((m.minute - first) / 60);
      if (m.jail !== jail || i < 0 || i >= count) continue;
      failures[i] = (failures[i] ?? 0) + m.failures;
      bans[i] = (bans[i] ?? 0) + m.bans;
    }
    const colour = COLOURS[j % COLOURS.length]!;
    series.push({ label: `${jail} failures`, colour, dash: false }, { label: `${jail} bans`, colour, dash: true });
    ys.push(failures, bans);
  });
  return { series, data: [xs, ...ys] };
}

export function ActivityChart({ activity }: { activity: Activity }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const { series, data } = chartData(activity);
    const plot = new uPlot({
      width: Math.max(320, element.clientWidth),
      height: HEIGHT,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.colour, width: s.dash ? 2 : 1, ...(s.dash ? { dash: [6, 4] } : {}) }))],
      axes: [{}, { label: 'per minute' }],
      scales: { x: { time: true } },
    }, data, element);
    const resize = () => plot.setSize({ width: Math.max(320, element.clientWidth), height: HEIGHT });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [activity]);
  return (
    <section class="card chart">
      <h3>Failures and bans per minute <span class="muted">(24 h; dashed: bans)</span></h3>
      {activity.minutes.length === 0 && <p class="muted">No activity in this window.</p>}
      <div ref={host} data-testid="activity-chart" />
    </section>
  );
}
