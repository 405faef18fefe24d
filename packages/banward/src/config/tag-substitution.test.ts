import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBanwardError } from '../errors.js';
import { substituteTags } from './tag-substitution.js';
import { TracedText } from './traced-text.js';

const tags = (record: Record<string, string>): Map<string, TracedText> =>
  new Map(Object.entries(record).map(([k, v]) => [k, TracedText.of(v, { file: 'f.conf', line: 1 })]));
const plain = (m: Map<string, TracedText>): Record<string, string> =>
  Object.fromEntries([...m].map(([k, v]) => [k, v.text]));

test('tags resolve recursively and unknown tags such as <HOST> stay', () => {
  const out = substituteTags(tags({ a: '3', b: '<a>_3', c: '<b> from <HOST> <F-USER>x</F-USER>' }));
  assert.deepEqual(plain(out), { a: '3', b: '3_3', c: '3_3 from <HOST> <F-USER>x</F-USER>' });
});

test('nested tags resolve from the inside out, reaching other sections through the fallback', () => {
  const sections: Record<string, string> = { 'lt_file/prefix': 'FILE', 'lt_journal/prefix': 'JOURNAL' };
  const fallback = (t: string): TracedText | undefined => {
    const text = sections[t];
    return text === undefined ? undefined : TracedText.of(text);
  };
  const out = substituteTags(tags({ logtype: 'journal', failregex: '^<lt_<logtype>/prefix> x' }), { fallback });
  assert.equal(out.get('failregex')?.text, '^JOURNAL x');
});

test('a conditional variant wins when its condition is given; ignored tags stay', () => {
  const t = tags({ cmd: 'ban <ip> <blocktype>', blocktype: 'REJECT', 'blocktype?family=inet6': 'REJECT6' });
  assert.equal(substituteTags(t, { conditional: 'family=inet6' }).get('cmd')?.text, 'ban <ip> REJECT6');
  assert.equal(substituteTags(t, { ignore: ['blocktype'] }).get('cmd')?.text, 'ban <ip> <blocktype>');
});

test('self-reference, direct or through another tag, is an error naming the tag', () => {
  const loops: Record<string, string>[] = [{ honeypot: '<honeypot>' }, { honeypot: '<sweet>', sweet: '<honeypot>' }];
  for (const record of loops) {
    assert.throws(
      () => substituteTags(tags(record)),
      (e) => isBanwardError(e) && e.code === 'BANWARD_ERR_CONFIG_RECURSION' && /honeypot|sweet/.test(e.message) && e.line === 1,
    );
  }
});

test('a substituted line reports where it was written, not where its fragments live', () => {
  const t = new Map([
    ['failregex', TracedText.fromLines([{ text: '<a>', line: 10 }, { text: 'x <b>', line: 11 }], 'f.conf')],
    ['a', TracedText.of('A <b>', { file: 'f.conf', line: 20 })],
    ['b', TracedText.of('B', { file: 'common.conf', line: 30 })],
  ]);
  const lines = substituteTags(t).get('failregex')?.split('\n') ?? [];
  assert.deepEqual(lines.map((l) => [l.text, l.origin().line]), [['A B', 20], ['x B', 11]]);
});
