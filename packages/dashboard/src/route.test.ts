import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { parseRoute, searchHref } from './route.js';

it('parseRoute: each screen, unknown hashes to the overview, a search address round-trips, a broken escape is kept as text', () => {
  assert.deepEqual(parseRoute(''), { screen: 'overview' });
  assert.deepEqual(parseRoute('#/'), { screen: 'overview' });
  assert.deepEqual(parseRoute('#/nonsense/x'), { screen: 'overview' });
  assert.deepEqual(parseRoute('#/bans'), { screen: 'bans' });
  assert.deepEqual(parseRoute('#/search/'), { screen: 'search', query: '' });
  for (const query of ['203.0.113.7', '2001:db8::/64', '<img src=x>', '100%']) assert.deepEqual(parseRoute(searchHref(query)), { screen: 'search', query });
  assert.deepEqual(parseRoute('#/search/%E0%A4%A'), { screen: 'search', query: '%E0%A4%A' });
});
