/**
 * Debian's chromium driven by playwright-core (never `playwright install`: no downloaded browsers), on a
 * fresh profile, with every console error, page error, dialog and CSP violation collected as a problem.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

// Runs before the page's own scripts; the binding reaches the test through the DevTools protocol, not the page's CSP.
const REPORT_CSP = `document.addEventListener('securitypolicyviolation', (e) =>
  window.__banwardCspViolation(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));`;

export interface BrowserUnderTest {
  context: BrowserContext;
  /** Console errors, uncaught page errors, dialogs (an alert() would be an injection) and CSP violations. */
  problems: string[];
  open(url: string): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<BrowserUnderTest> {
  const profile = mkdtempSync(join(tmpdir(), 'banward-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 },
  });
  const problems: string[] = [];
  await context.exposeBinding('__banwardCspViolation', (_source, text: string) => { problems.push(`CSP: ${text}`); });
  await context.addInitScript({ content: REPORT_CSP });
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
      void dialog.dismiss();
    });
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return {
    context,
    problems,
    async open(url) {
      const page = context.pages()[0] ?? await context.newPage();
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Pastes `token` on the login screen and waits for the overview. */
export async function logIn(page: Page, token: string): Promise<void> {
  await page.getByTestId('login-token').fill(token);
  await page.getByTestId('login-button').click();
  await page.getByTestId('role').waitFor();
}
