// A buyer at an agency that is not yet a member, from the first search to
// the paperwork, as one continuous story on the demo database (as of
// 2026-11-25): with no account she searches the catalog for "chair", opens
// the contract, downloads its public award letter and asks to join; more
// requests from the same address go through until the sixth in the hour,
// which is refused; an admin approves hers from the queue; the e-mailed
// invitation (a real SMTP server) sets her password; she signs in, sees the
// contract on her agency's page and downloads its due-diligence packet,
// whose text (pdftotext) names the contract, her agency's eligibility and
// its purchases to date.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { root, cli, browserWorld } from './lib.mjs';

const CHAIR = 'KS-CHAIR-2026';
const AWARD = join(root, 'tests', 'data', 'documents', 'award.pdf');
const BUYER = { agency: 'Salina USD 305', name: 'Pat Buyer', email: 'pat.buyer@usd305.ks.example',
  password: 'a long buyer secret 305', code: 'USD305' };

// A contract whose words hold "Chairs"; the demo's two contracts in force
// have none, so "chair" finds this one alone.
const terms = {
  number: CHAIR, title: 'Student Chairs and Stacking Seating', category: 'seating',
  lead_agency: 'USD259', vendor: 'V-SUNFLOWER', start: '2026-01-01', end: '2027-12-31',
  solicitation: 'IFB 26-0012', renewals: { options: 2, years: 1 },
  fee: { year: 'contract', mode: 'graduated', bands: [{ from: '0', rate: '1%' }] },
  discounts: { tiers: [{ from: '5000', rate: '10%' }, { from: '25000.01', rate: '12.5%' }] },
};

// Her agency's purchases once it has joined (from 2026-11-02), one order
// of two lines in 2026-Q4:
//   list 2,000.00 + 4,000.00 = 6,000.00, over 5,000.00: 10% off
//   invoiced 1,800.00 + 3,600.00 = 5,400.00; 2 lines; total 5,400.00
const SALES = 'agency_code,po_number,invoice_number,line,invoice_date,list_amount,invoiced_amount\n' +
  `${BUYER.code},PO-305-1,INV-305-1,1,2026-11-20,2000.00,1800.00\n` +
  `${BUYER.code},PO-305-1,INV-305-1,2,2026-11-20,4000.00,3600.00\n`;

let demo, srv, smtp, browser, world;

before(async () => {
  ({ demo, smtp, srv, browser } = world = await browserWorld((demo) => {
    const f = join(demo.dir, 'chair.json');
    writeFileSync(f, JSON.stringify(terms));
    cli(demo.db, 'contract', 'import', f);
    cli(demo.db, 'document', 'add', '--contract', CHAIR, '--kind', 'award', '--title', 'Award letter',
      '--public', AWARD);
  }));
});

after(() => world?.stop());

const text = async (page, sel) => (await page.textContent(sel)).replace(/\s+/g, ' ').trim();
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

