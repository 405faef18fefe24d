/**
 * The answers of checks that refuse with a reason instead of throwing: whether a source or an action
 * can run here, and option parsers that hand back a value.
 */
export type Refusal = { ok: false; reason: string };

export type CanRun = { ok: true } | Refusal;

export type Checked<T> = { ok: true; value: T } | Refusal;
