// A contract as an OCDS 1.1 release package (GET /catalog/NUMBER/ocds.json),
// validated against the official release-package schema (tests/data/ocds,
// with its licence) with and without the members' orders published.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { demoDatabase, startServer, token, session, cli, root } from './lib.mjs';

const C = 'KS-FURN-2025';
const FRAMEWORK = `ocds-coopledger-${C}`;
let demo, srv, tok = {}, validate;

// One order of USD259 under the contract, worked by hand:
//   INV-OCDS-1 2026-10-05   800.00
//   INV-OCDS-2 2026-10-20   493.83
//   INV-OCDS-3 2026-11-02   -40.01 (a credit)
//   value = 800.00 + 493.83 - 40.01 = 1253.82 USD; awarded on the first
//   invoice date, released on the last.
const ORDER_CSV = 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n' +
  'USD259,PO-OCDS-7,INV-OCDS-1,2026-10-05,2000.00,800.00\n' +
  'USD259,PO-OCDS-7,INV-OCDS-2,2026-10-20,1234.56,493.83\n' +
  'USD259,PO-OCDS-7,INV-OCDS-3,2026-11-02,-100.00,-40.01\n';

before(async () => {
  demo = demoDatabase();
  const csv = join(demo.dir, 'order.csv'), amend = join(demo.dir, 'amend.json');
  writeFileSync(csv, ORDER_CSV);
  writeFileSync(amend, '{"end": "2029-06-30"}');
  cli(demo.db, 'import', '--contract', C, csv);
  cli(demo.db, 'contract', 'amend', C, '--effective', '2026-10-01', '--reference',
    'Amendment 1, extension approved by the board', amend);
  srv = await startServer(demo.db);
  for (const role of ['admin', 'finance', 'member']) tok[role] = await token(srv.url, demo.users[role]);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const dir = join(root, 'tests', 'data', 'ocds');
  ajv.addSchema(JSON.parse(readFileSync(join(dir, 'release-schema.json'), 'utf8')));
  validate = ajv.compile(JSON.parse(readFileSync(join(dir, 'release-package-schema.json'), 'utf8')));
});
after(async () => { await srv.stop(); });

