import type { WriteStream } from 'node:tty';
import { sendRequest, watchDaemon, type DaemonWatch, type JailStatus } from '../control/index.js';
import { DEFAULT_SOCKET } from './_paths.js';
import { jsonLine } from './_terminal-text.js';
import { addEvent, countersOf, countersTable, eventLine, renderScreen, screenFrame, type JailCounters, type TopState } from './_top-screen.js';

const POLL_MS = 1000;
// The alternate screen with the cursor hidden, and back.
const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';
const QUIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function pollCounters(socket: string): Promise<JailCounters[]> {
  const { jails } = (await sendRequest(socket, 'status')) as { jails: string[] };
  return Promise.all(jails.map(async (jail) => countersOf((await sendRequest(socket, 'status', [jail])) as JailStatus)));
}

/** Resolves 0 when the user quits (a signal, or q / Ctrl-C on `keys`); rejects when the daemon ends the stream. */
function untilQuit(watch: DaemonWatch, keys?: NodeJS.ReadStream): Promise<number> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      for (const signal of QUIT_SIGNALS) process.off(signal, quit);
      keys?.off('data', onKey);
    };
    const quit = () => {
      cleanup();
      watch.close();
      resolve(0);
    };
    const onKey = (data: Buffer) => {
      if (data.includes('q') || data.includes(0x03)) quit();
    };
    for (const signal of QUIT_SIGNALS) process.once(signal, quit);
    keys?.on('data', onKey);
    // watchDaemon ends a stream only with a BanwardError.
    watch.ended.catch((error: Error) => {
      cleanup();
      reject(error);
    });
  });
}

/** Off a terminal: one line per event (JSON, or plain text), until a signal or the daemon's end. */
async function streamLines(socket: string, out: NodeJS.WritableStream, format: (event: unknown) => string | undefined): Promise<number> {
  const watch = await watchDaemon(socket, (event) => {
    const line = format(event);
    if (line !== undefined) out.write(line);
  });
  return untilQuit(watch);
}

/** On a terminal: the alternate screen redrawn each second with the counters polled and the events streamed. */
async function fullScreen(socket: string, tty: WriteStream): Promise<number> {
  const state: TopState = { jails: [], feed: [] };
  const watch = await watchDaemon(socket, (event) => addEvent(state, event));
  const draw = () => tty.write(screenFrame(renderScreen(state, { columns: tty.columns || 80, rows: tty.rows || 24 }, Date.now() / 1000)));
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      state.jails = await pollCounters(socket);
      delete state.problem;
    } catch (error) {
      state.problem = `status failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      polling = false;
    }
    draw();
  };
  const keys = process.stdin.isTTY ? process.stdin : undefined;
  keys?.setRawMode(true);
  keys?.resume();
  tty.write(ENTER_SCREEN);
  tty.on('resize', draw);
  const timer = setInterval(() => void poll(), POLL_MS);
  void poll();
  try {
    return await untilQuit(watch, keys);
  } finally {
    clearInterval(timer);
    tty.off('resize', draw);
    tty.write(LEAVE_SCREEN);
    keys?.setRawMode(false);
    keys?.pause();
  }
}

const isTerminal = (out: NodeJS.WritableStream): out is WriteStream => (out as Partial<WriteStream>).isTTY === true;

/** What `banward top` does once its words are checked (loaded only when it runs). */
export async function runTop(values: { socket?: string; json?: boolean; once?: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const socket = values.socket ?? DEFAULT_SOCKET;
  if (values.once) {
    const jails = await pollCounters(socket);
    out.write(values.json ? jsonLine({ jails }) : `${countersTable(jails).join('\n')}\n`);
    return 0;
  }
  if (values.json) return streamLines(socket, out, jsonLine);
  if (!isTerminal(out)) return streamLines(socket, out, eventLine);
  return fullScreen(socket, out);
}
