// The host surface of the second release through the binding, over both stores, once with the
// synchronous methods and once with their `…Async` twins: authenticate, the connected
// establishment, one's own sessions, profiles with both phones, the email change end to end and
// the header's quick search — the ground of the core's tests/suite/host.rs. Bad input gets its
// code and changes nothing.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Right, visibleSections, callingCodes, describeRight, screenLabels } from 'dealer-portal'
import helpers from './helpers.cjs'

const { ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, portals, call, takeToken, seed, invite } = helpers

const stores = portals()
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/
const SECTIONS = ['home', 'quotes_and_contracts', 'workshop_claims', 'easicare', 'documents', 'account_management']

/** Awaits `promise` (a call in either mode) and checks it fails with `code`; returns the error. */
async function fails(promise, code) {
  let caught
  try {
    await promise
  } catch (e) {
    caught = e
  }
  assert.ok(caught, `expected ${code}, got no error`)
  assert.ok(caught instanceof Error)
  assert.equal(caught.name, 'PortalError')
  assert.equal(caught.code, code, caught.message)
  return caught
}

/** The seeded administrator, a call helper and a way to log a user in. */
async function setup(open, mode) {
  const s = await seed(open(), mode)
  const c = (name, ...args) => call(s.portal, mode, name, ...args)
  const login = async (email, password = USER_PASSWORD, options) => (await c('login', email, password, options)).token
  const user = async (email, rights, code = 'T99999', session = s.session) => {
    const id = await invite({ ...s, session }, email, rights, { code, mode })
    return { id, session: await login(email) }
  }
  return { ...s, c, login, user }
}

