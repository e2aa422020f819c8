// The audit chain's head and keyed verification, and the erasure of an account, through the
// binding, over both stores, with the synchronous methods and their `…Async` twins.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import dp from 'dealer-portal'
import helpers from './helpers.cjs'

const { FAST, USER_PASSWORD, portals, call, seed, invite } = helpers
const KEY = '5a'.repeat(32)

async function fails(promise, code) {
  let caught
  try {
    await promise
  } catch (e) {
    caught = e
  }
  assert.ok(caught, `expected ${code}, got no error`)
  assert.equal(caught.name, 'PortalError')
  assert.equal(caught.code, code, caught.message)
  return caught
}

for (const mode of ['sync', 'async']) {
  for (const [store, open] of Object.entries(portals({ ...FAST, audit_key: KEY }))) {
    const name = (what) => `${what} (${mode}, ${store})`

    test(name('auditHead and verifyAuditChain(expectedHead)'), async () => {
      const portal = open()
      const c = (n, ...args) => call(portal, mode, n, ...args)
      assert.deepEqual(await c('auditHead'), { seq: 0, hash: '0'.repeat(64) })
      const s = await seed(portal, mode)
      const head = await c('auditHead')
      assert.equal(await c('verifyAuditChain'), head.seq)
      assert.equal(await c('verifyAuditChain', head), head.seq)
      assert.match(head.hash, /^[0-9a-f]{64}$/)
      await c('logout', s.session)
      assert.equal(await c('verifyAuditChain', head), head.seq + 1)
      const cut = await fails(c('verifyAuditChain', { seq: head.seq + 10, hash: head.hash }), 'AUDIT_CHAIN_BROKEN')
      assert.match(cut.message, /cut/)
      await fails(c('verifyAuditChain', { seq: head.seq, hash: 'ab'.repeat(32) }), 'AUDIT_CHAIN_BROKEN')
      await fails(c('verifyAuditChain', { seq: 1, hash: 'nope' }), 'INVALID_INPUT')
    })

    test(name('eraseAccount: disabled accounts only, then gone'), async () => {
      const s = await seed(open(), mode)
      const c = (n, ...args) => call(s.portal, mode, n, ...args)
      const victim = await invite(s, 'zebulonne@garage-xyz.fr', [dp.Right.SEARCH_CLAIMS], { last: 'Quichottard', mode })
      const other = await invite(s, 'hippolyte@garage-xyz.fr', [dp.Right.SEARCH_CLAIMS], { last: 'Barnabeau', mode })
      await fails(c('eraseAccount', s.session, victim), 'INVALID_STATE')
      await fails(c('eraseAccount', s.session, '0'.repeat(32)), 'UNKNOWN_ACCOUNT')
      await c('disableAccount', s.session, victim)
      assert.equal(await c('eraseAccount', s.session, victim), undefined)
      await fails(c('account', s.session, victim), 'UNKNOWN_ACCOUNT')
      await fails(c('enableAccount', s.session, victim), 'UNKNOWN_ACCOUNT')
      const listed = await c('listAccounts', s.session)
      assert.ok(listed.items.every((a) => a.id !== victim))
      assert.equal((await c('account', s.session, other)).lastName, 'Barnabeau')
      await fails(c('login', 'zebulonne@garage-xyz.fr', USER_PASSWORD), 'INVALID_CREDENTIALS')
      assert.ok((await c('verifyAuditChain')) > 0)
      const events = await c('auditLog', s.session, 'T99999')
      assert.ok(events.some((e) => e.action === 'account_erased' && e.subject === victim))
    })
  }

  test(`a keyed chain needs its key (${mode})`, async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dealer-portal-audit-')), 'portal.db')
    await seed(dp.Portal.open(file, { ...FAST, audit_key: KEY }), mode)
    for (const [config, says] of [[FAST, /no audit_key/], [{ ...FAST, audit_key: '11'.repeat(32) }, /not the one/]]) {
      const e = await fails(call(dp.Portal.open(file, config), mode, 'verifyAuditChain'), 'AUDIT_CHAIN_BROKEN')
      assert.match(e.message, says)
    }
    assert.throws(() => dp.Portal.inMemory({ ...FAST, audit_key: '12' }), (e) => e.code === 'INVALID_CONFIG')
  })
}
