// The pure functions and enums of the contract, from ESM, and the typings kept in step with the
// core.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as dp from 'dealer-portal'

const require = createRequire(import.meta.url)
const { Right, Regime, evaluatePassword, expectedDebits, reconcile, parseReference, supportDirectory } = dp

test('ESM and CommonJS load the same addon', () => {
  const cjs = require('dealer-portal')
  assert.equal(dp.Portal, cjs.Portal)
  assert.equal(dp.evaluatePassword, cjs.evaluatePassword)
  assert.equal(dp.Right, cjs.Right)
  // Every name of index.d.ts is a named ESM export.
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  const declared = [...dts.matchAll(/^export declare (?:function|class|enum|const) (\w+)/gm)].map((m) => m[1])
  assert.ok(declared.length >= 12)
  for (const name of declared) assert.notEqual(dp[name], undefined, name)
})

test('Right and Regime are string enums whose values are the stable codes', () => {
  assert.deepEqual(Object.keys(Right), [
    'QUOTES_AND_SUBSCRIPTIONS',
    'SEARCH_QUOTES_AND_CONTRACTS',
    'SUBMIT_CLAIMS',
    'SEARCH_CLAIMS',
    'ACCOUNTING_DOCUMENTS',
    'MANAGE_ACCOUNTS',
  ])
  assert.equal(Right.MANAGE_ACCOUNTS, 'manage_accounts')
  assert.deepEqual(Object.values(Regime), ['insurance', 'delegated_management', 'self_insurance'])
  // Usable in sets, equal to themselves.
  assert.equal(new Set([Right.SUBMIT_CLAIMS, Right.SUBMIT_CLAIMS, Right.SEARCH_CLAIMS]).size, 2)
  assert.deepEqual(dp.describeRight(Right.MANAGE_ACCOUNTS), {
    code: 'manage_accounts',
    labelFr: 'Gérer les comptes',
    labelEn: 'Manage accounts',
    descriptionFr: "Permet de créer d'autres comptes utilisateurs",
    descriptionEn: 'Lets you create other user accounts',
  })
  assert.equal(dp.describeRegime(Regime.DELEGATED_MANAGEMENT).labelFr, 'Gestion déléguée')
})

test('evaluatePassword reports the seed criteria in order, with labels', () => {
  const e = evaluatePassword('abc')
  assert.equal(e.acceptable, false)
  assert.deepEqual(e.checks.map((c) => c.criterion), ['min_length', 'uppercase', 'lowercase', 'digit', 'special'])
  assert.deepEqual(e.checks.map((c) => c.met), [false, false, true, false, false])
  assert.deepEqual(e.checks[0], { criterion: 'min_length', met: false, threshold: 15, labelFr: '15 caractères', labelEn: '15 characters' })
  assert.match(e.checks[4].labelFr, /Hors €/)

  const ok = evaluatePassword('Garage-XYZ-2026!', { confirmation: 'Garage-XYZ-2026!' })
  assert.equal(ok.acceptable, true)
  assert.deepEqual(ok.checks.map((c) => c.criterion).at(-1), 'confirmation')
  const mismatch = evaluatePassword('Garage-XYZ-2026!', { confirmation: 'Garage-XYZ-2026' })
  assert.deepEqual(mismatch.checks.filter((c) => !c.met).map((c) => c.criterion), ['confirmation'])

  // € is not special; É is an uppercase letter; a space is special.
  assert.equal(evaluatePassword('éeeeeeeeeeeeeeÉ1€').checks.find((c) => c.criterion === 'special').met, false)
  assert.equal(evaluatePassword('éeeeeeeeeeeeeeÉ1 ').acceptable, true)

  // Another policy, partial.
  const nist = evaluatePassword('correct horse battery staple', { policy: { min_uppercase: 0, min_digits: 0, min_special: 0, blocklist: true } })
  assert.equal(nist.acceptable, true)
  const common = evaluatePassword('password1234567890', { policy: { min_uppercase: 0, min_special: 0, blocklist: true } })
  assert.deepEqual(common.checks.filter((c) => !c.met).map((c) => c.criterion), ['not_common'])
})

test('a portal evaluates with its own policy', () => {
  const portal = dp.Portal.inMemory({ policy: { min_length: 8 }, hash: { m_cost_kib: 256, t_cost: 1, p_cost: 1 } })
  const e = portal.evaluatePassword('Ab1!abcd', { confirmation: 'x' })
  assert.equal(e.checks[0].threshold, 8)
  assert.deepEqual(e.checks.filter((c) => !c.met).map((c) => c.criterion), ['confirmation'])
})

