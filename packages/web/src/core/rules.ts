/** A response that counts as a failed login: `{ method: 'POST', path: '/login', status: [401, 403] }`. */
export interface FailureRule {
  /** One method or several; any method when left out. */
  method?: string | readonly string[];
  /** The exact path (without the query string), or a pattern it must match. */
  path: string | RegExp;
  /** The statuses that mean failure; 401 and 403 when left out. */
  status?: number | readonly number[];
}

/** What a rule or a predicate sees of a finished request. `req`/`res` are the framework's own objects. */
export interface ResponseInfo {
  ip: string | null;
  method: string;
  route: string;
  status: number;
  req: unknown;
  res: unknown;
}

export interface CompiledRule {
  methods: ReadonlySet<string> | null;
  path: string | RegExp;
  statuses: ReadonlySet<number>;
}

export function compileRule(rule: FailureRule): CompiledRule {
  const methods = rule.method === undefined ? null : [rule.method].flat().map((m) => m.toUpperCase());
  return Object.freeze({
    methods: methods && new Set(methods),
    path: rule.path,
    statuses: new Set(rule.status === undefined ? [401, 403] : [rule.status].flat()),
  });
}

export function ruleMatches(rule: CompiledRule, info: Pick<ResponseInfo, 'method' | 'route' | 'status'>): boolean {
  if (rule.methods && !rule.methods.has(info.method.toUpperCase())) return false;
  if (!rule.statuses.has(info.status)) return false;
  return typeof rule.path === 'string' ? rule.path === info.route : rule.path.test(info.route);
}
