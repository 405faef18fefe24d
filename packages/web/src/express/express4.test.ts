import { test } from 'node:test';
import express4 from 'express4';
import { expressLoginScenario } from '../../test/express-scenario.js';

test('Express 4: req.banward.fail() locks the client behind a trusted proxy, not the spoofed address', () =>
  expressLoginScenario(express4));
