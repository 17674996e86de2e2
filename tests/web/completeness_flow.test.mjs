// The completeness audit as the people who use it go through it, in one
// browser on the demo database (as of 2026-11-25): a member (USD 233) sends
// its purchase register from the page "Send us your purchase orders for
// this contract"; finance staff see the gap on the Completeness page and
// ask the vendor about 2026-Q2; the notice reaches a real SMTP server with
// the POs as a CSV attachment; the vendor sees the inquiry on its portal and
// sends a supplemental sales report for 2026-Q2; the gap closes and the
// quarter's fee rises by the fee on the missing order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { token, browserWorld } from './lib.mjs';

const C = 'KS-FURN-2025';

// USD 233's register, as its finance system exports it (headers "PO #",
// "PO Date", "Total"):
//   PO-USD233-13932  2026-04-10  1,494.00  the vendor reported one line of
//                    1,494.00 (no freight) on 2026-04-17: reported
//   PO-USD233-13934  2026-03-30  2,214.00  reported 2,160.00 + 54.00
//                    freight = 2,214.00: reported
//   PO-USD233-7781   2026-05-12  4,321.00  nothing reported; pending until
//                    the due date of 2026-Q3 (2026-09-30 + 45 days =
//                    2026-11-14), so on 2026-11-25 it is unreported
// 2026-Q1: 1 PO, 2,214.00, reported.  2026-Q2: 2 POs, 1,494.00 + 4,321.00
// = 5,815.00, one reported and one unreported, gap 4,321.00.
// Fee at risk: contract year 1 (2025-07-01 to 2026-06-30) has reached
// about 4.2 million by 2026-05-12, inside the first band (2% below
// 30,000,000), so 4,321.00 x 2% = 86.42.
const REGISTER = 'PO #,PO Date,Total,Description\r\n' +
  'PO-USD233-13932,04/10/2026,1494.00,Teacher desk\r\n' +
  'PO-USD233-13934,03/30/2026,"2,214.00",Student chairs\r\n' +
  'PO-USD233-7781,05/12/2026,4321.00,Library tables\r\n';

// The vendor's supplemental report for 2026-Q2: the missing order, at list
// 10,802.50 less the 60% discount of an order under 30,000.00:
// 10,802.50 x 40% = 4,321.00 (so no overcharge either).
const SUPPLEMENT = 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n' +
  'USD233,PO-USD233-7781,INV-SUPP-7781,2026-05-20,10802.50,4321.00\n';

// The 2026-Q2 fee before and after.  The fee is 2% of the contract year's
// sales, each cumulative figure rounded to the cent:
//   through 2026-Q1: 1,156,405.33 + 1,424,467.27 + 1,647,637.13 = 4,228,509.73
//     F = 84,570.1946 -> 84,570.19
//   through 2026-Q2: 4,228,509.73 + 1,842,232.53 = 6,070,742.26
//     F = 121,414.8452 -> 121,414.85;  fee = 121,414.85 - 84,570.19 = 36,844.66
//   with the supplement: 6,070,742.26 + 4,321.00 = 6,075,063.26
//     F = 121,501.2652 -> 121,501.27;  fee = 121,501.27 - 84,570.19 = 36,931.08
// The fee rises by 86.42, the fee at risk the audit estimated.
const FEE_BEFORE = '36844.66';
const FEE_AFTER = '36931.08';

let demo, srv, smtp, browser, world;

before(async () => {
  ({ demo, smtp, srv, browser } = world = await browserWorld((demo) => {
    writeFileSync(join(demo.dir, 'usd233-register.csv'), REGISTER);
    writeFileSync(join(demo.dir, 'q2-supplement.csv'), SUPPLEMENT);
  }));
});

after(() => world?.stop());

// Deliver the outbox to the SMTP server, links under the server's address.
const deliver = () => smtp.deliver(demo.db, srv.url);

async function signIn(context, user) {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('dialog', (d) => d.accept());
  await page.goto(`${srv.url}/login`);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  return page;
}

const text = async (page, sel) => (await page.textContent(sel)).replace(/\s+/g, ' ').trim();
const cells = (page, sel) => page.$$eval(`${sel} td`, (tds) => tds.map((td) => td.textContent.trim()));

