/**
 * A small, safe evaluator for the arithmetic fail2ban evaluates with Python's `eval`:
 * `bantime.formula` (`ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor`),
 * `bantime.factor` (`2.0 / 2.885385`) and time values (`1h 30m` becomes `1*3600+30*60`).
 *
 * Only numbers exist. Every name must be a variable the caller declared or one of the whitelisted
 * functions and constants below; this is checked once, at compile time, so `__import__('os')` or
 * `ban.__class__` never get as far as evaluation. Each operation checks its result is finite, so a
 * huge exponent or shift is an error instead of Infinity creeping into a ban time.
 */
import { BanwardError, type ErrorLocation } from '../errors.js';
import { parseExpression, ParseError, type Node } from './_expression-parser.js';

type Value = number | boolean;
type ExpressionFunction = (...args: number[]) => number;

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number, digits = 0): number {
  const scale = 10 ** digits;
  const v = x * scale;
  const r = Math.round(v);
  const adjusted = Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return adjusted / scale;
}

function log(x: number, base?: number): number {
  if (x <= 0 || (base !== undefined && (base <= 0 || base === 1))) throw new RangeError('math domain error');
  return base === undefined ? Math.log(x) : Math.log(x) / Math.log(base);
}

const FUNCTIONS: ReadonlyMap<string, { fn: ExpressionFunction; min: number; max: number }> = new Map([
  ['int', { fn: (x: number) => Math.trunc(x), min: 1, max: 1 }],
  ['float', { fn: (x: number) => x, min: 1, max: 1 }],
  ['abs', { fn: Math.abs, min: 1, max: 1 }],
  ['round', { fn: roundHalfEven, min: 1, max: 2 }],
  ['min', { fn: Math.min, min: 2, max: 32 }],
  ['max', { fn: Math.max, min: 2, max: 32 }],
  ['pow', { fn: Math.pow, min: 2, max: 2 }],
  ['math.exp', { fn: Math.exp, min: 1, max: 1 }],
  ['math.log', { fn: log, min: 1, max: 2 }],
  ['math.log2', { fn: (x: number) => log(x, 2), min: 1, max: 1 }],
  ['math.log10', { fn: (x: number) => log(x, 10), min: 1, max: 1 }],
  ['math.sqrt', { fn: (x: number) => { if (x < 0) throw new RangeError('math domain error'); return Math.sqrt(x); }, min: 1, max: 1 }],
  ['math.pow', { fn: Math.pow, min: 2, max: 2 }],
  ['math.floor', { fn: Math.floor, min: 1, max: 1 }],
  ['math.ceil', { fn: Math.ceil, min: 1, max: 1 }],
]);

const CONSTANTS: ReadonlyMap<string, Value> = new Map<string, Value>([
  ['True', true],
  ['False', false],
  ['math.e', Math.E],
  ['math.pi', Math.PI],
  ['math.inf', Infinity],
]);

/** Names a formula may call, for messages and docs. */
export const EXPRESSION_FUNCTIONS: readonly string[] = [...FUNCTIONS.keys()];

const MAX_SHIFT = 1024;

export interface CompileOptions {
  /** Variable names the expression may read (e.g. `ban.Time`, `ban.Count`, `banFactor`). */
  variables?: readonly string[];
  /** What the expression is, for messages: `bantime.formula`. */
  label?: string;
  where?: ErrorLocation;
}

export interface CompiledExpression {
  readonly source: string;
  /** Evaluates with the given variables; throws BanwardError on a runtime problem (division by zero, overflow). */
  evaluate(variables?: Readonly<Record<string, number>>): number;
}

class EvalError extends Error {
  constructor(message: string, readonly pos: number) {
    super(message);
  }
}

function num(v: Value): number {
  return typeof v === 'boolean' ? Number(v) : v;
}

function finite(x: number, pos: number): number {
  if (!Number.isFinite(x)) throw new EvalError('result is not a finite number (too large?)', pos);
  return x;
}

function arithmetic(op: string, a: number, b: number, pos: number): number {
  switch (op) {
    case '+': return finite(a + b, pos);
    case '-': return finite(a - b, pos);
    case '*': return finite(a * b, pos);
    case '**':
      if (a === 0 && b < 0) throw new EvalError('zero to a negative power', pos);
      return finite(a ** b, pos);
    case '<<':
    case '>>': {
      if (!Number.isInteger(a) || !Number.isInteger(b)) throw new EvalError(`"${op}" needs whole numbers`, pos);
      if (b < 0) throw new EvalError('negative shift count', pos);
      if (b > MAX_SHIFT) throw new EvalError(`shift count above ${MAX_SHIFT}`, pos);
      return op === '<<' ? finite(a * 2 ** b, pos) : Math.floor(a / 2 ** b);
    }
  }
  if (b === 0) throw new EvalError('division by zero', pos);
  if (op === '/') return finite(a / b, pos);
  if (op === '//') return Math.floor(a / b);
  return a - b * Math.floor(a / b); // '%' takes the sign of the divisor, as in Python
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '==': return a === b;
    default: return a !== b;
  }
}

