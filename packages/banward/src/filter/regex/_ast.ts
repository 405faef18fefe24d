/** The syntax tree of a Python `re` pattern, as far as banward needs to rewrite it for JavaScript. */

export interface Flags {
  ignoreCase: boolean;
  dotAll: boolean;
  multiline: boolean;
  verbose: boolean;
}

/** A sequence of terms, one branch of an alternation. */
export type Sequence = Node[];

export interface Alternation {
  type: 'alternation';
  branches: Sequence[];
}

export type GroupKind =
  | 'capture'
  | 'noncapture'
  | 'lookahead'
  | 'negative-lookahead'
  | 'lookbehind'
  | 'negative-lookbehind'
  | 'atomic';

export interface Group {
  type: 'group';
  kind: GroupKind;
  /** Capture groups: the Python name, if any. */
  name?: string;
  /** Capture groups: the Python group number (1-based). */
  index?: number;
  /** Flags that hold inside the group (scoped `(?i:...)` included). */
  flags: Flags;
  body: Alternation;
}

export interface Conditional {
  type: 'conditional';
  /** The referenced group's number (names are resolved while parsing). */
  ref: number;
  yes: Sequence;
  no: Sequence;
}

export interface Quantified {
  type: 'quantified';
  node: Node;
  min: number;
  max: number; // Infinity for unbounded
  lazy: boolean;
  possessive: boolean;
}

export interface Literal {
  type: 'literal';
  char: string; // one code point
  flags: Flags;
}

/** A bracket class, kept as its items so it can be re-emitted in either mode. */
export interface CharClass {
  type: 'class';
  negated: boolean;
  items: ClassItem[];
  flags: Flags;
}

export type ClassItem =
  | { type: 'char'; char: string }
  | { type: 'range'; from: string; to: string }
  | { type: 'escape'; letter: 'd' | 'D' | 'w' | 'W' | 's' | 'S' };

export interface EscapeClass {
  type: 'escape-class';
  letter: 'd' | 'D' | 'w' | 'W' | 's' | 'S';
}

export interface Dot {
  type: 'dot';
  flags: Flags;
}

export interface Anchor {
  type: 'anchor';
  kind: 'start' | 'end' | 'string-start' | 'string-end' | 'word-boundary' | 'not-word-boundary';
  flags: Flags;
}

export interface Backreference {
  type: 'backreference';
  /** The referenced group's number (names are resolved while parsing). */
  ref: number;
}

export type Node =
  | Alternation
  | Group
  | Conditional
  | Quantified
  | Literal
  | CharClass
  | EscapeClass
  | Dot
  | Anchor
  | Backreference;

export interface ParsedPattern {
  root: Alternation;
  globalFlags: Flags;
  groupCount: number;
  /** Python group name → group number. */
  groupIndex: Map<string, number>;
}