test('a member\'s register finds an unreported order; the inquiry brings the supplemental report and the fee', async (t) => {
  const staffToken = await token(srv.url, demo.users.finance);
  const api = async (path) => {
    const res = await fetch(`${srv.url}/api/v1${path}`, { headers: { authorization: `Bearer ${staffToken}` } });
    assert.equal(res.status, 200, path);
    return res.json();
  };
  const q2Fee = async () => (await api(`/contracts/${C}/fees?period=2026-Q2`)).quarters[0];
  let failed = '';
  const step = (name, fn) => t.test(name, { skip: failed ? `needs the failed step "${failed}"` : false }, async () => {
    try { await fn(); } catch (e) { failed = name; throw e; }
  });
  const feeBefore = await q2Fee();
  assert.equal(feeBefore.fee, FEE_BEFORE);

  await step('the member sends its purchase register and sees its orders counted', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await signIn(context, demo.users.member);
    await page.click(`a[href="/contracts/${C}/registers"]`);
    assert.equal(await text(page, 'h1'), 'Send us your purchase orders for this contract');
    await page.setInputFiles('#register-upload input[name=file]', join(demo.dir, 'usd233-register.csv'));
    await page.click('#register-upload button[type=submit]');
    await page.waitForLoadState('load');
    const body = await text(page, 'main');
    assert.doesNotMatch(body, /Error:/);
    assert.match(body, /\$8,029\.00/); // 1,494.00 + 2,214.00 + 4,321.00
    await page.goto(`${srv.url}/contracts/${C}/registers`);
    const pos = await text(page, 'main');
    assert.match(pos, /PO-USD233-7781/);
    assert.match(pos, /not reported/);
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  await step('finance staff see the gap and the fee at risk on the Completeness page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context, demo.users.finance);
    await page.goto(`${srv.url}/contracts/${C}`);
    await page.click(`a[href="/contracts/${C}/completeness"]`);
    // POs, register, reported, under, over, unreported, pending, gap, fee at risk
    assert.deepEqual(await cells(page, '#completeness-quarters tr[data-quarter="2026-Q2"]'),
      ['2', '$5,815.00', '1', '0', '0', '1', '0', '$4,321.00', '$86.42']);
    assert.deepEqual(await cells(page, '#completeness-quarters tr[data-quarter="2026-Q1"]'),
      ['1', '$2,214.00', '1', '0', '0', '0', '0', '$0.00', '$0.00']);
    const list = await text(page, '#completeness-pos');
    assert.match(list, /PO-USD233-7781/);
    assert.match(list, /2026-05-12/);
    assert.doesNotMatch(list, /PO-USD233-13932/);
    assert.match(await page.innerHTML('main'), /<svg/);

    await page.selectOption('#inquiry select[name=period]', '2026-Q2');
    await page.click('#inquiry button[type=submit]');
    await page.waitForLoadState('load');
    assert.match(await text(page, '#notice'), /1 purchase order dated 2026-Q2 or earlier: \$4,321\.00/);
    // The same quarter's inquiry is not sent twice the same day.
    await page.selectOption('#inquiry select[name=period]', '2026-Q2');
    await page.click('#inquiry button[type=submit]');
    await page.waitForLoadState('load');
    assert.match(await text(page, '#form-error'), /already/);
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  await step('the vendor\'s contact receives the inquiry with the CSV of the POs', async () => {
    const mails = (await deliver()).filter((m) => /inquiry|purchase orders/i.test(m.subject));
    assert.equal(mails.length, 1);
    const [m] = mails;
    assert.equal(m.to.value[0].address, 'reports@prairie-furniture.example');
    assert.match(m.subject, /KS-FURN-2025/);
    assert.match(m.text, /PO-USD233-7781/);
    const csv = m.attachments.find((a) => a.filename === `inquiry-${C}-2026-Q2.csv`);
    assert.ok(csv, `attachments: ${m.attachments.map((a) => a.filename)}`);
    const rows = csv.content.toString('utf8').trim().split(/\r?\n/);
    assert.equal(rows.length, 2);
    assert.match(rows[1], /^USD233,.*,PO-USD233-7781,2026-05-12,4321\.00,0\.00,unreported,4321\.00,86\.42$/);
  });

  await step('the vendor sees the inquiry and sends a supplemental report for 2026-Q2', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context, demo.users.vendor);
    // Sent, quarter, purchase orders, amount missing, list
    assert.deepEqual((await cells(page, 'table.inquiries tr[data-inquiry]')).slice(0, 4),
      ['2026-11-25', '2026-Q2 and earlier', '1', '$4,321.00']);
    await page.goto(`${srv.url}/imports?contract=${C}`);
    await page.fill('input[name=period]', '2026-Q2');
    await page.setInputFiles('input[name=file]', join(demo.dir, 'q2-supplement.csv'));
    await page.click('button[value=check]');
    await page.waitForSelector('#outcome');
    assert.match(await page.textContent('#outcome'), /Checked/);
    await page.click('button[value=import]');
    await page.waitForSelector('#outcome');
    assert.match(await page.textContent('#outcome'), /Imported as batch \d+/);
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  await step('the gap closes and the 2026-Q2 fee rises by 86.42', async () => {
    const audit = await api(`/contracts/${C}/completeness?period=2026-Q2`);
    const q2 = audit.quarters.find((q) => q.quarter === '2026-Q2');
    assert.equal(q2.reported, 2);
    assert.equal(q2.unreported, 0);
    assert.equal(q2.gap, '0.00');
    assert.equal(q2.fee_at_risk, '0.00');
    const po = audit.pos.find((p) => p.po_number === 'PO-USD233-7781');
    assert.equal(po.status, 'reported');
    assert.equal(po.reported_amount, '4321.00');
    const after = await q2Fee();
    assert.equal(after.fee, FEE_AFTER);
    assert.equal(after.net_sales, '1846553.53'); // 1,842,232.53 + 4,321.00
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context, demo.users.finance);
    await page.goto(`${srv.url}/contracts/${C}/completeness`);
    assert.deepEqual(await cells(page, '#completeness-quarters tr[data-quarter="2026-Q2"]'),
      ['2', '$5,815.00', '2', '0', '0', '0', '0', '$0.00', '$0.00']);
    await page.goto(`${srv.url}/contracts/${C}`);
    assert.deepEqual((await cells(page, 'table.fees tr[data-quarter="2026-Q2"]')).slice(0, 3),
      ['2026-Q2', '$1,846,553.53', '$36,931.08']);
    await context.close();
  });
});