test('evaluatePassword reads its arguments as declared: values, errors and their order', () => {
  const portal = dp.Portal.inMemory({ hash: { m_cost_kib: 256, t_cost: 1, p_cost: 1 } })
  const met = (e) => e.checks.map((c) => c.met).join()
  for (const evaluate of [evaluatePassword, portal.evaluatePassword.bind(portal)]) {
    // A password that is not a string: the conversion error, before the options are read.
    const untouched = { get confirmation() { throw new Error('options read') } }
    for (const [pw, shown] of [[5, 'Number 5 '], [undefined, 'Undefined'], [null, 'Null'], [{}, 'Object {}']]) {
      assert.throws(() => evaluate(pw, untouched), (e) => {
        assert.ok(e instanceof Error)
        assert.equal(e.code, 'StringExpected')
        assert.equal(e.message, `Failed to convert JavaScript value \`${shown}\` into rust type \`String\``)
        return true
      })
    }
    // A confirmation that is not a string (null included): its error, before `policy` is read.
    const unread = (confirmation) => ({ confirmation, get policy() { throw new Error('policy read') } })
    assert.throws(() => evaluate('x', unread(5)), {
      code: 'StringExpected',
      message: 'Failed to convert JavaScript value `Number 5 ` into rust type `String` on EvaluateOptions.confirmation',
    })
    assert.throws(() => evaluate('x', unread(null)), { code: 'StringExpected', message: /`Null`.* on EvaluateOptions\.confirmation$/ })
    // A throwing getter's own error; options that are not objects are read like objects.
    assert.throws(() => evaluate('x', { get confirmation() { throw new RangeError('boom') } }), RangeError)
    for (const options of [undefined, null, 5, 'abc', [], () => 1, {}]) assert.equal(evaluate('x', options).checks.length, 5)
    assert.equal(evaluate('x', Object.create({ confirmation: 'x' })).checks.length, 6)
    // The text as UTF-8: a lone surrogate is U+FFFD; long and accented passwords; NUL kept.
    assert.equal(met(evaluate('\ud800bcdefghijklmnopA1!', { confirmation: '\ufffdbcdefghijklmnopA1!' })), 'true,true,true,true,true,true')
    assert.equal(met(evaluate('\udc00bcdefghijklmnopA1!', { confirmation: '\ud800bcdefghijklmnopA1!' })), 'true,true,true,true,true,true')
    assert.equal(met(evaluate('😀bcdefghijklmnA1!', { confirmation: '\ud83d\ude00bcdefghijklmnA1!' })), 'true,true,true,true,true,true')
    for (const long of ['Aa1!'.repeat(31) + 'x', 'Éé1!'.repeat(32), 'Aa1!'.repeat(2000), 'Éé1!'.repeat(2000)]) {
      assert.equal(met(evaluate(long, { confirmation: long })), 'true,true,true,true,true,true' + (long.length > 128 ? ',false' : ''), long.length)
      assert.equal(met(evaluate(long, { confirmation: long.slice(1) })).split(',')[5], 'false')
    }
    assert.equal(met(evaluate('abc\0defghijklmnopA1!', { confirmation: 'abc\0defghijklmnopA1!' })), 'true,true,true,true,true,true,false')
  }
  // A policy given: converted, then checked by the core (the portal's own policy applies there).
  assert.throws(() => evaluatePassword('x', { policy: 5 }), { code: 'INVALID_CONFIG', name: 'PortalError' })
  assert.throws(() => evaluatePassword('x', { policy: { min_length: 0 } }), { code: 'INVALID_CONFIG' })
  assert.equal(evaluatePassword('x', { policy: null }).checks.length, 5)
  assert.equal(evaluatePassword('abc', { policy: { min_length: 3 } }).checks[0].met, true)
  assert.equal(evaluatePassword.name, 'evaluatePassword')
})

test('expected debits per regime', () => {
  assert.deepEqual(expectedDebits(Regime.INSURANCE).map((d) => d.code), ['insurance_monthly'])
  assert.deepEqual(expectedDebits(Regime.DELEGATED_MANAGEMENT).map((d) => d.code), ['claims_settled', 'management_fees_and_npo'])
  const [npo] = expectedDebits(Regime.SELF_INSURANCE)
  assert.equal(npo.code, 'self_insurance_npo')
  assert.equal(npo.issuer, 'stellantis_services')
  assert.deepEqual(npo.accepted, [['stellantis_services', 'npo']])
  assert.equal(typeof npo.labelFr, 'string')
})

test('reconcile: debits with totals, missing and unexpected, in integer cents', () => {
  const r = reconcile(Regime.DELEGATED_MANAGEMENT, '3/2024', [
    { issuer: 'stellantis_services', nature: 'claims_settled', amountCents: 120000, label: 'SINISTRES 03/2024' },
    { issuer: 'stellantis_services', nature: 'claims_settled', amountCents: 30001 },
    { issuer: 'stellantis_insurance', nature: 'premium', amountCents: 999 },
  ])
  assert.equal(r.regime, Regime.DELEGATED_MANAGEMENT)
  assert.equal(r.month, '3/2024')
  assert.deepEqual(r.debits.map((d) => [d.code, d.totalCents, d.lines.length]), [
    ['claims_settled', 150001, 2],
    ['management_fees_and_npo', 0, 0],
  ])
  assert.equal(r.debits[0].lines[0].label, 'SINISTRES 03/2024')
  assert.deepEqual(r.missing, ['management_fees_and_npo'])
  assert.deepEqual(r.unexpected, [{ issuer: 'stellantis_insurance', nature: 'premium', amountCents: 999 }])
  assert.equal(r.complete, false)
})

