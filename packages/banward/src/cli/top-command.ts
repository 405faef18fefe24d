import { defineCommand } from './_command.js';
import { DEFAULT_SOCKET } from './_paths.js';

export const TOP_COMMAND = defineCommand({
  name: 'top',
  summary: 'a live view of the jails\' counters and events',
  description: 'A live view of the daemon: per jail the addresses failing now, banned now, banned in total and\n'
    + 'whether its bans are enforced, and under it the newest events (found, ban, unban, action errors).\n'
    + 'On a terminal it fills the screen and redraws each second; off a terminal, or with --json, it\n'
    + 'prints one line per event until stopped.',
  client: true,
  options: {
    socket: { type: 'string', valueName: 'PATH', description: `the daemon's admin control socket (default ${DEFAULT_SOCKET})` },
    json: { type: 'boolean', description: 'one JSON line per event (docs/protocol.md, watch), for scripts' },
    once: { type: 'boolean', description: 'print the counters once and exit (with --json as one JSON line)' },
  },
  notes: 'q or Ctrl-C leaves the full-screen view; SIGINT, SIGTERM or SIGHUP stop any mode (exit 0).\n'
    + 'Text from logs and apps is printed with its control characters escaped (\\x1b).\n',
  async run({ values, out }) {
    const { runTop } = await import('./_top-run.js');
    return runTop(values, out);
  },
});
