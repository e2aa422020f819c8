'use strict'
// Every error code of the contract, reached from JS (CommonJS), thrown by the synchronous
// methods and rejected by their `…Async` twins, as `Error`s carrying `code` and `criteria`.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const {
  dp,
  FAST,
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  USER_PASSWORD,
  tmpDir,
  call,
  takeToken,
  seed,
  invite,
} = require('./helpers.cjs')

const { Portal, Right, Regime } = dp

// The codes API.md says callers branch on.
const CONTRACT_CODES = [
  'INVALID_EMAIL', 'INVALID_NAME', 'INVALID_PHONE', 'EMAIL_TAKEN', 'PASSWORD_POLICY',
  'PASSWORD_REUSED', 'CONFIRMATION_MISMATCH', 'TOKEN_INVALID', 'EMAIL_MISMATCH',
  'INVALID_CREDENTIALS', 'SESSION_INVALID', 'FORBIDDEN', 'RIGHTS_ESCALATION',
  'NO_RIGHTS_SELECTED', 'LAST_MANAGER', 'UNKNOWN_ESTABLISHMENT', 'UNKNOWN_ACCOUNT',
  'INVALID_PERIOD', 'INVALID_QUERY', 'STORAGE',
  // Added in the second release (those the core has).
  'UNKNOWN_SESSION', 'INVALID_STATE', 'RATE_LIMITED', 'AUDIT_CHAIN_BROKEN',
]

const NOBODY = '0'.repeat(32)
const GOOD = 'Valide-Motdepasse-1!'
const dir = tmpDir()

async function resetToken(s, m) {
  await call(s.portal, m, 'requestPasswordReset', ADMIN_EMAIL)
  return takeToken(s.portal, ADMIN_EMAIL, 'password_reset', m)
}

/** A user managing T99999 with only search_claims besides; returns its session token. */
async function limitedManager(s, m) {
  await invite(s, 'chef@garage-xyz.fr', [Right.MANAGE_ACCOUNTS, Right.SEARCH_CLAIMS], { mode: m })
  return (await call(s.portal, m, 'login', 'chef@garage-xyz.fr', USER_PASSWORD)).token
}

async function plainUser(s, m) {
  await invite(s, 'lea@garage-xyz.fr', [Right.SEARCH_CLAIMS], { mode: m })
  return (await call(s.portal, m, 'login', 'lea@garage-xyz.fr', USER_PASSWORD)).token
}

function user(s, m, { last = 'Martin', email = 'lea@garage-xyz.fr', rights = [Right.SEARCH_CLAIMS], mobile, code = 'T99999', session } = {}) {
  return call(s.portal, m, 'createUser', session ?? s.session, code, last, 'Léa', email, rights, mobile ? { mobile } : undefined)
}

/** 20 EMAIL_TAKEN answers (an actor's default ration in 24 h), then RATE_LIMITED. */
async function emailTakenUntilRationed(s, m) {
  for (let i = 0; i < 20; i++) {
    await assert.rejects(async () => user(s, m, { email: ADMIN_EMAIL }), { code: 'EMAIL_TAKEN' })
  }
  return user(s, m, { email: ADMIN_EMAIL })
}

/** Opening a file that is not a portal's SQLite database. */
async function storage(m) {
  const bad = path.join(dir, `not-a-portal-${m}.db`)
  fs.writeFileSync(bad, 'plain text, not SQLite'.repeat(10))
  return m === 'async' ? Portal.openAsync(bad, FAST) : Portal.open(bad, FAST)
}

async function emailMismatch(s, m) {
  const token = await resetToken(s, m)
  try {
    await call(s.portal, m, 'completePasswordReset', token, 'someone.else@garage-xyz.fr', GOOD, GOOD)
  } finally {
    // The token stays usable after a wrong email.
    assert.equal((await call(s.portal, m, 'inspectToken', token)).usable, true)
  }
}

