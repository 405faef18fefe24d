import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { SseParser } from './event-stream.js';

function parse(chunks: string[]): Array<[string, string]> {
  const events: Array<[string, string]> = [];
  const parser = new SseParser((type, data) => events.push([type, data]));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

const STREAM = ': connected\n\nevent: ban\ndata: {"type":"ban"}\n\n: keepalive\n\nevent: found\r\ndata: a\r\ndata: b\r\n\r\nretry: 10\n\ndata:no space\rid: 7\r\r\n';
const EVENTS: Array<[string, string]> = [['ban', '{"type":"ban"}'], ['found', 'a\nb'], ['message', 'no space']];

it('SseParser: events, comments, CRLF/CR/LF endings, multi-line data, fields without data', () => {
  assert.deepEqual(parse([STREAM]), EVENTS);
});

it('SseParser: the same events however the stream is cut into chunks (a CRLF split across two chunks included)', () => {
  for (let cut = 1; cut < STREAM.length; cut++) {
    assert.deepEqual(parse([STREAM.slice(0, cut), STREAM.slice(cut)]), EVENTS, `cut at ${cut}`);
  }
  assert.deepEqual(parse([...STREAM]), EVENTS, 'one character at a time');
});

it('SseParser: a line that never ends is refused at 1,000,000 characters, not buffered without bound', () => {
  const parser = new SseParser(() => assert.fail('no event'));
  parser.push('data: ' + 'x'.repeat(999_000));
  assert.throws(() => parser.push('x'.repeat(2_000)), /too long/);
});

it('SseParser: a large chunk of complete lines is not a long line', () => {
  const many = 'data: {"type":"found"}\n\n'.repeat(100_000);
  assert.equal(parse([many]).length, 100_000);
});
