// The seed's flows end to end (training guide §1–§4), from ESM, over both stores, once with the
// synchronous methods and once with their `…Async` twins.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Portal, Right, Regime, reconcile, isPortalError } from 'dealer-portal'
import helpers from './helpers.cjs'

const { ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, establishments, portals, call, takeToken, seed } = helpers

const stores = portals()

async function rejects(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof Error)
    assert.equal(e.code, code, e.message)
    return true
  })
}

async function seedScenario(portal, mode) {
  const c = (name, ...args) => call(portal, mode, name, ...args)

  // §1: the administrator is declared with the manager's extranet, on both garages.
  const adminId = await c('declareAdministrator', ADMIN_EMAIL, 'Geloen', 'Alexandre', 'Gérant', establishments())
  assert.match(adminId, /^[0-9a-f]{32}$/)
  // Declaring again adds, never duplicates.
  assert.equal(await c('declareAdministrator', ADMIN_EMAIL, 'Geloen', 'Alexandre', 'Gérant', establishments()), adminId)

  // "Mot de passe oublié": a reset mail, whose link is inspected (not consumed) then used.
  await c('requestPasswordReset', '  Admin@Garage-XYZ.fr ')
  const notes = await c('pendingNotifications')
  assert.deepEqual(notes.map((n) => [n.kind, n.email]), [['password_reset', ADMIN_EMAIL]])
  const note = notes[0]
  assert.equal(note.subject, 'Réinitialisation du mot de passe')
  assert.equal(note.locale, 'fr')
  assert.match(note.expiresAt, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/)
  assert.ok(Date.parse(note.expiresAt) > Date.now())
  let token = note.token
  const status = await c('inspectToken', token)
  assert.equal(status.usable, true)
  assert.equal(status.kind, 'password_reset')
  assert.equal(typeof status.expiresAt, 'string')
  assert.equal((await c('inspectToken', token)).usable, true) // inspecting never consumes
  await c('acknowledgeNotification', note.id)
  assert.deepEqual(await c('pendingNotifications'), [])

  await c('completePasswordReset', token, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_PASSWORD)
  assert.equal((await c('inspectToken', token)).usable, false)

  const session = await c('login', ADMIN_EMAIL, ADMIN_PASSWORD, { remember: true })
  assert.equal(session.accountId, adminId)
  // A remembered session lasts about 30 days.
  assert.ok(Date.parse(session.expiresAt) - Date.now() > 29 * 24 * 3600 * 1000)
  assert.deepEqual((await c('manageableEstablishments', session.token)).map((e) => e.code), ['T88888', 'T99999'])
  const [uvw] = await c('manageableEstablishments', session.token)
  assert.deepEqual(uvw, { code: 'T88888', name: 'GARAGE UVW', city: 'VILLE 2', regime: Regime.DELEGATED_MANAGEMENT })

  // §2: a user with some of the administrator's rights gets an activation mail.
  const rights = [Right.SUBMIT_CLAIMS, Right.SEARCH_CLAIMS]
  const userId = await c('createUser', session.token, 'T99999', 'GELOEN', 'Alexandre', 'alexandre@gmail.com', rights, {
    mobile: '06 23 42 54 55',
  })
  const activation = (await c('pendingNotifications')).filter((n) => n.kind === 'activation')
  assert.deepEqual(activation.map((n) => n.email), ['alexandre@gmail.com'])
  assert.equal(activation[0].subject, 'Activez votre compte')
  token = await takeToken(portal, 'alexandre@gmail.com', 'activation', mode)
  assert.equal((await c('inspectToken', token)).kind, 'activation')
  await c('activateAccount', token, 'alexandre@gmail.com', USER_PASSWORD, USER_PASSWORD)
  const userSession = await c('login', 'alexandre@gmail.com', USER_PASSWORD)
  assert.equal(userSession.accountId, userId)

  assert.deepEqual(await c('rightsMatrix', session.token, userId), { T99999: rights })
  const matrix = await c('rightsMatrix', session.token, adminId)
  assert.deepEqual(Object.keys(matrix), ['T88888', 'T99999'])
  assert.deepEqual(matrix.T88888, Object.values(Right))

  // More accounts, to see the French order: Éric sorts among the E.
  for (const [last, first, email] of [
    ['Éluard', 'Paul', 'paul.eluard@garage-xyz.fr'],
    ['Dupont', 'Éric', 'eric.dupont@garage-xyz.fr'],
    ['Zola', 'Émile', 'emile.zola@garage-xyz.fr'],
  ]) {
    await c('createUser', session.token, 'T99999', last, first, email, [Right.SEARCH_CLAIMS])
  }
  const page = await c('listAccounts', session.token)
  assert.deepEqual(page.items.map((a) => a.lastName), ['Dupont', 'Éluard', 'Geloen', 'GELOEN', 'Zola'])
  assert.equal(page.total, 5)
  const states = Object.fromEntries(page.items.map((a) => [a.email, a.state]))
  assert.equal(states[ADMIN_EMAIL], 'active')
  assert.equal(states['paul.eluard@garage-xyz.fr'], 'invited')
  const desc = await c('listAccounts', session.token, { descending: true, limit: 2 })
  assert.equal(desc.items[0].lastName, 'Zola')
  assert.equal(desc.total, 5)
  assert.equal(desc.items.length, 2)
  const found = await c('listAccounts', session.token, { text: 'eric' })
  assert.deepEqual(found.items.map((a) => a.email), ['eric.dupont@garage-xyz.fr'])
  const onUvw = await c('listAccounts', session.token, { establishmentCode: 'T88888' })
  assert.deepEqual(onUvw.items.map((a) => a.email), [ADMIN_EMAIL])
  const invited = await c('listAccounts', session.token, { state: 'invited', right: Right.SEARCH_CLAIMS })
  assert.equal(invited.total, 3)

  // §3: documents, searched by a user connected to an establishment.
  const firstId = await c('addDocument', 'T99999', {
    category: 'accounting',
    number: '2204003143',
    issuedOn: '2024-01-15',
    kind: 'maintenance_invoice',
    amountCents: 12345,
  })
  assert.equal(typeof firstId, 'string')
  const ids = await c('addDocuments', 'T99999', [
    { category: 'accounting', number: '2204003144', issuedOn: '2024-03-02', kind: 'warranty_invoice' },
    { category: 'contract', number: 'C123456', issuedOn: '2024-02-01', registration: 'ab-123-cd', contractNumber: 'AB12345678' },
  ])
  assert.equal(ids.length, 2)
  const docs = await c('searchDocuments', session.token, 'T99999', 'accounting')
  assert.equal(docs.total, 2)
  assert.deepEqual(docs.items.map((d) => d.number), ['2204003144', '2204003143'])
  assert.equal(docs.items[1].id, firstId)
  assert.equal(docs.items[1].establishment, 'T99999')
  assert.equal(docs.items[1].amountCents, 12345)
  assert.equal(docs.items[1].kind, 'maintenance_invoice')
  assert.equal(docs.items[1].issuedOn, '2024-01-15')
  const one = await c('searchDocuments', session.token, 'T99999', 'accounting', { number: '2204003143' })
  assert.deepEqual(one.items.map((d) => d.number), ['2204003143'])
  const jan = await c('searchDocuments', session.token, 'T99999', 'accounting', { periodFrom: '1/2024', periodTo: '1/2024' })
  assert.deepEqual(jan.items.map((d) => d.number), ['2204003143'])
  const plate = await c('searchDocuments', session.token, 'T99999', 'contract', { reference: 'AB 123 cd' })
  assert.deepEqual(plate.items.map((d) => d.registration), ['AB-123-CD'])
  const paged = await c('searchDocuments', session.token, 'T99999', 'accounting', { offset: 1, limit: 1 })
  assert.deepEqual([paged.total, paged.items.map((d) => d.number)], [2, ['2204003143']])

  // Monthly debits: recorded lines reconciled against the regime.
  await c('recordDebitLine', 'T99999', '1/2024', { issuer: 'stellantis_insurance', nature: 'premium', amountCents: 50000 })
  await c('recordDebitLine', 'T99999', '1/2024', { issuer: 'stellantis_services', nature: 'npo', amountCents: 2500 })
  const statement = await c('monthlyStatement', session.token, 'T99999', '1/2024')
  assert.equal(statement.regime, Regime.INSURANCE)
  assert.equal(statement.complete, true)
  assert.deepEqual(statement.debits.map((d) => [d.code, d.totalCents]), [['insurance_monthly', 52500]])
  const offline = reconcile(Regime.INSURANCE, '1/2024', [
    { issuer: 'stellantis_insurance', nature: 'premium', amountCents: 50000 },
    { issuer: 'stellantis_services', nature: 'npo', amountCents: 2500 },
  ])
  assert.deepEqual(offline, statement)

  // The audit log of the establishment, chained.
  const log = await c('auditLog', session.token, 'T99999')
  const actions = log.map((e) => e.action)
  for (const a of ['administrator_declared', 'user_created', 'account_activated']) assert.ok(actions.includes(a), a)
  assert.ok(log[0].seq > log[log.length - 1].seq) // newest first
  const created = log.find((e) => e.action === 'user_created' && e.subject === userId)
  assert.equal(created.actor, adminId)
  assert.deepEqual(created.establishments, ['T99999'])
  assert.deepEqual(created.details, { rights: ['submit_claims', 'search_claims'] })
  assert.match(created.hash, /^[0-9a-f]{64}$/)
  assert.equal((await c('auditLog', session.token, 'T99999', { offset: 1, limit: 2 })).length, 2)
  assert.ok((await c('verifyAuditChain')) >= log.length)

  // The user can no longer log in once disabled, and again once enabled.
  await c('disableAccount', session.token, userId)
  await rejects(call(portal, mode, 'login', 'alexandre@gmail.com', USER_PASSWORD), 'INVALID_CREDENTIALS')
  await c('enableAccount', session.token, userId)
  await c('login', 'alexandre@gmail.com', USER_PASSWORD)

  // Logout ends the session.
  await c('logout', session.token)
  await rejects(call(portal, mode, 'manageableEstablishments', session.token), 'SESSION_INVALID')
}