/** Another person's session id, listed by that person. */
async function othersSessionId(s, m) {
  const lea = await plainUser(s, m)
  const [own] = await call(s.portal, m, 'listSessions', lea)
  return own.id
}

/** An email change whose new address is taken between the request and the confirmation. */
async function takenSinceRequest(s, m) {
  await call(s.portal, m, 'requestEmailChange', s.session, 'lea@garage-xyz.fr', ADMIN_PASSWORD)
  const token = await takeToken(s.portal, 'lea@garage-xyz.fr', 'email_change', m)
  await user(s, m)
  try {
    await call(s.portal, m, 'confirmEmailChange', token)
  } finally {
    // The link stays usable, and the email did not change.
    assert.equal((await call(s.portal, m, 'inspectToken', token)).usable, true)
    assert.equal((await call(s.portal, m, 'authenticate', s.session)).email, ADMIN_EMAIL)
  }
}

async function consumedToken(s, m) {
  const token = await resetToken(s, m)
  await call(s.portal, m, 'completePasswordReset', token, ADMIN_EMAIL, GOOD, GOOD)
  const other = 'Encore-Autre-Motdepasse-2!'
  await call(s.portal, m, 'completePasswordReset', token, ADMIN_EMAIL, other, other)
}

/** [code, case(seeded, mode)] — each case must throw (sync) / reject (async) with that code. */
const CASES = [
  ['INVALID_EMAIL', (s, m) => call(s.portal, m, 'requestPasswordReset', 'not-an-email')],
  ['INVALID_EMAIL', (s, m) => user(s, m, { email: 'lea@' })],
  ['INVALID_NAME', (s, m) => user(s, m, { last: '  ' })],
  ['INVALID_PHONE', (s, m) => user(s, m, { mobile: '01 34 34 67 88' })],
  ['EMAIL_TAKEN', (s, m) => user(s, m, { email: ADMIN_EMAIL.toUpperCase() })],
  ['PASSWORD_POLICY', async (s, m) => call(s.portal, m, 'completePasswordReset', await resetToken(s, m), ADMIN_EMAIL, 'court', 'different')],
  ['PASSWORD_REUSED', async (s, m) => call(s.portal, m, 'completePasswordReset', await resetToken(s, m), ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_PASSWORD)],
  ['CONFIRMATION_MISMATCH', async (s, m) => call(s.portal, m, 'completePasswordReset', await resetToken(s, m), ADMIN_EMAIL, GOOD, GOOD + 'x')],
  ['TOKEN_INVALID', (s, m) => call(s.portal, m, 'completePasswordReset', 'garbage', ADMIN_EMAIL, GOOD, GOOD)],
  ['TOKEN_INVALID', (s, m) => consumedToken(s, m)],
  ['TOKEN_INVALID', async (s, m) => call(s.portal, m, 'activateAccount', await resetToken(s, m), ADMIN_EMAIL, GOOD, GOOD)], // wrong purpose
  ['EMAIL_MISMATCH', (s, m) => emailMismatch(s, m)],
  ['INVALID_CREDENTIALS', (s, m) => call(s.portal, m, 'login', ADMIN_EMAIL, 'wrong password')],
  ['INVALID_CREDENTIALS', (s, m) => call(s.portal, m, 'login', 'nobody@garage-xyz.fr', ADMIN_PASSWORD)],
  ['INVALID_CREDENTIALS', (s, m) => call(s.portal, m, 'changePassword', s.session, 'wrong password', GOOD, GOOD)],
  ['SESSION_INVALID', (s, m) => call(s.portal, m, 'manageableEstablishments', 'not-a-session')],
  ['SESSION_INVALID', (s, m) => call(s.portal, m, 'listAccounts', 'A'.repeat(43))],
  ['FORBIDDEN', async (s, m) => call(s.portal, m, 'listAccounts', await plainUser(s, m))],
  ['FORBIDDEN', async (s, m) => call(s.portal, m, 'searchDocuments', await plainUser(s, m), 'T99999', 'accounting')],
  ['RIGHTS_ESCALATION', async (s, m) => user(s, m, { email: 'x@garage-xyz.fr', rights: [Right.ACCOUNTING_DOCUMENTS], session: await limitedManager(s, m) })],
  ['NO_RIGHTS_SELECTED', (s, m) => user(s, m, { rights: [] })],
  ['LAST_MANAGER', (s, m) => call(s.portal, m, 'setRights', s.session, s.adminId, 'T99999', [Right.SEARCH_CLAIMS])],
  ['LAST_MANAGER', (s, m) => call(s.portal, m, 'disableAccount', s.session, s.adminId)],
  ['UNKNOWN_ESTABLISHMENT', (s, m) => user(s, m, { code: 'T12345' })],
  ['UNKNOWN_ESTABLISHMENT', (s, m) => call(s.portal, m, 'auditLog', s.session, 'T12345')],
  ['UNKNOWN_ACCOUNT', (s, m) => call(s.portal, m, 'rightsMatrix', s.session, NOBODY)],
  ['UNKNOWN_ACCOUNT', (s, m) => call(s.portal, m, 'disableAccount', s.session, NOBODY)],
  ['INVALID_PERIOD', (s, m) => call(s.portal, m, 'searchDocuments', s.session, 'T99999', 'accounting', { periodFrom: '13/2024' })],
  ['INVALID_PERIOD', (s, m) => call(s.portal, m, 'monthlyStatement', s.session, 'T99999', '1/0')],
  ['INVALID_PERIOD', (s, m) => call(s.portal, m, 'recordDebitLine', 'T99999', '2024-01', { issuer: 'stellantis_services', nature: 'npo', amountCents: 1 })],
  ['INVALID_PERIOD', () => dp.reconcile(Regime.INSURANCE, '2024-01', [])],
  ['INVALID_QUERY', (s, m) => call(s.portal, m, 'searchDocuments', s.session, 'T99999', 'invoice')],
  ['INVALID_QUERY', (s, m) => call(s.portal, m, 'searchDocuments', s.session, 'T99999', 'contract', { kind: 'credit_note' })],
  ['INVALID_QUERY', (s, m) => call(s.portal, m, 'listAccounts', s.session, { limit: 0 })],
  ['INVALID_QUERY', () => dp.parseReference('??')],
  ['STORAGE', (s, m) => storage(m)],
  // Codes beyond the contract's list.
  ['UNKNOWN_NOTIFICATION', (s, m) => call(s.portal, m, 'acknowledgeNotification', 987654)],
  ['UNKNOWN_NOTIFICATION', (s, m) => call(s.portal, m, 'acknowledgeNotification', -1)],
  ['UNKNOWN_CODE', (s, m) => call(s.portal, m, 'recordDebitLine', 'T99999', '1/2024', { issuer: 'acme', nature: 'premium', amountCents: 1 })],
  ['UNKNOWN_CODE', (s, m) => call(s.portal, m, 'listAccounts', s.session, { state: 'sleeping' })],
  ['INVALID_INPUT', (s, m) => call(s.portal, m, 'addDocument', 'T99999', { category: 'accounting', number: '2204003143', issuedOn: '2024-02-30' })],
  ['INVALID_STATE', (s, m) => call(s.portal, m, 'resendActivation', s.session, s.adminId)],
  // The host surface (second release).
  ['UNKNOWN_SESSION', (s, m) => call(s.portal, m, 'revokeSession', s.session, 'not-a-session-id')],
  ['UNKNOWN_SESSION', (s, m) => call(s.portal, m, 'revokeSession', s.session, NOBODY)],
  ['UNKNOWN_SESSION', async (s, m) => call(s.portal, m, 'revokeSession', s.session, await othersSessionId(s, m))],
  ['SESSION_INVALID', (s, m) => call(s.portal, m, 'authenticate', 'not-a-session')],
  ['SESSION_INVALID', (s, m) => call(s.portal, m, 'listSessions', 'A'.repeat(43))],
  ['FORBIDDEN', async (s, m) => call(s.portal, m, 'selectEstablishment', await plainUser(s, m), 'T88888')],
  ['FORBIDDEN', async (s, m) => call(s.portal, m, 'searchReference', await plainUser(s, m), 'AB-123-CD', { establishmentCode: 'T88888' })],
  ['UNKNOWN_ESTABLISHMENT', (s, m) => call(s.portal, m, 'selectEstablishment', s.session, 'T12345')],
  ['INVALID_ESTABLISHMENT_CODE', (s, m) => call(s.portal, m, 'searchDocuments', s.session, 'T-99', 'accounting')],
  ['UNKNOWN_ACCOUNT', (s, m) => call(s.portal, m, 'account', s.session, NOBODY)],
  ['UNKNOWN_ACCOUNT', async (s, m) => call(s.portal, m, 'updateProfile', await plainUser(s, m), s.adminId, { function: 'Gérant' })],
  ['INVALID_PHONE', (s, m) => call(s.portal, m, 'updateProfile', s.session, s.adminId, { landline: '06 23 42 54 55' })],
  ['INVALID_INPUT', (s, m) => call(s.portal, m, 'updateProfile', s.session, s.adminId, { function: '' })],
  ['INVALID_INPUT', (s, m) => call(s.portal, m, 'declareAdministrator', 'other@garage-xyz.fr', 'Autre', 'Admin', '', [])],
  ['INVALID_INPUT', (s, m) => call(s.portal, m, 'requestEmailChange', s.session, ADMIN_EMAIL, ADMIN_PASSWORD)],
  ['INVALID_NAME', (s, m) => call(s.portal, m, 'updateProfile', s.session, s.adminId, { firstName: ' ' })],
  ['INVALID_EMAIL', (s, m) => call(s.portal, m, 'requestEmailChange', s.session, 'lea@', ADMIN_PASSWORD)],
  ['INVALID_CREDENTIALS', (s, m) => call(s.portal, m, 'requestEmailChange', s.session, 'new@garage-xyz.fr', 'wrong password')],
  ['TOKEN_INVALID', (s, m) => call(s.portal, m, 'confirmEmailChange', 'garbage')],
  ['TOKEN_INVALID', async (s, m) => call(s.portal, m, 'confirmEmailChange', await resetToken(s, m))], // wrong purpose
  ['EMAIL_TAKEN', (s, m) => takenSinceRequest(s, m)],
  ['RATE_LIMITED', (s, m) => emailTakenUntilRationed(s, m)],
  ['INVALID_QUERY', (s, m) => call(s.portal, m, 'searchReference', s.session, 'not a reference')],
  ['INVALID_QUERY', (s, m) => call(s.portal, m, 'searchReference', s.session, 'AB-123-CD', { limit: 0 })],
  ['INVALID_CONFIG', () => Portal.inMemory({ hash: { m_cost_kib: 1, t_cost: 1, p_cost: 1 } })],
  ['INVALID_CONFIG', () => Portal.inMemory({ hash: { memory: 1 } })],
  ['INVALID_CONFIG', (s, m) => (m === 'async' ? Portal.openAsync(path.join(dir, 'cfg.db'), { tokens: { reset_ttl: 'an hour' } }) : Portal.open(path.join(dir, 'cfg.db'), { tokens: { reset_ttl: 'an hour' } }))],
  ['INVALID_CONFIG', () => dp.evaluatePassword('x', { policy: { min_length: 'fifteen' } })],
  ['INVALID_ESTABLISHMENT_CODE', (s, m) => call(s.portal, m, 'addEstablishment', { code: 'T-99', name: 'G', city: 'V' })],
  ['INVALID_STATE', async (s, m) => call(s.portal, m, 'eraseAccount', s.session, await user(s, m))],
  ['UNKNOWN_ACCOUNT', (s, m) => call(s.portal, m, 'eraseAccount', s.session, NOBODY)],
  ['AUDIT_CHAIN_BROKEN', (s, m) => call(s.portal, m, 'verifyAuditChain', { seq: 1000, hash: '0'.repeat(64) })],
  ['INVALID_INPUT', (s, m) => call(s.portal, m, 'verifyAuditChain', { seq: 1, hash: 'nope' })],
]

