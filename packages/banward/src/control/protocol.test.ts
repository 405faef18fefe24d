import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { BanwardError } from '../errors.js';
import { findDuplicateKey } from './_duplicate-keys.js';
import { LineSplitter } from './_line-splitter.js';
import {
  COMMANDS, decodeRequest, decodeResponse, encodeRequest, errorFromResponse, errorResponse, successResponse, validateRequest,
} from './protocol.js';

test('protocol: COMMANDS lists every command the daemon answers', () => {
  for (const name of ['ping', 'version', 'status', 'stop', 'reload', 'set', 'get', 'unban', 'banned', 'report', 'test-config', 'dump-config']) {
    assert.ok((COMMANDS as readonly string[]).includes(name), name);
  }
});

test('protocol: a full request is accepted and frozen; args and options default to empty', () => {
  const request = validateRequest({ id: 1, command: 'status', args: ['sshd'], options: { json: true, n: 2, s: 'x' } });
  assert.deepEqual(request, { id: 1, command: 'status', args: ['sshd'], options: { json: true, n: 2, s: 'x' } });
  assert.ok(Object.isFrozen(request) && Object.isFrozen(request.args) && Object.isFrozen(request.options));
  assert.deepEqual(validateRequest({ id: 'a', command: 'ping' }), { id: 'a', command: 'ping', args: [], options: {} });
});

const invalid: Array<[string, unknown, RegExp]> = [
  ['not an object', [1], /JSON object/],
  ['an unknown field', { id: 1, command: 'ping', extra: 1 }, /unknown request field\(s\): extra/],
  ['no id', { command: 'ping' }, /"id"/],
  ['a negative id', { id: -1, command: 'ping' }, /"id"/],
  ['a fractional id', { id: 1.5, command: 'ping' }, /"id"/],
  ['a command that is not a string', { id: 1, command: 3 }, /"command" must be a string/],
  ['an unknown command', { id: 1, command: 'rm-rf' }, /unknown command "rm-rf"/],
  ['an inherited name as command', { id: 1, command: 'constructor' }, /unknown command/],
  ['args not an array', { id: 1, command: 'ping', args: 'sshd' }, /"args"/],
  ['a number among args', { id: 1, command: 'ping', args: ['a', 2] }, /"args"/],
  ['options an array', { id: 1, command: 'ping', options: [] }, /"options"/],
  ['an object option', { id: 1, command: 'ping', options: { a: {} } }, /option "a"/],
  ['a null option', { id: 1, command: 'ping', options: { a: null } }, /option "a"/],
];
for (const [name, value, message] of invalid) {
  test(`protocol: validation refuses ${name}`, () => {
    assert.throws(() => validateRequest(value), (error: unknown) =>
      error instanceof BanwardError && error.code === 'BANWARD_ERR_PROTOCOL' && message.test(error.message));
  });
}

test('protocol: malformed JSON is a fatal fault, a bad request keeps its id and the connection', () => {
  const broken = decodeRequest('{"id": 1,');
  assert.ok('fault' in broken && broken.fault.fatal && broken.fault.id === null);
  const unknown = decodeRequest('{"id": 7, "command": "nope"}');
  assert.ok('fault' in unknown && !unknown.fault.fatal && unknown.fault.id === 7);
  assert.ok('request' in decodeRequest('{"id": 7, "command": "ping"}'));
});

test('protocol: an option named __proto__ stays a plain option', () => {
  const decoded = decodeRequest('{"id": 1, "command": "ping", "options": {"__proto__": true}}');
  assert.ok('request' in decoded);
  assert.equal(Object.getPrototypeOf(decoded.request.options), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(decoded.request.options, '__proto__')?.value, true);
});

test('protocol: encodeRequest writes one line and refuses what a server would refuse', () => {
  assert.equal(encodeRequest({ id: 1, command: 'ping' }), '{"id":1,"command":"ping","args":[],"options":{}}\n');
  assert.throws(() => encodeRequest({ id: 1, command: 'pong' }), /unknown command/);
});