for (const mode of ['sync', 'async']) {
  for (const [store, open] of Object.entries(stores)) {
    const name = (what) => `${what} (${mode}, ${store})`

    test(name('authenticate says who, where, with which rights and which menu'), async () => {
      const { c, session, adminId, user, login } = await setup(open, mode)
      const info = await c('authenticate', session)
      assert.equal(info.accountId, adminId)
      assert.equal(info.email, ADMIN_EMAIL)
      assert.deepEqual([info.lastName, info.firstName, info.role], ['Geloen', 'Alexandre', 'administrator'])
      assert.match(info.expiresAt, ISO)
      // Connected at login to the first establishment, in code order, where it holds a right.
      assert.equal(info.establishment, 'T88888')
      assert.deepEqual(Object.keys(info.rights), ['T88888', 'T99999'])
      assert.deepEqual(info.rights.T99999, Object.values(Right))
      assert.deepEqual(info.sections.map((x) => x.code), SECTIONS)
      assert.deepEqual(info.sections.at(-1), { code: 'account_management', labelFr: 'GESTION DES COMPTES', labelEn: 'ACCOUNT MANAGEMENT' })
      assert.equal(info.mfaEnrolled, false)
      assert.equal(info.restricted, false)
      await fails(c('authenticate', 'not-a-token'), 'SESSION_INVALID')
      await fails(c('authenticate', 'A'.repeat(43)), 'SESSION_INVALID')

      // A user holding one search right sees that right's tab only, as visibleSections says.
      const lea = await user('lea@garage-xyz.fr', [Right.SEARCH_CLAIMS])
      const seen = await c('authenticate', lea.session)
      assert.deepEqual([seen.accountId, seen.role, seen.establishment], [lea.id, 'user', 'T99999'])
      assert.deepEqual(seen.rights, { T99999: [Right.SEARCH_CLAIMS] })
      assert.deepEqual(seen.sections.map((x) => x.code), ['home', 'workshop_claims', 'easicare'])
      assert.deepEqual(seen.sections, visibleSections([Right.SEARCH_CLAIMS]))

      // A remembered session lasts longer; a logged-out one is gone.
      const remembered = await login(ADMIN_EMAIL, ADMIN_PASSWORD, { remember: true })
      assert.ok(Date.parse((await c('authenticate', remembered)).expiresAt) > Date.parse(info.expiresAt))
      await c('logout', lea.session)
      await fails(c('authenticate', lea.session), 'SESSION_INVALID')
    })

    test(name('the connected establishment: switched, held by the session, used when none is named'), async () => {
      const { c, session, portal } = await setup(open, mode)
      const switched = await c('selectEstablishment', session, 't99999')
      assert.equal(switched.establishment, 'T99999')
      assert.equal((await c('authenticate', session)).establishment, 'T99999', 'held by the session')
      await fails(c('selectEstablishment', session, 'T12345'), 'UNKNOWN_ESTABLISHMENT')
      await fails(c('selectEstablishment', session, 'T-99'), 'INVALID_ESTABLISHMENT_CODE')
      assert.equal((await c('authenticate', session)).establishment, 'T99999', 'a refused switch changes nothing')

      // createUser, searchDocuments, auditLog and monthlyStatement without a code: the connected one.
      const paulId = await c('createUser', session, null, 'Durand', 'Paul', 'paul@garage-xyz.fr', [Right.ACCOUNTING_DOCUMENTS])
      assert.deepEqual(await c('rightsMatrix', session, paulId), { T99999: [Right.ACCOUNTING_DOCUMENTS] })
      const leaId = await c('createUser', session, undefined, 'Martin', 'Léa', 'lea@garage-xyz.fr', [Right.SEARCH_CLAIMS])
      assert.deepEqual(Object.keys(await c('rightsMatrix', session, leaId)), ['T99999'])
      await c('addDocument', 'T99999', { category: 'accounting', number: '2204003143', issuedOn: '2026-01-10' })
      assert.equal((await c('searchDocuments', session, null, 'accounting')).total, 1)
      assert.equal((await c('searchDocuments', session, undefined, 'accounting')).total, 1)
      assert.equal((await c('searchDocuments', session, 'T88888', 'accounting')).total, 0)
      assert.deepEqual(await c('auditLog', session), await c('auditLog', session, 'T99999'))
      assert.deepEqual(await c('auditLog', session, null, { limit: 2 }), await c('auditLog', session, 'T99999', { limit: 2 }))
      await c('recordDebitLine', 'T99999', '1/2026', { issuer: 'stellantis_insurance', nature: 'premium', amountCents: 50000 })
      const statement = await c('monthlyStatement', session, null, '1/2026')
      assert.deepEqual(statement, await c('monthlyStatement', session, 'T99999', '1/2026'))
      assert.equal(statement.regime, 'insurance')

      // A user with rights on T99999 only cannot connect to T88888, and stays where it was.
      const token = await takeToken(portal, 'paul@garage-xyz.fr', 'activation', mode)
      await c('activateAccount', token, 'paul@garage-xyz.fr', USER_PASSWORD, USER_PASSWORD)
      const paul = (await c('login', 'paul@garage-xyz.fr', USER_PASSWORD)).token
      const e = await fails(c('selectEstablishment', paul, 'T88888'), 'FORBIDDEN')
      assert.match(e.message, /T88888/)
      assert.equal((await c('authenticate', paul)).establishment, 'T99999')
      // Its menu on T99999: documents, from its one right.
      assert.deepEqual((await c('authenticate', paul)).sections.map((x) => x.code), ['home', 'easicare', 'documents'])
    })

    test(name("one's own sessions: listed from two logins, one revoked, the others revoked"), async () => {
      const { c, session: first, login, user } = await setup(open, mode)
      const second = await login(ADMIN_EMAIL, ADMIN_PASSWORD, { remember: true })
      const listed = await c('listSessions', first)
      assert.equal(listed.length, 2)
      assert.deepEqual(listed.map((x) => x.current), [true, false], 'oldest first, the asking one marked')
      assert.deepEqual(listed.map((x) => x.remembered), [false, true])
      for (const x of listed) {
        assert.match(x.id, /^[0-9a-f]{32}$/)
        assert.ok(!first.includes(x.id) && !second.includes(x.id), 'never the token')
        for (const t of [x.createdAt, x.lastSeenAt, x.expiresAt]) assert.match(t, ISO)
      }
      assert.deepEqual((await c('listSessions', second)).map((x) => x.current), [false, true])

      // Someone else's session id, an id of no session, garbage or a token: UNKNOWN_SESSION, and
      // nothing ends.
      const lea = await user('lea@garage-xyz.fr', [Right.SEARCH_CLAIMS])
      const [leaSession] = await c('listSessions', lea.session)
      await fails(c('revokeSession', first, leaSession.id), 'UNKNOWN_SESSION')
      await fails(c('revokeSession', first, '0'.repeat(32)), 'UNKNOWN_SESSION')
      const garbage = await fails(c('revokeSession', first, 'a-session-token-by-mistake'), 'UNKNOWN_SESSION')
      assert.ok(!garbage.message.includes('a-session-token-by-mistake'), 'what was given is not repeated')
      const token = await fails(c('revokeSession', first, second), 'UNKNOWN_SESSION')
      assert.ok(!token.message.includes(second), 'no token in the message')
      assert.equal((await c('authenticate', lea.session)).accountId, lea.id)
      assert.deepEqual((await c('listSessions', first)).map((x) => x.id), listed.map((x) => x.id))
      await fails(c('revokeSession', 'not-a-session', listed[1].id), 'SESSION_INVALID')
      await c('authenticate', second)

      // Ending the other one; the asking one goes on.
      await c('revokeSession', first, listed[1].id)
      await fails(c('authenticate', second), 'SESSION_INVALID')
      await c('authenticate', first)
      assert.deepEqual((await c('listSessions', first)).map((x) => x.id), [listed[0].id])

      // Ending all the others.
      const third = await login(ADMIN_EMAIL, ADMIN_PASSWORD)
      const fourth = await login(ADMIN_EMAIL, ADMIN_PASSWORD)
      assert.equal(await c('revokeOtherSessions', fourth), 2)
      await fails(c('authenticate', first), 'SESSION_INVALID')
      await fails(c('authenticate', third), 'SESSION_INVALID')
      assert.equal((await c('listSessions', fourth)).length, 1)
      assert.equal(await c('revokeOtherSessions', fourth), 0)
      // The current session may end itself by its id.
      const [own] = await c('listSessions', fourth)
      await c('revokeSession', fourth, own.id)
      await fails(c('authenticate', fourth), 'SESSION_INVALID')
      // Another person's sessions were never touched.
      await c('authenticate', lea.session)
    })

    test(name('profiles: read and edited with both phones; bad input changes nothing'), async () => {
      const { c, session, adminId, user } = await setup(open, mode)
      const mine = await c('account', session, adminId)
      assert.deepEqual(
        [mine.id, mine.email, mine.lastName, mine.firstName, mine.function, mine.state, mine.role],
        [adminId, ADMIN_EMAIL, 'Geloen', 'Alexandre', 'Gérant', 'active', 'administrator'],
      )
      assert.equal(mine.mobile, undefined)
      assert.equal(mine.landlineDisplay, undefined)
      assert.match(mine.createdAt, ISO)
      assert.match(mine.lastLoginAt, ISO)
      assert.deepEqual(Object.keys(mine.rights), ['T88888', 'T99999'])

      // Both phones as typed: a French mobile, a Belgian landline.
      const edited = await c('updateProfile', session, adminId, { firstName: 'Alexandre-Marie', mobile: '06 23 42 54 55', landline: '+32 2 555 12 12' })
      assert.equal(edited.firstName, 'Alexandre-Marie')
      assert.equal(edited.lastName, 'Geloen', 'a field left out is kept')
      assert.deepEqual([edited.mobile, edited.mobileDisplay], ['+33623425455', '06 23 42 54 55'])
      assert.equal(edited.landline, '+3225551212')
      assert.equal(typeof edited.landlineDisplay, 'string')
      assert.deepEqual(await c('account', session, adminId), edited, 'stored')
      // "" clears a phone; a field left out or undefined is kept.
      const cleared = await c('updateProfile', session, adminId, { landline: '', mobile: undefined })
      assert.equal(cleared.landline, undefined)
      assert.equal(cleared.landlineDisplay, undefined)
      assert.equal(cleared.mobile, '+33623425455')
      assert.deepEqual(await c('updateProfile', session, adminId), cleared, 'no update changes nothing')

      // Bad input gets its code, and nothing changes: a landline in the mobile field, a mobile in
      // the landline field, an empty function, an empty name, a number that is none.
      const before = await c('account', session, adminId)
      for (const [update, code] of [
        [{ mobile: '01 34 34 67 88' }, 'INVALID_PHONE'],
        [{ landline: '06 12 34 56 78', firstName: 'Changed' }, 'INVALID_PHONE'],
        [{ mobile: 'not a number' }, 'INVALID_PHONE'],
        [{ function: '' }, 'INVALID_INPUT'],
        [{ function: '   ' }, 'INVALID_INPUT'],
        [{ lastName: '' }, 'INVALID_NAME'],
      ]) {
        await fails(c('updateProfile', session, adminId, update), code)
      }
      assert.deepEqual(await c('account', session, adminId), before)
      await fails(c('account', session, 'not-an-id'), 'UNKNOWN_ACCOUNT')
      await fails(c('account', session, '0'.repeat(32)), 'UNKNOWN_ACCOUNT')
      await fails(c('updateProfile', session, '0'.repeat(32), { function: 'Comptable' }), 'UNKNOWN_ACCOUNT')

      // A manager edits a user of its establishments; the user cannot see the manager, but edits
      // its own profile.
      const lea = await user('lea@garage-xyz.fr', [Right.SEARCH_CLAIMS])
      const detail = await c('account', session, lea.id)
      assert.deepEqual([detail.role, detail.state, detail.rights], ['user', 'active', { T99999: [Right.SEARCH_CLAIMS] }])
      assert.equal((await c('updateProfile', session, lea.id, { function: 'Comptable' })).function, 'Comptable')
      await fails(c('account', lea.session, adminId), 'UNKNOWN_ACCOUNT')
      await fails(c('updateProfile', lea.session, adminId, { function: 'Comptable' }), 'UNKNOWN_ACCOUNT')
      assert.deepEqual(await c('account', session, adminId), before, 'refused: nothing changed')
      const own = await c('updateProfile', lea.session, lea.id, { mobile: '0033 6 23 42 54 56' })
      assert.deepEqual([own.mobile, own.function], ['+33623425456', 'Comptable'])

      // A manager of one of the account's two establishments reads it (its part), cannot edit it.
      const chef = await user('chef@garage-uvw.fr', [Right.MANAGE_ACCOUNTS, Right.SEARCH_CLAIMS], 'T88888')
      await c('setRights', session, lea.id, 'T88888', [Right.SEARCH_CLAIMS])
      const seen = await c('account', chef.session, lea.id)
      assert.deepEqual(Object.keys(seen.rights), ['T88888'], 'only the establishments it manages')
      await fails(c('updateProfile', chef.session, lea.id, { function: 'Chef' }), 'FORBIDDEN')
      assert.equal((await c('account', session, lea.id)).function, 'Comptable')
    })

    test(name('email change end to end: old address refused, new one works, old sessions dead'), async () => {
      const { c, session, portal, login, user } = await setup(open, mode)
      const other = await login(ADMIN_EMAIL, ADMIN_PASSWORD)
      const next = 'alexandre@garage-xyz.fr'
      const mails = async (kind, to) => (await c('pendingNotifications')).filter((n) => n.kind === kind && n.email === to)

      // Refused without any mail: a wrong password (counted), the current address, no address.
      const queued = (await c('pendingNotifications')).length
      await fails(c('requestEmailChange', session, next, 'not my password'), 'INVALID_CREDENTIALS')
      await fails(c('requestEmailChange', session, ADMIN_EMAIL.toUpperCase(), ADMIN_PASSWORD), 'INVALID_INPUT')
      await fails(c('requestEmailChange', session, 'not-an-email', ADMIN_PASSWORD), 'INVALID_EMAIL')
      await fails(c('requestEmailChange', 'not-a-session', next, ADMIN_PASSWORD), 'SESSION_INVALID')
      assert.equal((await c('pendingNotifications')).length, queued)
      assert.equal((await c('authenticate', session)).email, ADMIN_EMAIL)

      assert.equal(await c('requestEmailChange', session, ` ${next.toUpperCase()} `, ADMIN_PASSWORD), undefined)
      const [link] = await mails('email_change', next)
      assert.equal(typeof link.token, 'string')
      const [notice] = await mails('email_change_requested', ADMIN_EMAIL)
      assert.equal(notice.token, undefined, 'the notice to the current address carries no link')
      const status = await c('inspectToken', link.token)
      assert.deepEqual([status.usable, status.kind], [true, 'email_change'])
      assert.equal((await c('authenticate', session)).email, ADMIN_EMAIL, 'nothing changes before the link')
      const token = await takeToken(portal, next, 'email_change', mode)

      await c('confirmEmailChange', token)
      await fails(c('confirmEmailChange', token), 'TOKEN_INVALID')
      await fails(c('login', ADMIN_EMAIL, ADMIN_PASSWORD), 'INVALID_CREDENTIALS')
      const fresh = await login(next, ADMIN_PASSWORD)
      assert.equal((await c('authenticate', fresh)).email, next)
      await fails(c('authenticate', session), 'SESSION_INVALID')
      await fails(c('authenticate', other), 'SESSION_INVALID')

      // A taken address: the same answer, its owner is told, no link is sent.
      await user('lea@garage-xyz.fr', [Right.SEARCH_CLAIMS], 'T99999', fresh)
      const told = (await mails('account_exists', 'lea@garage-xyz.fr')).length
      assert.equal(await c('requestEmailChange', fresh, 'lea@garage-xyz.fr', ADMIN_PASSWORD), undefined)
      assert.deepEqual(await mails('email_change', 'lea@garage-xyz.fr'), [])
      assert.equal((await mails('account_exists', 'lea@garage-xyz.fr')).length, told + 1)
      await fails(c('confirmEmailChange', 'garbage'), 'TOKEN_INVALID')
      // A reset link is no email-change link.
      await c('requestPasswordReset', next)
      await fails(c('confirmEmailChange', await takeToken(portal, next, 'password_reset', mode)), 'TOKEN_INVALID')
      assert.equal((await c('authenticate', fresh)).email, next)
    })

    test(name('quick search: every category the actor may read, a one-right user sees its own'), async () => {
      const { c, session, user } = await setup(open, mode)
      const doc = (category, number, issuedOn, registration) => ({ category, number, issuedOn, registration })
      await c('addDocuments', 'T99999', [
        doc('contract', 'C1', '2026-01-02', 'AB-123-CD'),
        doc('workshop_claim', 'W1', '2026-01-03', 'ab 123 cd'),
        doc('accounting', '2204003143', '2026-01-04', 'AB-123-CD'),
        doc('workshop_claim', 'W2', '2026-01-05', 'XY-999-ZZ'),
      ])
      // The administrator, connected to T99999, reads every category: three documents, newest first.
      await c('selectEstablishment', session, 'T99999')
      const page = await c('searchReference', session, 'ab 123 cd')
      assert.equal(page.total, 3)
      assert.deepEqual(page.items.map((d) => d.number), ['2204003143', 'W1', 'C1'])
      assert.ok(page.items.every((d) => d.establishment === 'T99999' && d.registration === 'AB-123-CD'))
      const second = await c('searchReference', session, 'AB-123-CD', { establishmentCode: 'T99999', offset: 1, limit: 1 })
      assert.deepEqual([second.total, second.items.map((d) => d.number)], [3, ['W1']])
      assert.equal((await c('searchReference', session, 'AB-123-CD', { establishmentCode: 'T88888' })).total, 0)

      // A user holding one search right finds the workshop claims only.
      const lea = await user('lea@garage-xyz.fr', [Right.SEARCH_CLAIMS])
      const found = await c('searchReference', lea.session, 'AB-123-CD')
      assert.deepEqual([found.total, found.items.map((d) => d.number)], [1, ['W1']])
      await fails(c('searchReference', lea.session, 'not a reference'), 'INVALID_QUERY')
      await fails(c('searchReference', lea.session, 'AB-123-CD', { establishmentCode: 'T88888' }), 'FORBIDDEN')
      await fails(c('searchReference', lea.session, 'AB-123-CD', { limit: 0 }), 'INVALID_QUERY')
      await fails(c('searchReference', lea.session, 'AB-123-CD', { establishmentCode: 'T12345' }), 'UNKNOWN_ESTABLISHMENT')
    })
  }
}