function checkError(e, code, secrets) {
  assert.ok(e instanceof Error, 'an Error instance')
  assert.equal(e.code, code, e.message)
  assert.equal(e.name, 'PortalError')
  assert.ok(dp.isPortalError(e))
  assert.ok(dp.isPortalError(e, code))
  assert.equal(typeof e.message, 'string')
  assert.ok(e.message.length > 0)
  assert.ok(Array.isArray(e.criteria))
  if (code !== 'PASSWORD_POLICY') assert.deepEqual(e.criteria, [])
  assert.match(e.stack, /PortalError/)
  for (const secret of secrets) assert.ok(!e.message.includes(secret), 'no secret in the message')
}

const seen = new Set()
for (const mode of ['sync', 'async']) {
  CASES.forEach(([code, fn], i) => {
    test(`${code} #${i} (${mode})`, async () => {
      const s = await seed(Portal.inMemory(FAST))
      let caught
      try {
        const r = fn(s, mode)
        if (mode === 'async' && r instanceof Promise) await r
        else if (r instanceof Promise) await r // helper cases are async in both modes
      } catch (e) {
        caught = e
      }
      assert.ok(caught, `${code}: nothing thrown`)
      checkError(caught, code, [ADMIN_PASSWORD, GOOD, s.session])
      seen.add(code)
    })
  })
}

