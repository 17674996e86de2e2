// Keyboard only: a finance person signs in, finds the reconciliation page
// and records a remittance without a mouse, and the confirmation takes the
// focus so a screen reader reads it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { demoDatabase, startServer, launchChromium } from './lib.mjs';

let demo, srv, browser;

before(async () => {
  demo = demoDatabase();
  srv = await startServer(demo.db);
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await srv?.stop(); });

// Press Tab until focused(el) holds for the focused element.
async function tabTo(page, focused, arg, what) {
  for (let i = 0; i < 120; i++) {
    if (await page.evaluate(focused, arg)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${what}`);
}

const field = ([form, name]) => {
  const el = document.activeElement;
  return !!el && el.name === name && !!el.closest(form);
};

test('a remittance is recorded with the keyboard alone, from sign-in to confirmation', async () => {
  const user = demo.users.finance;
  const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  await page.goto(`${srv.url}/login`);
  await tabTo(page, field, ['form', 'email'], 'the e-mail box');
  await page.keyboard.type(user.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(user.password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.ok(!page.url().includes('/login'), 'signed in');

  await tabTo(page, () => document.activeElement?.textContent?.trim() === 'Reconciliation',
    null, 'the Reconciliation link');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(page.url(), /\/reconciliation$/);

  await tabTo(page, field, ['#remit', 'contract'], 'the contract chooser');
  for (let i = 0; i < 6 && await page.evaluate(() => document.activeElement.value) !== 'KS-FURN-2025'; i++)
    await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.value), 'KS-FURN-2025');
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(field, ['#remit', 'period']), 'Tab goes on to the quarter');
  await page.keyboard.type('2026-Q2');
  await page.keyboard.press('Tab');
  await page.keyboard.type('125.00');
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(field, ['#remit', 'received']), 'then the date received');
  await page.keyboard.type('11242026');
  assert.equal(await page.evaluate(() => document.activeElement.value), '2026-11-24');
  // the date box's own parts take Tab presses of their own before it is left
  await tabTo(page, field, ['#remit', 'reference'], 'the reference box');
  await page.keyboard.type('KEY-771');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

  const focus = await page.evaluate(() => ({ id: document.activeElement?.id,
    role: document.activeElement?.getAttribute('role'), text: document.activeElement?.textContent }));
  assert.equal(focus.id, 'notice', 'the confirmation has the focus');
  assert.equal(focus.role, 'status');
  assert.match(focus.text, /Done:/);
  const row = execFileSync('sqlite3', [demo.db,
    "SELECT amount || ' ' || received || ' ' || quarter FROM live_remittance WHERE reference = 'KEY-771'"],
  { encoding: 'utf8' }).trim();
  assert.equal(row, '12500 2026-11-24 2026-Q2');
  await page.close();
});