const ocds = () => fetch(`${srv.url}/catalog/${C}/ocds.json`);
const publish = (role, body) => fetch(`${srv.url}/api/v1/contracts/${C}/ocds-publishing`, {
  method: 'POST', headers: { authorization: `Bearer ${tok[role]}`, 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const sql = (q) => execFileSync('sqlite3', [demo.db, q], { encoding: 'utf8' }).trim();

function valid(pkg) {
  const ok = validate(pkg);
  assert.ok(ok, JSON.stringify(validate.errors, null, 1));
}

test('the framework agreement alone, public and valid OCDS 1.1', async () => {
  const res = await ocds();
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  const text = await res.text();
  const pkg = JSON.parse(text);
  valid(pkg);
  assert.equal(pkg.version, '1.1');
  assert.equal(pkg.publisher.name, 'Wichita USD 259');
  assert.equal(pkg.publishedDate, '2026-11-25T00:00:00Z');
  assert.match(pkg.uri, /^http:\/\/[^/]+\/catalog\/KS-FURN-2025\/ocds\.json$/);
  assert.equal(pkg.releases.length, 1);
  const r = pkg.releases[0];
  assert.equal(r.ocid, FRAMEWORK);
  assert.equal(r.initiationType, 'tender');
  assert.deepEqual(r.tag, ['tender', 'award', 'contract', 'contractAmendment']);
  assert.equal(r.date, '2026-10-01T00:00:00Z'); // the amendment in force today
  assert.deepEqual(r.parties.map((p) => [p.id, p.roles]), [
    ['agency-USD259', ['procuringEntity', 'buyer']], ['vendor-V-PRAIRIE', ['supplier']]]);
  assert.deepEqual(r.buyer, { id: 'agency-USD259', name: 'Wichita USD 259' });
  assert.equal(r.tender.id, 'RFP 25-0147');
  assert.equal(r.tender.techniques.hasFrameworkAgreement, true);
  assert.equal(r.tender.procuringEntity.id, 'agency-USD259');
  assert.equal(r.awards[0].date, '2025-07-01T00:00:00Z');
  assert.deepEqual(r.awards[0].suppliers, [{ id: 'vendor-V-PRAIRIE', name: 'Prairie School Furniture Co.' }]);
  const k = r.contracts[0];
  assert.equal(k.awardID, r.awards[0].id);
  // the award ran to 2028-06-30; the amendment extends the period in force
  assert.deepEqual(r.awards[0].contractPeriod, { startDate: '2025-07-01T00:00:00Z', endDate: '2028-06-30T00:00:00Z' });
  assert.deepEqual(k.period, { startDate: '2025-07-01T00:00:00Z', endDate: '2029-06-30T00:00:00Z' });
  assert.equal(k.status, 'active');
  assert.deepEqual(k.amendments, [{ id: `${C}-amendment-1`, date: '2026-10-01T00:00:00Z',
    rationale: 'Amendment 1, extension approved by the board', description: 'ends 2029-06-30' }]);
  // nothing of any member's orders, fees, rebates or remittances
  assert.doesNotMatch(text, /PO-OCDS-7|rebate|remit|"fee/i);
});

test('unknown and inactive contracts are 404', async () => {
  assert.equal((await fetch(`${srv.url}/catalog/NO-SUCH/ocds.json`)).status, 404);
  const ended = sql("SELECT number FROM contract WHERE end_date < '2026-11-25' LIMIT 1");
  assert.ok(ended, 'the demo holds an ended contract');
  assert.equal((await fetch(`${srv.url}/catalog/${ended}/ocds.json`)).status, 404);
});

test('publishing: admin only, a clear refusal of a bad body, audited', async () => {
  for (const role of ['member', 'finance'])
    assert.ok([403, 404].includes((await publish(role, { publish_purchases: true })).status), role);
  let res = await publish('admin', { publish_purchases: 'yes' });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /publish_purchases/);
  res = await publish('admin', '{"publish_purchases": tru');
  assert.equal(res.status, 400);
  assert.equal(sql("SELECT count(*) FROM ocds_publishing"), '0');
  res = await publish('admin', { publish_purchases: true });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { contract: C, publish_purchases: true });
  assert.equal(sql("SELECT after FROM audit_log WHERE action = 'contract.ocds_publishing' ORDER BY id DESC LIMIT 1"),
    '{"publish_purchases":true}');
});

test('with purchases published: one release per order, linked to the framework, valid', async () => {
  const res = await publish('admin', { publish_purchases: true });
  assert.equal(res.status, 200);
  const text = await (await ocds()).text();
  const pkg = JSON.parse(text);
  valid(pkg);
  // one release per (agency, PO) of live lines to today, counted by SQL
  const orders = Number(sql("SELECT count(*) FROM (SELECT DISTINCT agency_id, po_number FROM live_purchase " +
    `WHERE contract_id = (SELECT id FROM contract WHERE number = '${C}') AND invoice_date <= '2026-11-25')`));
  assert.ok(orders > 1);
  assert.equal(pkg.releases.length, 1 + orders);
  assert.equal(new Set(pkg.releases.map((r) => r.ocid)).size, pkg.releases.length);
  const o = pkg.releases.find((r) => r.ocid === `${FRAMEWORK}-USD259-PO-OCDS-7`);
  assert.ok(o, 'the hand-worked order is released');
  assert.deepEqual(o.relatedProcesses, [{ id: '1', relationship: ['framework'],
    title: 'Classroom and Office Furniture', scheme: 'ocid', identifier: FRAMEWORK }]);
  assert.deepEqual(o.buyer, { id: 'agency-USD259', name: 'Wichita USD 259' });
  assert.deepEqual(o.parties.map((p) => [p.id, p.roles]), [['agency-USD259', ['buyer']], ['vendor-V-PRAIRIE', ['supplier']]]);
  assert.equal(o.date, '2026-11-02T00:00:00Z');
  assert.equal(o.awards[0].date, '2026-10-05T00:00:00Z');
  assert.deepEqual(o.contracts[0].value, { amount: 1253.82, currency: 'USD' });
  assert.deepEqual(o.awards[0].value, { amount: 1253.82, currency: 'USD' });
  // the amount is written exactly, as the cents read
  assert.match(text, /"amount":1253\.82,/);
  assert.doesNotMatch(text, /rebate|remit|"fee/i);
});

test('publishing turned off again: the framework alone', async () => {
  assert.equal((await publish('admin', { publish_purchases: false })).status, 200);
  const pkg = await (await ocds()).json();
  valid(pkg);
  assert.equal(pkg.releases.length, 1);
});

test('the contract page links the package and its form turns publishing on and off', async () => {
  const s = await session(srv.url, demo.users.admin);
  const page = await (await fetch(`${srv.url}/contracts/${C}`, { headers: { cookie: s.cookie } })).text();
  assert.match(page, new RegExp(`href="/catalog/${C}/ocds.json"`));
  assert.match(page, /Publish the members' orders/);
  const post = (v, csrf) => fetch(`${srv.url}/contracts/${C}/ocds-publishing`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, publish_purchases: v }) });
  assert.equal((await post('yes', 'forged')).status, 403);
  assert.equal((await (await ocds()).json()).releases.length, 1);
  const bad = await post('maybe', s.csrf);
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /publish_purchases/);
  assert.equal((await post('yes', s.csrf)).status, 303);
  assert.ok((await (await ocds()).json()).releases.length > 1);
  const after = await (await fetch(`${srv.url}/contracts/${C}`, { headers: { cookie: s.cookie } })).text();
  assert.match(after, /Stop publishing the members' orders/);
  assert.equal((await post('no', s.csrf)).status, 303);
  assert.equal((await (await ocds()).json()).releases.length, 1);
});

test('hostile contract numbers: 404, nothing echoed raw, the server unaffected', async () => {
  // longer than any contract number (63 bytes)
  assert.equal((await fetch(`${srv.url}/catalog/${'A'.repeat(100)}/ocds.json`)).status, 404);
  // past the server's URL limit: never a package
  const long = await fetch(`${srv.url}/catalog/${'A'.repeat(5000)}/ocds.json`, { redirect: 'manual' });
  assert.notEqual(long.status, 200);
  const res = await fetch(`${srv.url}/catalog/${encodeURIComponent('<img src=x onerror=alert(1)>')}/ocds.json`,
    { redirect: 'manual' });
  assert.equal(res.status, 404);
  assert.doesNotMatch(await res.text(), /<img src=x/);
  assert.equal((await ocds()).status, 200);
});