test('visibleSections: the tabs each right opens, in the seed order', () => {
  assert.deepEqual(visibleSections([]).map((s) => s.code), ['home', 'easicare'])
  assert.deepEqual(visibleSections(Object.values(Right)).map((s) => s.code), SECTIONS)
  assert.deepEqual(visibleSections([Right.MANAGE_ACCOUNTS, Right.QUOTES_AND_SUBSCRIPTIONS]).map((s) => s.labelFr), [
    'ACCUEIL', 'LISTE DEVIS ET CONTRATS', 'EASICARE', 'GESTION DES COMPTES',
  ])
  assert.deepEqual(visibleSections([Right.SUBMIT_CLAIMS, Right.SUBMIT_CLAIMS]).map((s) => s.labelEn), ['HOME', 'WORKSHOP CLAIMS', 'EASICARE'])
  assert.throws(() => visibleSections(['fly']), (e) => e instanceof Error && e.name !== 'PortalError')
})

test('callingCodes: +33 first, every region once, labelFr and labelEn the core label', () => {
  const codes = callingCodes()
  assert.deepEqual(codes[0], { region: 'FR', code: '+33', labelFr: '🇫🇷 FR +33', labelEn: '🇫🇷 FR +33' })
  assert.ok(codes.length > 200)
  assert.ok(codes.some((c) => c.region === 'BE' && c.code === '+32'))
  assert.equal(new Set(codes.map((c) => c.region)).size, codes.length)
  assert.ok(codes.every((c) => /^\+\d+$/.test(c.code) && c.labelFr === c.labelEn && c.labelFr.endsWith(`${c.region} ${c.code}`)))
})

