import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isBanwardError } from '../errors.js';
import { compileExpression, evaluateConstant } from './safe-expression.js';

const BAN = ['ban.Time', 'ban.Count', 'banFactor'];

test('safe expression: arithmetic with Python semantics', () => {
  const cases: Array<[string, number]> = [
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['7 / 2', 3.5],
    ['7 // 2', 3],
    ['-7 // 2', -4],
    ['-7 % 3', 2],
    ['7 % -3', -2],
    ['2 ** 10', 1024],
    ['2 ** 3 ** 2', 512],
    ['-2 ** 2', -4],
    ['2 ** -1', 0.5],
    ['1 << 20', 1048576],
    ['1024 >> 3', 128],
    ['3 if 1 < 2 else 4', 3],
    ['3 if 2 < 1 else 4', 4],
    ['1 < 2 < 3', 1],
    ['3 > 2 > 2', 0],
    ['not 0', 1],
    ['0 or 5', 5],
    ['2 and 0', 0],
    ['2.0 / 2.885385', 2.0 / 2.885385],
    ['1_000 + .5 + 1e3', 2000.5],
  ];
  for (const [source, value] of cases) assert.equal(evaluateConstant(source), value, source);
});

test('safe expression: whitelisted functions and the variables of bantime.formula', () => {
  const vars = { 'ban.Time': 600, 'ban.Count': 3, banFactor: 1 };
  const cases: Array<[string, number]> = [
    ['ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor', 4800],
    ['ban.Time * math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)', 600 * Math.exp(4) / Math.exp(1)],
    ['int(7.9) + int(-7.9)', 0],
    ['min(ban.Time, 100, 300) + max(1, 2)', 102],
    ['pow(2, 5) + math.pow(2, 1)', 34],
    ['abs(-3) + round(2.5) + round(3.5)', 9],
    ['math.log(math.e) + math.sqrt(16) + math.floor(1.7) + math.ceil(1.2)', 8],
  ];
  for (const [source, value] of cases) assert.equal(compileExpression(source, { variables: BAN }).evaluate(vars), value, source);
});

test('safe expression: rejects anything outside the whitelist, naming formula and position', () => {
  const cases: Array<[string, RegExp]> = [
    ["__import__('os')", /unexpected character "'" at position 12/],
    ['__import__(1)', /unknown function __import__\(\) at position 1/],
    ['ban.__class__', /unknown name ban.__class__ at position 1/],
    ['ban.Time.__class__.__mro__', /unknown name ban.Time.__class__.__mro__/],
    ['math.system(1)', /unknown function math.system\(\)/],
    ['constructor', /unknown name constructor/],
    ['math.exp', /math.exp is a function/],
    ['eval(1)', /unknown function eval\(\)/],
    ['[1][0]', /unexpected character "\["/],
    ['lambda: 1', /unknown name lambda|unexpected/],
    ['1 +', /unexpected end of expression at position 4/],
    ['min(1)', /min\(\) takes 2 to 32 argument/],
    ['(' .repeat(100) + '1' + ')'.repeat(100), /nested deeper/],
    ['1+'.repeat(600) + '1', /longer than 1000 characters/],
  ];
  for (const [source, message] of cases) {
    assert.throws(
      () => compileExpression(source, { variables: BAN, label: 'bantime.formula' }),
      (e: unknown) => isBanwardError(e) && e.message.startsWith('bantime.formula ') && message.test(e.message),
      source,
    );
  }
});

test('safe expression: huge results are errors, not Infinity', () => {
  const cases: Array<[string, RegExp]> = [
    ['10 ** 400', /not a finite number/],
    ['2 ** 99999999999', /not a finite number/],
    ['1 << 5000', /shift count above 1024/],
    ['1 << 1023 << 1023', /not a finite number/],
    ['math.exp(1000)', /not a finite number/],
    ['1 / 0', /division by zero/],
    ['0 ** -1', /zero to a negative power/],
    ['math.log(0)', /math domain error/],
    ['1.5 << 2', /needs whole numbers/],
  ];
  for (const [source, message] of cases) {
    assert.throws(() => evaluateConstant(source), (e: unknown) => isBanwardError(e) && message.test(e.message), source);
  }
});