test('every contract code is reached', () => {
  for (const code of CONTRACT_CODES) assert.ok(CASES.some(([c]) => c === code), code)
})

test("every code of the core is reached through the binding", () => {
  // `__codes` is a hidden export (not in the typings) listing the core's own lists.
  for (const code of dp.__codes().ErrorCode) assert.ok(CASES.some(([c]) => c === code), code)
})

test('async variants reject their promise (they never throw synchronously)', async () => {
  const portal = Portal.inMemory(FAST)
  let p
  assert.doesNotThrow(() => {
    p = portal.loginAsync('not-an-email', 'x')
  })
  await assert.rejects(p, { code: 'INVALID_CREDENTIALS' })
  await assert.rejects(portal.requestPasswordResetAsync('not-an-email'), { code: 'INVALID_EMAIL', name: 'PortalError' })
})

test('PASSWORD_POLICY lists the failed criteria, and wins over the confirmation', async () => {
  const s = await seed(Portal.inMemory(FAST))
  const token = await resetToken(s, 'sync')
  assert.throws(
    () => s.portal.completePasswordReset(token, ADMIN_EMAIL, 'court', 'autre'),
    (e) => {
      assert.equal(e.code, 'PASSWORD_POLICY')
      assert.deepEqual(e.criteria, ['min_length', 'uppercase', 'digit', 'special'])
      assert.match(e.message, /min_length/)
      return true
    },
  )
  await assert.rejects(s.portal.completePasswordResetAsync(token, ADMIN_EMAIL, 'court', 'autre'), {
    code: 'PASSWORD_POLICY',
    criteria: ['min_length', 'uppercase', 'digit', 'special'],
  })
})