test('a buyer finds the contract, asks to join, is approved, signs in and files the packet', async (t) => {
  let failed = '';
  const step = (name, fn) => t.test(name, { skip: failed ? `needs the failed step "${failed}"` : false }, async () => {
    try { await fn(); } catch (e) { failed = name; throw e; }
  });
  const buyer = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  buyer.errors = [];
  buyer.on('pageerror', (e) => buyer.errors.push(String(e)));

  await step('with no account she searches "chair" and opens the one contract found', async () => {
    await buyer.goto(`${srv.url}/`);
    await buyer.click('header >> text=Catalog');
    await buyer.fill('#catalog-q', 'chair');
    await buyer.click('form.catalog-search button[type=submit]');
    await buyer.waitForLoadState('load');
    const found = await buyer.$$eval('#catalog tr[data-contract]', (rs) => rs.map((r) => r.dataset.contract));
    assert.deepEqual(found, [CHAIR]);
    await buyer.click(`#catalog a:text("${CHAIR}")`);
    await buyer.waitForSelector('#discounts');
    assert.equal(await text(buyer, '#c-solicitation'), 'IFB 26-0012');
    assert.equal(await text(buyer, '#c-term'), '2026-01-01 to 2027-12-31');
    // nothing below 5,000.00; 10% from 5,000.00 to 25,000.00; 12.5% from 25,000.01
    assert.deepEqual(await buyer.$$eval('#discounts li', (ls) => ls.map((l) => l.textContent)), [
      'No discount on orders under $5,000.00 of list',
      '10% off list on orders from $5,000.00 to $25,000.00 of list',
      '12.5% off list on orders over $25,000.00 of list']);
  });

  await step('she downloads the public award letter, byte for byte', async () => {
    const href = await buyer.getAttribute('#public-documents a', 'href');
    assert.match(await text(buyer, '#public-documents'), /Award letter \(award, PDF, 729 bytes\)/);
    const res = await fetch(srv.url + href);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(sha256(Buffer.from(await res.arrayBuffer())), sha256(readFileSync(AWARD)));
  });

  await step('she asks to join and is thanked', async () => {
    await buyer.click(`a:text("Ask to join ${CHAIR}")`);
    await buyer.fill('#f-agency_name', BUYER.agency);
    await buyer.selectOption('#f-kind', 'school_district');
    await buyer.fill('#f-state', 'KS');
    await buyer.fill('#f-agency_code', BUYER.code); // the district is on file already
    await buyer.fill('#f-contact_name', BUYER.name);
    await buyer.fill('#f-email', BUYER.email);
    await buyer.check('input[name=public_entity]');
    await buyer.click('#join-form button[type=submit]');
    await buyer.waitForSelector('.notice');
    assert.match(await text(buyer, 'h1'), /Thank you/);
    assert.deepEqual(buyer.errors, []);
  });

  await step('four more requests from her address go through; the sixth in the hour is refused', async () => {
    const send = (i) => fetch(`${srv.url}/api/v1/catalog/${CHAIR}/join-requests`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agency_name: `Colleague agency ${i}`, kind: 'city', state: 'KS',
        contact_name: 'A Colleague', email: `colleague${i}@city.ks.example`, public_entity: true }) });
    for (const i of [2, 3, 4, 5])
      assert.equal((await send(i)).status, 202, `request ${i}`);
    const sixth = await send(6);
    assert.equal(sixth.status, 429);
    assert.ok(Number(sixth.headers.get('retry-after')) > 0);
    const pending = JSON.parse(cli(demo.db, 'join', 'list', '--json')).requests;
    assert.equal(pending.length, 5);
  });

  await step('an admin approves her request from the queue', async () => {
    const admin = await (await browser.newContext()).newPage();
    await admin.goto(`${srv.url}/login`);
    await admin.fill('input[name=email]', demo.users.admin.email);
    await admin.fill('input[name=password]', demo.users.admin.password);
    await admin.click('button[type=submit]');
    await admin.waitForLoadState('load');
    await admin.click('nav >> text=Join requests');
    const id = JSON.parse(cli(demo.db, 'join', 'list', '--json')).requests.find((q) => q.email === BUYER.email).id;
    const approve = admin.locator(`form[action="/join-requests/${id}/approve"]`);
    await approve.locator('input[name=joined]').fill('2026-11-02');
    await approve.locator('input[name=agency_code]').fill(BUYER.code);
    await approve.locator('button[type=submit]').click();
    await admin.waitForSelector('.notice');
    assert.match(await admin.textContent('.notice'), new RegExp(`join request ${id} approved`));
    await admin.context().close();
    // her agency's first order, reported by the vendor
    const f = join(demo.dir, 'q4.csv');
    writeFileSync(f, SALES);
    cli(demo.db, 'import', '--contract', CHAIR, '--period', '2026-Q4', f);
  });

  await step('the invitation sets her password; she sees the contract and downloads its packet', async () => {
    const mails = (await smtp.deliver(demo.db, srv.url)).filter((m) => m.to.value[0].address === BUYER.email);
    assert.equal(mails.length, 2);
    assert.ok(mails.some((m) => m.subject === `Your request to join contract ${CHAIR} is approved`));
    const invite = mails.find((m) => /password/i.test(m.subject));
    await buyer.goto(invite.text.match(/http:\S+\/password\?token=[\w-]+/)[0]);
    await buyer.fill('#set-password input[name=password]', BUYER.password);
    await buyer.fill('#set-password input[name=confirm]', BUYER.password);
    await buyer.click('#set-password button[type=submit]');
    await buyer.waitForSelector('.notice');
    await buyer.fill('input[name=email]', BUYER.email);
    await buyer.fill('input[name=password]', BUYER.password);
    await buyer.click('button[type=submit]');
    await buyer.waitForLoadState('load');
    assert.match(await text(buyer, '.who'), new RegExp(`\\(member, ${BUYER.code}\\)`));
    assert.ok((await text(buyer, 'main')).includes(CHAIR));
    const href = `/agencies/${BUYER.code}/contracts/${CHAIR}/packet.pdf`;
    assert.equal(await buyer.locator(`a[href="${href}"]`).count(), 1);
    const res = await buyer.request.get(srv.url + href);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    const pdf = join(demo.dir, 'packet.pdf');
    writeFileSync(pdf, await res.body());
    execFileSync('qpdf', ['--check', pdf]);
    const words = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/[ \t]+/g, ' ');
    assert.match(words, /Due-diligence packet/);
    assert.match(words, new RegExp(`Contract ${CHAIR}`));
    assert.match(words, /IFB 26-0012/);
    assert.match(words, new RegExp(`${BUYER.agency} \\(${BUYER.code}\\)`));
    assert.match(words, /2026-11-02/); // joined
    assert.match(words, /2026-Q4 2 \$5,400\.00/);
    assert.match(words, /Total 2 \$5,400\.00/);
    assert.deepEqual(buyer.errors, []);
  });
  await buyer.context().close();
});
