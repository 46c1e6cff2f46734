// Drives lwf serve's dashboard in the system's headless Chromium, as a
// person would: logs in, reads a sequence's funnel, opens a lead's
// timeline, pauses and resumes the sequence, and saves screenshots.
// serve/browser_test.go starts the server and passes, in LWF_DASHBOARD,
// what the store holds; this script fails (exit 1) on any difference.
import { chromium } from 'playwright-core';
import path from 'node:path';

const cfg = JSON.parse(process.env.LWF_DASHBOARD);
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

const browser = await chromium.launch({
  executablePath: cfg.chromium,
  args: ['--headless', '--no-sandbox'],
});
const result = { screenshots: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  page.on('pageerror', (e) => failures.push('page error: ' + e.message));
  const shot = async (name) => {
    const file = path.join(cfg.out, `serve-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    result.screenshots.push(file);
  };

  // The token is asked for first.
  await page.goto(cfg.base);
  check(new URL(page.url()).pathname === '/login', 'the dashboard did not ask for the token: ' + page.url());
  await page.getByLabel(/Token/).fill(cfg.token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(cfg.base);
  check((await page.title()) === 'Overview · lwf', 'overview title: ' + (await page.title()));
  check((await page.locator('html').getAttribute('lang')) === 'en', 'no lang');

  // The keyboard: the first Tab reaches the skip link, which is seen.
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.textContent);
  check(focused === 'Skip to the content', 'the first Tab focuses ' + focused);
  await shot('overview');

  // The sequence's funnel, against the store.
  await page.getByRole('heading', { level: 2, name: cfg.sequence }).getByRole('link').click();
  await page.waitForURL(/\/sequences\//);
  check(await page.getByRole('heading', { level: 1, name: 'Sequence ' + cfg.sequence }).isVisible(), 'no sequence heading');
  for (const step of cfg.steps) {
    const row = page.locator(`#funnel-table tr[data-step="${step.id}"]`);
    for (const col of ['entered', 'done', 'here']) {
      const text = (await row.locator(`td[data-col="${col}"]`).textContent()).trim();
      check(text === String(step[col]), `step ${step.id} ${col}: the page shows ${text}, the store ${step[col]}`);
    }
  }
  const chart = page.getByRole('img', { name: 'Funnel of ' + cfg.sequence });
  check(await chart.isVisible(), 'no funnel chart named for screen readers');
  for (const [status, n] of Object.entries(cfg.status)) {
    const cell = (await page.locator(`#status-table td[data-status="${status}"]`).textContent()).trim();
    check(cell === String(n), `${status}: the page shows ${cell}, the store ${n}`);
  }
  await shot('sequence');

  // Its leads, filtered by status, then one lead's timeline.
  await page.getByRole('link', { name: 'The leads of ' + cfg.sequence }).click();
  await page.getByLabel('Status').selectOption(cfg.filter.status);
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/status=/);
  const rows = await page.locator('#leads tbody tr').count();
  check(rows === Math.min(cfg.filter.count, 50), `${rows} ${cfg.filter.status} leads on the page, the store has ${cfg.filter.count}`);
  check(await page.evaluate(() => window.__xss === undefined), 'a lead\'s data ran as script');
  await shot('leads');
  await page.getByRole('link', { name: cfg.lead.person, exact: true }).click();
  await page.waitForURL(/\/lead\?/);
  const items = await page.locator('#timeline li').count();
  check(items === cfg.lead.events, `the timeline shows ${items} events, the store has ${cfg.lead.events}`);
  check((await page.locator('#timeline').textContent()).includes('entered'), 'the timeline has no entered event');
  await shot('lead');

  // Pause and resume the sequence.
  await page.goto(cfg.base + 'sequences/' + encodeURIComponent(cfg.sequence));
  await page.getByRole('button', { name: 'Pause ' + cfg.sequence }).click();
  await page.waitForURL(/done=paused/);
  result.paused = await page.getByRole('button', { name: 'Resume ' + cfg.sequence }).isVisible();
  check(result.paused, 'after Pause there is no Resume button');
  check((await page.getByRole('status').textContent()).startsWith('Paused.'), 'no confirmation of the pause');
  await page.getByRole('button', { name: 'Resume ' + cfg.sequence }).click();
  await page.waitForURL(/done=resumed/);
  result.resumed = await page.getByRole('button', { name: 'Pause ' + cfg.sequence }).isVisible();
  check(result.resumed, 'after Resume there is no Pause button');

  await page.getByRole('link', { name: 'Accounts' }).click();
  await page.waitForURL(/\/accounts/);
  await shot('accounts');
  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  await page.locator('#main table tbody tr th a').first().click();
  await page.waitForURL(/\/runs\/r-/);
  await shot('run');
} finally {
  await browser.close();
}
result.failures = failures;
console.log(JSON.stringify(result));
process.exit(failures.length ? 1 : 0);