test('every error code belongs to the ErrorCode union of index.d.ts', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const union = dts.match(/export type ErrorCode =([^]*?)\n\n/)[1]
  const codes = new Set([...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]))
  for (const [code] of CASES) assert.ok(codes.has(code), code)
  for (const code of CONTRACT_CODES) assert.ok(codes.has(code), code)
})

test('wrong argument types are napi TypeErrors-like errors, not PortalErrors', () => {
  const portal = Portal.inMemory(FAST)
  for (const bad of [
    () => portal.login(42, 'x'),
    () => portal.createUser('s', 'T99999', 'A', 'B', 'a@b.fr', ['fly']),
    () => Portal.inMemory({ hash: () => 1 }),
    () => dp.expectedDebits('nowhere'),
  ]) {
    assert.throws(bad, (e) => e instanceof Error && !dp.isPortalError(e))
  }
  // Plain strings equal to the enums' values are accepted (the enums are string enums).
  assert.equal(dp.expectedDebits('insurance').length, 1)
})

test('isPortalError is false for anything else', () => {
  for (const v of [undefined, null, 0, 'PortalError', new Error('x'), { name: 'PortalError' }, Object.assign(new Error('x'), { code: 'TOKEN_INVALID' })]) {
    assert.equal(dp.isPortalError(v), false)
  }
  assert.equal(dp.isPortalError({ name: 'PortalError', code: 'TOKEN_INVALID' }, 'TOKEN_INVALID'), true)
})