for (const mode of ['sync', 'async']) {
  for (const [store, open] of Object.entries(stores)) {
    test(`seed scenario (${mode}, ${store})`, () => seedScenario(open(), mode))
  }
}

test('Portal.openAsync opens a SQLite file off the event loop', async () => {
  const portal = await Portal.openAsync(`${helpers.tmpDir()}/async.db`, helpers.FAST)
  assert.ok(portal instanceof Portal)
  const s = await seed(portal, 'async')
  assert.equal((await portal.manageableEstablishmentsAsync(s.session)).length, 2)
})

test('the SQLite store keeps everything across reopening', async () => {
  const file = `${helpers.tmpDir()}/reopen.db`
  const s = await seed(Portal.open(file, helpers.FAST))
  const again = Portal.open(file, helpers.FAST)
  assert.equal(again.login(ADMIN_EMAIL, ADMIN_PASSWORD).accountId, s.adminId)
  assert.equal(again.verifyAuditChain(), s.portal.verifyAuditChain())
})

for (const mode of ['sync', 'async']) {
  test(`repairer registration (${mode})`, async () => {
    const portal = stores.memory()
    const c = (name, ...args) => call(portal, mode, name, ...args)
    assert.equal(await c('registerRepairer', 'Garage.Libre@Example.fr', 'Libre', 'Jean', 'GARAGE LIBRE', 'VILLE 3'), undefined)
    const token = await takeToken(portal, 'garage.libre@example.fr', 'activation', mode)
    await c('activateAccount', token, 'garage.libre@example.fr', USER_PASSWORD, USER_PASSWORD)
    const session = await c('login', 'garage.libre@example.fr', USER_PASSWORD)
    const [shop] = await c('manageableEstablishments', session.token)
    assert.match(shop.code, /^R\d+$/)
    assert.equal(shop.regime, undefined)
    assert.equal(shop.name, 'GARAGE LIBRE')
    assert.deepEqual(await c('rightsMatrix', session.token, session.accountId), {
      [shop.code]: [Right.SUBMIT_CLAIMS, Right.SEARCH_CLAIMS, Right.MANAGE_ACCOUNTS],
    })
    // Same answer when the email is taken; its owner is told instead.
    await c('registerRepairer', 'garage.libre@example.fr', 'Libre', 'Jean', 'GARAGE LIBRE', 'VILLE 3')
    assert.deepEqual((await c('pendingNotifications')).map((n) => n.kind), ['account_exists'])
  })

  test(`change password, resend activation, rights (${mode})`, async () => {
    const s = await seed(stores.memory(), mode)
    const c = (name, ...args) => call(s.portal, mode, name, ...args)
    const userId = await c('createUser', s.session, 'T99999', 'Martin', 'Léa', 'lea@garage-xyz.fr', [Right.SEARCH_CLAIMS])
    const first = await takeToken(s.portal, 'lea@garage-xyz.fr', 'activation', mode)
    await c('resendActivation', s.session, userId)
    const second = await takeToken(s.portal, 'lea@garage-xyz.fr', 'activation', mode)
    assert.equal((await c('inspectToken', first)).usable, false)
    assert.equal((await c('inspectToken', second)).usable, true)

    await c('setRights', s.session, userId, 'T88888', [Right.SEARCH_CLAIMS, Right.SUBMIT_CLAIMS])
    assert.deepEqual(await c('rightsMatrix', s.session, userId), {
      T88888: [Right.SUBMIT_CLAIMS, Right.SEARCH_CLAIMS],
      T99999: [Right.SEARCH_CLAIMS],
    })
    await c('setRights', s.session, userId, 'T88888', [])
    assert.deepEqual(Object.keys(await c('rightsMatrix', s.session, userId)), ['T99999'])

    const newPassword = 'Nouveau-Garage-2027?'
    await c('changePassword', s.session, ADMIN_PASSWORD, newPassword, newPassword)
    // Every session of the account ended.
    await rejects(call(s.portal, mode, 'listAccounts', s.session), 'SESSION_INVALID')
    assert.equal((await c('login', ADMIN_EMAIL, newPassword)).accountId, s.adminId)
  })

  test(`bulk user import (${mode})`, async () => {
    const s = await seed(stores.sqlite(), mode)
    const rows = [
      { establishmentCode: 'T99999', lastName: 'GELOEN', firstName: 'Alexandre', email: 'alexandre@gmail.com', rights: [Right.SUBMIT_CLAIMS], mobile: '06 23 42 54 55' },
      { establishmentCode: 'T99999', lastName: 'Bad', firstName: 'Email', email: 'not-an-email', rights: [Right.SUBMIT_CLAIMS] },
      { establishmentCode: 'T12345', lastName: 'Nowhere', firstName: 'Man', email: 'nowhere@garage.fr', rights: [Right.SUBMIT_CLAIMS] },
      { establishmentCode: 'T88888', lastName: 'Martin', firstName: 'Léa', email: 'lea@garage-uvw.fr', rights: [Right.SEARCH_CLAIMS, Right.SUBMIT_CLAIMS] },
      { establishmentCode: 'T88888', lastName: 'Again', firstName: 'Alexandre', email: 'Alexandre@Gmail.com', rights: [Right.SEARCH_CLAIMS] },
    ]
    const outcomes = await call(s.portal, mode, 'createUsers', s.session, rows)
    assert.deepEqual(outcomes.map((o) => o.code ?? 'ok'), ['ok', 'INVALID_EMAIL', 'UNKNOWN_ESTABLISHMENT', 'ok', 'EMAIL_TAKEN'])
    assert.ok(outcomes[1].message.length > 0)
    const created = Object.fromEntries((await call(s.portal, mode, 'listAccounts', s.session)).items.map((a) => [a.email, a.id]))
    assert.equal(created['alexandre@gmail.com'], outcomes[0].accountId)
    assert.equal(created['lea@garage-uvw.fr'], outcomes[3].accountId)
    // A bad session fails the whole call.
    await rejects(call(s.portal, mode, 'createUsers', 'not-a-session', rows), 'SESSION_INVALID')
  })
}

test('a portal answers many concurrent async calls consistently', async () => {
  const s = await seed(stores.sqlite())
  const emails = Array.from({ length: 12 }, (_, i) => `user${i}@garage-xyz.fr`)
  const ids = await Promise.all(
    emails.map((e) => s.portal.createUserAsync(s.session, 'T99999', 'Martin', 'Léa', e, [Right.SEARCH_CLAIMS])),
  )
  assert.equal(new Set(ids).size, emails.length)
  // Two concurrent creations of one email: exactly one wins.
  const race = await Promise.allSettled([
    s.portal.createUserAsync(s.session, 'T99999', 'A', 'B', 'same@garage-xyz.fr', [Right.SEARCH_CLAIMS]),
    s.portal.createUserAsync(s.session, 'T99999', 'A', 'B', 'same@garage-xyz.fr', [Right.SEARCH_CLAIMS]),
  ])
  assert.deepEqual(race.map((r) => r.status).sort(), ['fulfilled', 'rejected'])
  assert.ok(isPortalError(race.find((r) => r.status === 'rejected').reason, 'EMAIL_TAKEN'))
  assert.equal((await s.portal.listAccountsAsync(s.session)).total, 1 + emails.length + 1)
})
