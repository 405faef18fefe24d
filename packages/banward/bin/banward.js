#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Before any regex is compiled: a regex that backtracks too much reruns on V8's linear-time engine
// (patterns without lookarounds, backreferences, the u or i flag); the worker watchdog bounds the rest.
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
setFlagsFromString('--regexp-backtracks-before-fallback=10000');

const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
