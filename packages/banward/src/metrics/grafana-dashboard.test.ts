import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createMetrics } from './create-metrics.js';
import { fakeControl, familyOf, parseExposition } from './_test-support.js';

interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  panels: { title: string; datasource: { uid: string }; targets: { expr: string; datasource: { uid: string } }[] }[];
  templating: { list: { definition: string; datasource: { uid: string } }[] };
}

const dashboard = JSON.parse(readFileSync(new URL('../../../../../docs/grafana/banward-dashboard.json', import.meta.url), 'utf8')) as Dashboard;

/**
 * The series a PromQL expression names: label matchers, ranges, grouping clauses, strings and Grafana
 * variables taken out, what is left that is not called as a function (or a grouping keyword) is a series.
 */
function seriesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names: string[] = [];
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*(\()?)/g)) {
    if (m[1] === '(' || /^(?:and|or|unless|bool|offset)$/.test(m[0])) continue;
    names.push(m[0]);
  }
  return names;
}

test('the Grafana dashboard: every query names only series banward serves, through the DS_PROMETHEUS input', async () => {
  const metrics = createMetrics(fakeControl().control);
  const served = parseExposition(await metrics.render());
  metrics.close();
  assert.deepEqual(dashboard.__inputs.map((i) => [i.name, i.type, i.pluginId]), [['DS_PROMETHEUS', 'datasource', 'prometheus']]);
  const queries = [
    ...dashboard.panels.flatMap((p) => {
      assert.equal(p.datasource.uid, '${DS_PROMETHEUS}', p.title);
      return p.targets.map((t) => ({ where: p.title, expr: t.expr, uid: t.datasource.uid }));
    }),
    ...dashboard.templating.list.map((v) => ({ where: 'variable', expr: v.definition.replace(/^label_values\(([^,)]+).*$/, '$1'), uid: v.datasource.uid })),
  ];
  const titles = dashboard.panels.map((p) => p.title).join('|');
  for (const wanted of [/Bans per minute/, /Failures per minute/, /Currently banned/, /p99/, /Source lag/, /Action failures/]) assert.match(titles, wanted);
  for (const { where, expr, uid } of queries) {
    assert.equal(uid, '${DS_PROMETHEUS}', where);
    const names = seriesIn(expr);
    assert.ok(names.length > 0, `${where}: ${expr} names no series`);
    for (const name of names) {
      assert.ok(name.startsWith('banward_'), `${where}: ${name} is not a banward series`);
      assert.ok(familyOf(served, name) !== undefined, `${where}: ${name} is not in the metrics output`);
    }
  }
});

test('the expression reader finds series and nothing else (a misspelt series is caught)', () => {
  assert.deepEqual(
    seriesIn('histogram_quantile(0.99, sum by (jail, le) (rate(banward_match_duration_seconds_bucket{jail=~"$jail"}[$__rate_interval])))'),
    ['banward_match_duration_seconds_bucket'],
  );
  assert.deepEqual(seriesIn('sum by (jail) (rate(banward_bans_totl[5m])) * 60 and on (jail) up'), ['banward_bans_totl', 'up']);
});