// A panic in the addon is a STORAGE PortalError (thrown by a sync call, rejecting an async one),
// never an aborted process. The hooks exist only in test builds (feature test-hooks, which
// test.sh turns on); a plain `npm run build` has none, and the test is skipped there.
const hooks = typeof dp.__panic === 'function'
test('a panic in a sync or async call is a STORAGE PortalError, and the portal keeps working', { skip: !hooks && 'built without the test-hooks feature' }, async () => {
  const portal = Portal.inMemory(FAST)
  portal.declareAdministrator(ADMIN_EMAIL, 'Geloen', 'Alexandre', 'Gérant', [
    { code: 'T99999', name: 'GARAGE XYZ', city: 'VILLE 1', regime: dp.Regime.INSURANCE },
  ])
  const isInternal = (e) => {
    assert.ok(e instanceof Error)
    assert.ok(dp.isPortalError(e, 'STORAGE'), `${e.name} ${e.code}: ${e.message}`)
    assert.deepEqual(e.criteria, [])
    assert.doesNotMatch(e.message, /test hook/, 'the panic message is not shown')
    return true
  }
  assert.throws(() => dp.__panic(portal), isInternal)
  assert.throws(() => dp.__panicOutside(), isInternal)
  await assert.rejects(dp.__panicAsync(), isInternal)
  // Twice, then real calls on the same portal: nothing was left broken.
  assert.throws(() => dp.__panic(portal), isInternal)
  portal.requestPasswordReset(ADMIN_EMAIL)
  assert.equal(portal.pendingNotifications().length, 1)
  assert.equal((await portal.pendingNotificationsAsync()).length, 1)
})

test('the EMAIL_TAKEN ration is configured and covers bulk imports (never echoing the email)', async () => {
  const s = await seed(Portal.inMemory({ ...FAST, email_taken: { max_answers: 2, window: 3600 } }))
  const row = (email) => ({ establishmentCode: 'T99999', lastName: 'Pris', firstName: 'Déjà', email, rights: [Right.SEARCH_CLAIMS] })
  const rows = [row(ADMIN_EMAIL), row(ADMIN_EMAIL), row(ADMIN_EMAIL), row('libre@garage-xyz.fr')]
  const out = s.portal.createUsers(s.session, rows)
  assert.deepEqual(out.map((o) => o.code ?? 'OK'), ['EMAIL_TAKEN', 'EMAIL_TAKEN', 'RATE_LIMITED', 'OK'])
  assert.ok(!JSON.stringify(out[2]).includes(ADMIN_EMAIL))
  const actions = s.portal.auditLog(s.session, 'T99999').map((e) => e.action)
  assert.equal(actions.filter((a) => a === 'email_taken_answered').length, 2)
  assert.equal(actions.filter((a) => a === 'rate_limited').length, 1)
  assert.throws(() => Portal.inMemory({ ...FAST, email_taken: { max_answers: 0 } }), { code: 'INVALID_CONFIG' })
})
