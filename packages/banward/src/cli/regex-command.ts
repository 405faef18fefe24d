import { USEDNS_WORDS } from '../config/fail2ban-words.js';
import { defineCommand } from './_command.js';

const REGEX_OPTIONS = {
  config: {
    type: 'string', valueName: 'DIR',
    description: 'configuration directory (default: banward\'s bundled config;\n--config /etc/fail2ban reads fail2ban\'s)',
  },
  now: { type: 'string', valueName: 'EPOCH|ISO', description: 'the "now" used to complete dates without a year (default: the current time)' },
  timezone: { type: 'string', valueName: 'ZONE', description: 'zone of log times without one: UTC, +0200, Europe/Zurich (default: local)' },
  datepattern: { type: 'string', valueName: 'PAT', description: 'override the filter\'s datepattern ({NONE} for lines without a date)' },
  maxlines: { type: 'string', valueName: 'N', description: 'override the filter\'s maxlines' },
  usedns: { type: 'string', values: USEDNS_WORDS, description: 'host names in logs: resolved (warn: with a warning), ignored (no) or kept as written (raw);\ndefault: the filter\'s usedns, else warn' },
  json: { type: 'boolean', description: 'JSON Lines: one object per tested line, then {"summary": …}' },
  'print-all-matched': { type: 'boolean', description: 'print every matched line' },
  'print-all-missed': { type: 'boolean', description: 'print every missed line' },
  'print-all-ignored': { type: 'boolean', description: 'print every ignored line' },
} as const;

export type RegexOptions = typeof REGEX_OPTIONS;

export const REGEX_COMMAND = defineCommand({
  name: 'regex',
  summary: 'test a filter against a log (like fail2ban-regex)',
  description: 'Tests a filter against a log, as fail2ban-regex does.',
  args: [
    { name: 'LOG', description: 'a log file, or a single log line' },
    {
      name: 'FILTER',
      description: 'a filter name from the config\'s filter.d (with options: \'sshd[mode=aggressive]\'),\na path to a filter file, or a regex',
    },
    { name: 'IGNOREREGEX', optional: true, description: 'a filter name or file (its ignoreregex is used), or a regex' },
  ],
  options: REGEX_OPTIONS,
  run: async (context) => (await import('./_regex-run.js')).runRegex(context),
});
