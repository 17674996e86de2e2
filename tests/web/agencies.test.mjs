// Agencies and participants from the browser: an admin adds an agency (two
// mistakes shown beside their fields, the typed values kept), a contact that
// receives notices, many agencies from a CSV file (one bad row and none is
// added, the row and line named), and enrolls three districts in a
// contract; finance sees the same pages without a form and is refused
// every change, on the pages and through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoDatabase, startServer, cliJson, session, token, launchChromium } from './lib.mjs';

const C = 'KS-FURN-2025';
let demo, srv, browser;

before(async () => {
  demo = demoDatabase();
  srv = await startServer(demo.db);
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await srv?.stop(); });

const codes = () => cliJson(demo.db, 'agency', 'list').map((a) => a.code);
const text = async (page, sel) => (await page.textContent(sel)).replace(/\s+/g, ' ').trim();
// The cells of a table row, as text.
const cells = (page, sel) => page.$$eval(`${sel} td`, (tds) => tds.map((td) => td.textContent.trim()));

test('admin: an agency from the form, a contact, a CSV upload, three districts enrolled', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${srv.url}/login`);
  await page.getByLabel('E-mail').fill(demo.users.admin.email);
  await page.getByLabel('Password').fill(demo.users.admin.password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');

  // two mistakes: a space in the code, the state's name for its code
  await page.goto(`${srv.url}/agencies`);
  const form = page.locator('#add-agency');
  assert.equal(await form.locator('select[name=kind]').inputValue(), '', 'no kind is chosen at first');
  await form.getByLabel(/^Code/).fill('USD 901');
  await form.getByLabel(/^Name/).fill('Prairie Hills USD 901');
  await form.locator('select[name=kind]').selectOption('school_district');
  await form.getByLabel(/^State/).fill('Kansas');
  await form.getByLabel(/^Address/).fill('1 School St, Sabetha KS');
  await form.locator('button[type=submit]').click();
  await page.waitForLoadState('load');
  assert.match(await text(page, '#form-error'), /Agency not added\. Fix these fields: Code, State\./);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'form-error', 'the refusal has the focus');
  assert.match(await text(page, '#agency-code-error'), /code "USD 901": use 1 to 32 letters/);
  assert.match(await text(page, '#agency-state-error'), /state "Kansas" must be a two-letter code such as KS/);
  assert.equal(await form.getByLabel(/^Code/).getAttribute('aria-invalid'), 'true');
  assert.equal(await form.getByLabel(/^State/).getAttribute('aria-describedby'), 'agency-state-error');
  assert.equal(await page.locator('#agency-name-error').count(), 0, 'a right field has no message');
  assert.equal(await form.getByLabel(/^Name/).inputValue(), 'Prairie Hills USD 901');
  assert.equal(await form.locator('select[name=kind]').inputValue(), 'school_district');
  assert.equal(await form.getByLabel(/^Address/).inputValue(), '1 School St, Sabetha KS');
  assert.ok(!codes().includes('USD 901') && !codes().includes('USD901'), 'nothing written');

  await form.getByLabel(/^Code/).fill('USD901');
  await form.getByLabel(/^State/).fill('KS');
  await form.locator('button[type=submit]').click();
  await page.waitForLoadState('load');
  assert.match(await text(page, '#notice'), /Added agency USD901, Prairie Hills USD 901\./);

  // a contact that receives notices, on the agency's page
  await page.goto(`${srv.url}/agencies/USD901`);
  assert.match(await text(page, '#agency-record'), /Address\s*1 School St, Sabetha KS/);
  const add = page.locator('#add-contact');
  await add.getByLabel(/^Name/).fill('Dana Purchasing');
  await add.getByLabel(/^E-mail/).fill('dana@usd901.example');
  await add.getByLabel(/^Role/).fill('purchasing');
  assert.ok(await add.getByLabel(/Receives notices/).isChecked());
  await add.locator('button[type=submit]').click();
  await page.waitForLoadState('load');
  assert.match(await text(page, '#notice'), /Added contact dana@usd901\.example\./);
  assert.deepEqual(await cells(page, '#contacts tr[data-email="dana@usd901.example"]'),
    ['Dana Purchasing', 'dana@usd901.example', 'purchasing', 'yes']);

  // a CSV with one bad row: nothing added, the row and its line named
  const bad = join(demo.dir, 'agencies-bad.csv');
  writeFileSync(bad, 'code,name,kind,state,public_entity,email\n' +
    'USD902,Sabetha USD 902,school_district,KS,yes,office@usd902.example\n' +
    'USD903,Hiawatha USD 903,school_district,KS,maybe,\n');
  await page.goto(`${srv.url}/agencies`);
  await page.setInputFiles('#import-agencies input[name=file]', bad);
  await page.click('#import-agencies button[type=submit]');
  await page.waitForLoadState('load');
  assert.match(await text(page, '#form-error'),
    /No agency was added from agencies-bad\.csv: row 2 \(line 3\), public_entity: "maybe" is not yes\/no/);
  assert.ok(!codes().includes('USD902'), 'the good row was not written either');
  const good = join(demo.dir, 'agencies-good.csv');
  writeFileSync(good, 'code,name,kind,state,public_entity,email\n' +
    'USD902,Sabetha USD 902,school_district,KS,yes,office@usd902.example\n' +
    'USD903,Hiawatha USD 903,school_district,KS,no,\n' +
    'USD904,Holton USD 904,school_district,KS,,\n');
  await page.setInputFiles('#import-agencies input[name=file]', good);
  await page.click('#import-agencies button[type=submit]');
  await page.waitForLoadState('load');
  assert.match(await text(page, '#notice'), /Added 3 agencies from agencies-good\.csv\./);
  assert.ok(['USD902', 'USD903', 'USD904'].every((c) => codes().includes(c)));

  // enroll: a private one is refused with what was typed kept, then three districts
  await page.goto(`${srv.url}/contracts/${C}`);
  await page.fill('#enroll textarea[name=agencies]', 'USD901, USD903\nUSD904');
  await page.fill('#enroll input[name=joined]', '2026-11-02');
  await page.click('#enroll button[type=submit]');
  await page.waitForLoadState('load');
  assert.match(await text(page, '#enroll-agencies-error'), /agency USD903 is not a public entity/);
  assert.equal(await page.inputValue('#enroll textarea[name=agencies]'), 'USD901, USD903\nUSD904');
  assert.equal(await page.inputValue('#enroll input[name=joined]'), '2026-11-02');
  assert.equal(await page.locator('#participants tr[data-agency="USD901"]').count(), 0, 'none enrolled');
  await page.fill('#enroll textarea[name=agencies]', 'USD901, USD902\nUSD904');
  await page.click('#enroll button[type=submit]');
  await page.waitForLoadState('load');
  assert.match(await text(page, '#notice'), /Enrolled 3 agencies from 2026-11-02\./);
  const names = { USD901: 'Prairie Hills USD 901', USD902: 'Sabetha USD 902', USD904: 'Holton USD 904' };
  for (const code of Object.keys(names))
    assert.deepEqual(await cells(page, `#participants tr[data-agency="${code}"]`),
      [code, names[code], '2026-11-02', '0', '$0.00']);
  // the lead agency's purchases to date: its live lines
  const lead = await cells(page, '#participants tr[data-agency="USD259"]');
  assert.equal(lead[2], '2025-07-01');
  assert.ok(Number(lead[3]) > 0, `USD259 has purchase lines: ${lead}`);
  assert.match(lead[4], /^\$[\d,]+\.\d\d$/);
  const csv = await (await context.request.get(`${srv.url}/contracts/${C}/participants.csv`)).text();
  assert.match(csv, /^code,name,joined,lines,net_sales\r?\n/);
  assert.match(csv, /\nUSD904,Holton USD 904,2026-11-02,0,0\.00\r?\n/);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('finance reads the pages without forms; its changes are refused', async () => {
  const s = await session(srv.url, demo.users.finance);
  const get = async (path) => (await fetch(srv.url + path, { headers: { cookie: s.cookie } })).text();
  const list = await get('/agencies');
  assert.match(list, /id="agencies"/);
  assert.doesNotMatch(list, /id="add-agency"|id="import-agencies"/);
  const one = await get('/agencies/USD259');
  assert.match(one, /id="agency-record"/);
  assert.match(one, /id="contacts"/);
  assert.doesNotMatch(one, /<form method="post"[^>]*action="\/agencies/);
  const contract = await get(`/contracts/${C}`);
  assert.match(contract, /id="participants"/);
  assert.doesNotMatch(contract, /id="enroll"/);
  assert.equal((await fetch(`${srv.url}/contracts/${C}/participants.csv`, { headers: { cookie: s.cookie } })).status, 200);
  const before = codes().length;
  const form = (path, body) => fetch(srv.url + path, { method: 'POST', redirect: 'manual',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: s.csrf, ...body }) });
  for (const [path, body] of [
    ['/agencies', { code: 'FIN1', name: 'F', kind: 'city', state: 'KS', public_entity: 'yes' }],
    ['/agencies.csv', {}],
    ['/agencies/USD259', { name: 'Renamed', kind: 'city', state: 'KS', public_entity: 'yes' }],
    ['/agencies/USD259/contacts', { name: 'X', email: 'x@example.org' }],
    ['/agencies/USD259/contacts/1', { name: 'X', email: 'x@example.org' }],
    ['/agencies/USD259/contacts/1/remove', {}],
    [`/contracts/${C}/participants`, { agencies: 'USD500', joined: '2026-11-02' }],
  ]) {
    const res = await form(path, body);
    assert.ok([403, 404].includes(res.status), `finance POST ${path}: ${res.status}`);
  }
  const tok = await token(srv.url, demo.users.finance);
  const api = (path, body) => fetch(srv.url + path, { method: 'POST',
    headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok([403, 404].includes((await api('/api/v1/agencies',
    { code: 'FIN2', name: 'F', kind: 'city', state: 'KS' })).status));
  assert.ok([403, 404].includes((await api(`/api/v1/contracts/${C}/participants`,
    { agency: 'USD500', joined: '2026-11-02' })).status));
  assert.equal(codes().length, before, 'finance wrote nothing');
  assert.doesNotMatch(await get('/agencies/USD259'), /Renamed/);
});

test('the API adds an agency and enrolls agencies, with the same checks as the forms', async () => {
  const tok = await token(srv.url, demo.users.admin);
  const api = (path, body) => fetch(srv.url + path, { method: 'POST',
    headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  let res = await api('/api/v1/agencies', { code: 'CITY-SAB', name: 'City of Sabetha', kind: 'city', state: 'KS',
    public_entity: true, address: '805 Main St', email: 'clerk@sabetha.example' });
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { code: 'CITY-SAB', name: 'City of Sabetha', kind: 'city', state: 'KS',
    public_entity: 1, address: '805 Main St' });
  res = await api('/api/v1/agencies', { code: 'CITY-SAB', name: 'Again', kind: 'city', state: 'KS' });
  assert.equal(res.status, 409);
  res = await api('/api/v1/agencies', { code: 'CITY-X', name: 'X', kind: 'town', state: 'KS' });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /unknown kind "town"/);
  res = await api(`/api/v1/contracts/${C}/participants`, { agencies: ['CITY-SAB', 'NO-SUCH'], joined: '2026-11-03' });
  assert.equal(res.status, 404);
  assert.match((await res.json()).error, /no agency has the code "NO-SUCH"/);
  res = await api(`/api/v1/contracts/${C}/participants`, { agency: 'CITY-SAB', joined: '2031-01-01' });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /outside the contract term/);
  res = await api(`/api/v1/contracts/${C}/participants`, { agencies: ['CITY-SAB'], joined: '2026-11-03' });
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { contract: C, joined: '2026-11-03', agencies: ['CITY-SAB'] });
});
