import { test } from 'node:test';
import express from 'express';
import { expressLoginScenario } from '../../test/express-scenario.js';

test('Express 5: req.banward.fail() locks the client behind a trusted proxy, not the spoofed address', () =>
  expressLoginScenario(express));