function evaluate(node: Node, vars: Readonly<Record<string, number>>): Value {
  switch (node.kind) {
    case 'num': return node.value;
    case 'name': {
      const constant = CONSTANTS.get(node.name);
      if (constant !== undefined) return constant;
      const value = Object.hasOwn(vars, node.name) ? vars[node.name] : undefined;
      if (value === undefined) throw new EvalError(`no value for ${node.name}`, node.pos);
      return value;
    }
    case 'call': {
      const f = FUNCTIONS.get(node.name)!;
      const args = node.args.map((a) => num(evaluate(a, vars)));
      try {
        return finite(f.fn(...args), node.pos);
      } catch (error) {
        if (error instanceof EvalError) throw error;
        throw new EvalError(`${node.name}(): ${(error as Error).message}`, node.pos);
      }
    }
    case 'unary': {
      const v = evaluate(node.operand, vars);
      if (node.op === 'not') return !v;
      return node.op === '-' ? -num(v) : num(v);
    }
    case 'binary':
      return arithmetic(node.op, num(evaluate(node.left, vars)), num(evaluate(node.right, vars)), node.pos);
    case 'logic': {
      const left = evaluate(node.left, vars);
      if (node.op === 'and') return left ? evaluate(node.right, vars) : left;
      return left ? left : evaluate(node.right, vars);
    }
    case 'compare': {
      let left = num(evaluate(node.first, vars));
      for (const { op, node: next } of node.rest) {
        const right = num(evaluate(next, vars));
        if (!compare(op, left, right)) return false;
        left = right;
      }
      return true;
    }
    case 'cond':
      return evaluate(node.test, vars) ? evaluate(node.then, vars) : evaluate(node.else, vars);
  }
}

/** Checks every name and call against the whitelist; returns the first offender. */
function checkNames(node: Node, variables: ReadonlySet<string>): EvalError | undefined {
  switch (node.kind) {
    case 'num': return undefined;
    case 'name':
      if (CONSTANTS.has(node.name) || variables.has(node.name)) return undefined;
      if (FUNCTIONS.has(node.name)) return new EvalError(`${node.name} is a function; call it with (…)`, node.pos);
      return new EvalError(`unknown name ${node.name}`, node.pos);
    case 'call': {
      const f = FUNCTIONS.get(node.name);
      if (!f) return new EvalError(`unknown function ${node.name}()`, node.pos);
      if (node.args.length < f.min || node.args.length > f.max) {
        return new EvalError(`${node.name}() takes ${f.min === f.max ? f.min : `${f.min} to ${f.max}`} argument(s), not ${node.args.length}`, node.pos);
      }
      for (const a of node.args) {
        const bad = checkNames(a, variables);
        if (bad) return bad;
      }
      return undefined;
    }
    case 'unary': return checkNames(node.operand, variables);
    case 'binary':
    case 'logic': return checkNames(node.left, variables) ?? checkNames(node.right, variables);
    case 'compare': return [node.first, ...node.rest.map((r) => r.node)].map((n) => checkNames(n, variables)).find(Boolean);
    case 'cond': return checkNames(node.test, variables) ?? checkNames(node.then, variables) ?? checkNames(node.else, variables);
  }
}

function problem(options: CompileOptions, source: string, message: string, pos: number, cause?: unknown): BanwardError {
  const label = options.label ?? 'expression';
  return new BanwardError(
    'BANWARD_ERR_CONFIG_VALUE',
    `${label} ${JSON.stringify(source)}: ${message} at position ${pos + 1}`,
    { ...options.where, cause },
  );
}

/** Parses and checks `source` once; the result evaluates it any number of times. */
export function compileExpression(source: string, options: CompileOptions = {}): CompiledExpression {
  let tree: Node;
  try {
    tree = parseExpression(source);
  } catch (error) {
    if (error instanceof ParseError) throw problem(options, source, error.message, error.pos);
    throw error;
  }
  const bad = checkNames(tree, new Set(options.variables ?? []));
  if (bad) throw problem(options, source, bad.message, bad.pos);
  return {
    source,
    evaluate(variables = {}) {
      try {
        return num(evaluate(tree, variables));
      } catch (error) {
        if (error instanceof EvalError) throw problem(options, source, error.message, error.pos);
        throw error;
      }
    },
  };
}

/** Evaluates an expression that reads no variables (`2.0 / 2.885385`). */
export function evaluateConstant(source: string, options: Omit<CompileOptions, 'variables'> = {}): number {
  return compileExpression(source, options).evaluate();
}
