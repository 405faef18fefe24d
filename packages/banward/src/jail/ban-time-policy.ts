/**
 * fail2ban's `bantime.increment`: an address banned before is banned longer. The first ban uses the
 * jail's bantime; the next ones use `bantime.multipliers` (`bantime * factor * multipliers[count]`,
 * the last multiplier repeating), or else `bantime.formula` (never below bantime), then the
 * `bantime.maxtime` cap, then up to `bantime.rndtime` random seconds on top. A permanent ban (-1)
 * stays permanent. As in fail2ban, neither cap nor random applies to a first ban.
 */
import { compileExpression, evaluateConstant, type CompiledExpression } from '../config/index.js';
import { BanwardError, type ErrorLocation } from '../errors.js';

/** fail2ban's default formula: doubling per previous ban, stopping at 2^20. */
export const DEFAULT_BANTIME_FORMULA = 'ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor';

/** The variables a formula can read. */
export const FORMULA_VARIABLES = ['ban.Time', 'ban.Count', 'banFactor'] as const;

/** The bantime.* options, validated (JSON-serialisable, so a reload can compare them). */
export interface BanTimeIncrement {
  increment: boolean;
  /** `bantime.factor`, evaluated (fail2ban allows arithmetic: `2.0 / 2.885385`). */
  factor: number;
  /** `bantime.formula`; null = the default formula. Ignored when multipliers are given. */
  formula: string | null;
  multipliers: number[];
  /** Seconds; null = no cap. */
  maxtime: number | null;
  /** Seconds; null = no random part. */
  rndtime: number | null;
  /** Count earlier bans of an address in every jail, not only this one. */
  overalljails: boolean;
}

export const NO_BANTIME_INCREMENT: Readonly<BanTimeIncrement> = Object.freeze({
  increment: false,
  factor: 1,
  formula: null,
  multipliers: [],
  maxtime: null,
  rndtime: null,
  overalljails: false,
});

export interface NextBantimeInput {
  /** The jail's bantime in seconds (negative = permanent). */
  base: number;
  /** How many times the address was banned before. */
  banCount: number;
  /** A number in [0, 1); injected so tests are exact. Defaults to Math.random. */
  random?: () => number;
}

/** `bantime.factor` text → number; throws BanwardError naming the value. */
export function parseBantimeFactor(text: string, where: ErrorLocation = {}): number {
  const factor = evaluateConstant(text, { label: 'bantime.factor', where });
  if (factor <= 0) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `bantime.factor ${JSON.stringify(text)} must be above 0`, where);
  return factor;
}

/** `bantime.multipliers` text (`1 2 4 8 16 32 64`) → numbers; throws BanwardError naming the value. */
export function parseBantimeMultipliers(text: string, where: ErrorLocation = {}): number[] {
  const words = text.trim() === '' ? [] : text.trim().split(/\s+/);
  return words.map((w) => {
    const n = Number(w);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w) || !Number.isFinite(n) || n < 0) {
      throw new BanwardError(
        'BANWARD_ERR_CONFIG_VALUE',
        `bantime.multipliers ${JSON.stringify(text)}: ${JSON.stringify(w)} is not a number of 0 or more`,
        where,
      );
    }
    return n;
  });
}

/** Compiles a formula, checking its names and that it gives a number for a sample ban. */
export function compileBantimeFormula(formula: string, where: ErrorLocation = {}): CompiledExpression {
  const compiled = compileExpression(formula, { variables: FORMULA_VARIABLES, label: 'bantime.formula', where });
  compiled.evaluate({ 'ban.Time': 600, 'ban.Count': 1, banFactor: 1 });
  return compiled;
}

export class BanTimePolicy {
  readonly options: Readonly<BanTimeIncrement>;
  private readonly formula: CompiledExpression;

  constructor(options: Partial<BanTimeIncrement> = {}) {
    this.options = Object.freeze({ ...NO_BANTIME_INCREMENT, ...options });
    this.formula = compileBantimeFormula(this.options.formula ?? DEFAULT_BANTIME_FORMULA);
  }

  /** The ban time for the next ban of an address, in seconds. */
  nextBantime({ base, banCount, random = Math.random }: NextBantimeInput): number {
    const o = this.options;
    if (!o.increment || base <= 0 || banCount <= 0) return base;
    let time: number;
    if (o.multipliers.length > 0) {
      // banCount > 0 and the list is not empty, so the index is inside it.
      time = base * o.factor * o.multipliers[Math.min(banCount, o.multipliers.length - 1)]!;
    } else {
      time = Math.max(base, this.formula.evaluate({ 'ban.Time': base, 'ban.Count': banCount, banFactor: o.factor }));
    }
    if (o.maxtime !== null) time = Math.min(time, o.maxtime);
    if (o.rndtime !== null) time += random() * o.rndtime;
    return time;
  }
}