test('protocol: responses round-trip, undefined results become null, error locations survive', () => {
  assert.deepEqual(decodeResponse(JSON.stringify(successResponse(3, undefined))), { id: 3, ok: true, result: null });
  const error = new BanwardError('BANWARD_ERR_CONFIG_VALUE', 'bad maxretry', { file: '/etc/jail.local', line: 4 });
  const decoded = decodeResponse(JSON.stringify(errorResponse(3, error)));
  assert.ok(!decoded.ok);
  const back = errorFromResponse(decoded.error);
  assert.equal(back.code, 'BANWARD_ERR_CONFIG_VALUE');
  assert.equal(back.describe(), '/etc/jail.local:4: bad maxretry');
});

test('protocol: an error code this client does not know is kept in the message', () => {
  const error = errorFromResponse({ code: 'BANWARD_ERR_FROM_THE_FUTURE', message: 'later' });
  assert.equal(error.code, 'BANWARD_ERR_COMMAND');
  assert.equal(error.message, 'BANWARD_ERR_FROM_THE_FUTURE: later');
});

test('protocol: replies that break the protocol are refused', () => {
  for (const line of ['nope', '[]', '{"id": 1}', '{"id": 1, "ok": false, "error": "x"}', '{"id": {}, "ok": true}']) {
    assert.throws(() => decodeResponse(line), (e: unknown) => e instanceof BanwardError && e.code === 'BANWARD_ERR_PROTOCOL', line);
  }
});

test('line splitter: joins chunks, keeps split UTF-8 characters, strips CR, flags overflow', () => {
  const splitter = new LineSplitter(8);
  const bytes = Buffer.from('é1\r\nab');
  assert.deepEqual(splitter.push(bytes.subarray(0, 1)), { lines: [], overflow: false });
  assert.deepEqual(splitter.push(bytes.subarray(1)), { lines: ['é1'], overflow: false });
  assert.deepEqual(splitter.push(Buffer.from('c\n')), { lines: ['abc'], overflow: false });
  assert.deepEqual(splitter.push(Buffer.from('123456789')), { lines: [], overflow: true });
  assert.deepEqual(new LineSplitter(4).push(Buffer.from('ok\n12345\n')), { lines: ['ok'], overflow: true });
});

test('issue 11 defect 11b: a request that repeats a key at any level is refused, not read as its last value', () => {
  const refused: Array<[string, string, RequestIdOrNull]> = [
    ['{"id":1,"command":"ping","command":"stop"}', 'command', 1],
    ['{"id":1,"command":"ping","comm\\u0061nd":"stop"}', 'command', 1],
    ['{"id":1,"id":2,"command":"ping"}', 'id', null],
    ['{"id":1,"command":"reload","options":{"restart":false,"restart":true}}', 'restart', 1],
    ['{"id":1,"command":"ping","args":[{"a":1,"a":2}]}', 'a', 1],
  ];
  for (const [line, key, id] of refused) {
    const decoded = decodeRequest(line);
    assert.ok('fault' in decoded, line);
    assert.equal(decoded.fault.error.code, 'BANWARD_ERR_PROTOCOL');
    assert.equal(decoded.fault.fatal, false);
    assert.equal(decoded.fault.id, id);
    assert.ok(decoded.fault.error.message.includes(JSON.stringify(key)), decoded.fault.error.message);
  }
});

type RequestIdOrNull = number | null;

test('issue 11 defect 11b: equal keys in different objects, and keys quoted inside strings, are not duplicates', () => {
  assert.equal(findDuplicateKey('{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}'), undefined);
  assert.equal(findDuplicateKey('{"args":["command","command"],"command":"ping","s":"\\"command\\":1"}'), undefined);
  assert.equal(findDuplicateKey('{"a":{"b":1},"a":2}'), 'a');
  assert.ok('request' in decodeRequest('{"id":1,"command":"status","args":["command","command"]}'));
});

test('issue 11 defect 11b: the duplicate-key scan survives nesting far deeper than a call stack', () => {
  const depth = 100_000;
  assert.equal(findDuplicateKey('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)), undefined);
  assert.equal(findDuplicateKey('['.repeat(depth) + '{"k":1,"k":2}' + ']'.repeat(depth)), 'k');
  const decoded = decodeRequest('{"id":1,"command":"ping","args":' + '['.repeat(depth) + ']'.repeat(depth) + '}');
  assert.ok('fault' in decoded && decoded.fault.error.code === 'BANWARD_ERR_PROTOCOL' && !decoded.fault.fatal);
});
