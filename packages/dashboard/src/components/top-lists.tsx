import type { Top } from '../api.js';
import { searchHref } from '../route.js';

export function TopLists({ top }: { top: Top }) {
  return (
    <div class="top-lists">
      <TopTable title="Top offenders" testid="top-offender" rows={top.offenders.map((o) => ({ key: o.ip, failures: o.failures, bans: o.bans }))} />
      <TopTable title="Top networks" testid="top-network" rows={top.networks.map((n) => ({ key: n.network, failures: n.failures, bans: n.bans }))} />
    </div>
  );
}

function TopTable({ title, testid, rows }: { title: string; testid: string; rows: Array<{ key: string; failures: number; bans: number }> }) {
  return (
    <section class="card">
      <h3>{title} <span class="muted">(24 h)</span></h3>
      {rows.length === 0 ? <p class="muted">none</p> : (
        <table>
          <thead><tr><th>address</th><th>failures</th><th>bans</th></tr></thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} data-testid={testid}>
                <td><a href={searchHref(row.key)}>{row.key}</a></td><td>{row.failures}</td><td>{row.bans}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