test('parseReference recognises plates and numbers', () => {
  assert.deepEqual(parseReference('ab 123 cd'), { kind: 'registration_plate', normalized: 'AB-123-CD', plateFormat: 'siv' })
  assert.deepEqual(parseReference('1234ab56'), { kind: 'registration_plate', normalized: '1234 AB 56', plateFormat: 'fni' })
  const n = parseReference(' 2204-003 143 ')
  assert.equal(n.plateFormat, undefined)
  assert.ok(['contract_number', 'agreement_number'].includes(n.kind))
  assert.equal(n.normalized, '2204003143')
})

test('supportDirectory: the seed defaults', () => {
  const d = supportDirectory()
  const byKind = Object.fromEntries(d.channels.map((c) => [c.kind, c]))
  assert.equal(byKind.email.value, 'info@garantiestellantis.fr')
  assert.equal(byKind.phone.value, '01 86 99 02 69')
  assert.ok(d.channels.every((c) => c.topics.length === c.topicLabelsFr.length && c.topics.length > 0))
})

test('the string unions of index.d.ts are the core codes', () => {
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  const unions = {}
  for (const m of dts.matchAll(/^export type (\w+) =((?:\s*\|?\s*'[^']*')+)/gm)) {
    unions[m[1]] = [...m[2].matchAll(/'([^']*)'/g)].map((x) => x[1])
  }
  // A hidden export (not in the typings, so not an ESM named export): CommonJS sees it.
  const codes = require('dealer-portal').__codes()
  for (const [name, list] of Object.entries(codes)) {
    if (name === 'Right' || name === 'Regime') {
      assert.deepEqual(Object.values(dp[name]), list, name)
    } else {
      assert.deepEqual(unions[name], list, name)
    }
  }
})

test('evaluations are immutable values, shared between equal evaluations', () => {
  const a = evaluatePassword('abc')
  const b = evaluatePassword('xyz')
  assert.equal(a, b) // same criteria met and unmet: the same object
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.checks) && a.checks.every(Object.isFrozen))
  assert.throws(() => {
    'use strict'
    a.checks[0].met = true
  }, TypeError)
  assert.notEqual(evaluatePassword('abc', { confirmation: 'abc' }), a)
  // Other policies get their own objects (their labels differ).
  const short = evaluatePassword('abc', { policy: { min_length: 3 } })
  assert.equal(short.checks[0].labelFr, '3 caractères')
  assert.equal(evaluatePassword('abc').checks[0].labelFr, '15 caractères')
})

test("the default policy's shared evaluations are the ones its criteria give, whatever was typed", () => {
  // The default policy's evaluations are looked up in a table laid out from the policy's own
  // criteria; any other policy's by their whole content. The same policy given as an option
  // (`{}`: the seed's) takes the second way: both must give the same object for every input.
  const parts = ['', 'a', 'B', '7', '!', '€', 'é', 'É', '\t', '\u0085', 'x'.repeat(14), 'y'.repeat(130)]
  const passwords = []
  for (const a of parts) for (const b of parts) passwords.push(a + b)
  let seen = 0
  for (const pw of passwords) {
    for (const options of [undefined, { confirmation: pw }, { confirmation: pw + '?' }, { confirmation: '' }]) {
      const e = evaluatePassword(pw, options)
      assert.equal(evaluatePassword(pw, { ...options, policy: {} }), e, JSON.stringify([pw, options]))
      assert.equal(evaluatePassword(pw, options), e)
      seen++
    }
  }
  assert.equal(seen, parts.length * parts.length * 4)
})

test('the addon works in worker threads (per-environment data)', async () => {
  const { Worker } = await import('node:worker_threads')
  const code = `
    const { parentPort } = require('node:worker_threads')
    const dp = require(${JSON.stringify(require.resolve('dealer-portal'))})
    const e = dp.evaluatePassword('abc')
    const p = dp.Portal.inMemory({ hash: { m_cost_kib: 256, t_cost: 1, p_cost: 1 } })
    p.loginAsync('nobody@garage-xyz.fr', 'x').catch((err) => parentPort.postMessage([e.checks.length, Object.isFrozen(e), err.code]))
  `
  for (let i = 0; i < 2; i++) {
    const worker = new Worker(code, { eval: true })
    const message = await new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    assert.deepEqual(message, [5, true, 'INVALID_CREDENTIALS'])
    await worker.terminate()
  }
  assert.equal(evaluatePassword('abc').checks.length, 5)
})