test("screenLabels: the library's texts for every screen, each once", () => {
  const labels = screenLabels()
  const byKey = new Map(labels.map((l) => [`${l.group}/${l.code}`, l]))
  assert.equal(byKey.size, labels.length)
  assert.equal(
    byKey.get('notice/no_management_elsewhere').labelFr,
    "Vous n'avez pas de droits de gestion de compte sur d'autres établissements",
  )
  assert.equal(byKey.get('sort order/z_to_a').labelFr, 'Ordre alphabétique (Z à A)')
  assert.equal(byKey.get('account state/disabled').labelEn, 'Disabled')
  for (const g of ['password criterion', 'right', 'account state', 'role', 'section', 'sort order', 'notice']) {
    assert.ok(labels.some((l) => l.group === g), g)
  }
})

test("describeRight: each right's labels and the seed's explanation, in French and English", () => {
  assert.deepEqual(describeRight(Right.QUOTES_AND_SUBSCRIPTIONS), {
    code: 'quotes_and_subscriptions',
    labelFr: 'Réaliser des devis & souscriptions',
    labelEn: 'Make quotes and subscriptions',
    descriptionFr: 'Permet de créer des devis et des souscriptions de contrats',
    descriptionEn: 'Lets you create quotes and contract subscriptions',
  })
  for (const r of Object.values(Right)) {
    const d = describeRight(r)
    assert.equal(d.code, r)
    assert.match(d.descriptionFr, /^Permet /)
    assert.match(d.descriptionEn, /^Lets you /)
  }
})
