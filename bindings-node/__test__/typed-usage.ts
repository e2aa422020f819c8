// The whole API used through index.d.ts, checked by `tsc --noEmit --strict` (test.sh). Never
// run: it only has to type-check, with every value's type written out where it documents the
// typings.

import {
  Portal,
  Right,
  Regime,
  evaluatePassword,
  expectedDebits,
  reconcile,
  parseReference,
  supportDirectory,
  describeRight,
  describeRegime,
  isPortalError,
  visibleSections,
  callingCodes,
  screenLabels,
} from 'dealer-portal'
import type {
  MaintenanceReport,
  AccountDetail,
  AccountPage,
  AccountState,
  AccountSummary,
  AuditEvent,
  AuditHead,
  CallingCode,
  ScreenLabel,
  Check,
  Criterion,
  DebitLine,
  Document,
  DocumentPage,
  ErrorCode,
  Establishment,
  Evaluation,
  ExpectedDebit,
  ImportOutcome,
  Labels,
  Notification,
  NotificationKind,
  PortalConfig,
  PortalError,
  ProfileUpdate,
  Reconciliation,
  Reference,
  RightLabels,
  Role,
  SearchReferenceOptions,
  Section,
  SectionCode,
  Session,
  SessionInfo,
  SessionSummary,
  SupportDirectory,
  TokenStatus,
  UserImport,
} from 'dealer-portal'

const config: PortalConfig = {
  hash: { m_cost_kib: 256, t_cost: 1, p_cost: 1 },
  policy: { min_length: 15, excluded_specials: ['€'], blocklist: false },
  tokens: { reset_ttl: 3600, max_reset_mails_per_hour: 3 },
  lockout: { max_failures: 5, base: 900, max: 86400 },
  locale: 'fr',
}

// ----- pure functions -----

const evaluation: Evaluation = evaluatePassword('Garage-XYZ-2026!', { confirmation: 'Garage-XYZ-2026!' })
const checks: ReadonlyArray<Check> = evaluation.checks
const red: Criterion[] = checks.filter((c) => !c.met).map((c) => c.criterion)
const bullets: string[] = checks.map((c) => `${c.met ? '✔' : '✘'} ${c.labelFr} / ${c.labelEn} (${c.threshold})`)
const acceptable: boolean = evaluatePassword('x').acceptable && evaluatePassword('x', { policy: { min_length: 12 } }).acceptable

const debits: ExpectedDebit[] = expectedDebits(Regime.DELEGATED_MANAGEMENT)
const pairs: Array<[string, string]> = debits.flatMap((d) => d.accepted)
const line: DebitLine = { issuer: 'stellantis_services', nature: 'npo', amountCents: 2500, label: 'NPO 01/2024' }
const reconciliation: Reconciliation = reconcile(Regime.INSURANCE, '1/2024', [line])
const totals: number[] = reconciliation.debits.map((d) => d.totalCents)
const missing: string[] = reconciliation.missing
const unexpected: DebitLine[] = reconciliation.unexpected
const complete: boolean = reconciliation.complete && reconciliation.regime === Regime.INSURANCE

const reference: Reference = parseReference('AB 123 cd')
const plate: string | undefined = reference.kind === 'registration_plate' ? reference.plateFormat : undefined
const support: SupportDirectory = supportDirectory()
const phones: string[] = support.channels.filter((c) => c.kind === 'phone').map((c) => c.value)
const labels: Labels = describeRight(Right.MANAGE_ACCOUNTS)
const regimeLabel: string = describeRegime(Regime.SELF_INSURANCE).labelFr
const everyRight: Right[] = Object.values(Right)
const explained: RightLabels = describeRight(Right.ACCOUNTING_DOCUMENTS)
const explanation: string = `${explained.descriptionFr} / ${explained.descriptionEn}`
const tabs: Section[] = visibleSections([Right.SEARCH_CLAIMS, Right.MANAGE_ACCOUNTS])
const tabCodes: SectionCode[] = tabs.map((t) => t.code)
const tabLabels: string[] = tabs.map((t) => `${t.labelFr} / ${t.labelEn}`)
const dial: CallingCode[] = callingCodes()
const dialLabels: string[] = dial.map((c) => `${c.region} ${c.code} ${c.labelFr} ${c.labelEn}`)
const texts: ScreenLabel[] = screenLabels()
const textLines: string[] = texts.map((l) => `${l.group} ${l.code}: ${l.labelFr} / ${l.labelEn}`)

// ----- errors -----

function codeOf(e: unknown): ErrorCode | undefined {
  if (isPortalError(e)) {
    const pe: PortalError = e
    const criteria: Criterion[] = pe.criteria
    return criteria.length > 0 ? 'PASSWORD_POLICY' : pe.code
  }
  return undefined
}

function isTokenInvalid(e: unknown): boolean {
  return isPortalError(e, 'TOKEN_INVALID') && e.message.length > 0
}

// ----- the portal, synchronous -----

function scripts(): void {
  const portal: Portal = Portal.open('portal.db', config)
  const memory: Portal = Portal.inMemory()
  const garages: Establishment[] = [
    { code: 'T99999', name: 'GARAGE XYZ', city: 'VILLE 1', regime: Regime.INSURANCE },
    { code: 'R000001', name: 'GARAGE LIBRE', city: 'VILLE 3' },
  ]
  memory.addEstablishment(garages[0])
  const adminId: string = portal.declareAdministrator('admin@garage-xyz.fr', 'Geloen', 'Alexandre', 'Gérant', garages)
  portal.requestPasswordReset('admin@garage-xyz.fr')
  const notes: Notification[] = portal.pendingNotifications()
  const kinds: NotificationKind[] = notes.map((n) => n.kind)
  const first = notes[0]
  const token: string = first.token ?? ''
  const expires: string | undefined = first.expiresAt
  const meta: string = `${first.id} ${first.email} ${first.name} ${first.subject} ${first.locale} ${first.createdAt}`
  const status: TokenStatus = portal.inspectToken(token)
  const usable: boolean = status.usable && status.kind === 'password_reset'
  portal.acknowledgeNotification(first.id)
  try {
    portal.completePasswordReset(token, 'admin@garage-xyz.fr', 'Garage-XYZ-2026!', 'Garage-XYZ-2026!')
  } catch (e) {
    if (isPortalError(e, 'PASSWORD_POLICY')) console.log(e.criteria.join(', '))
    else throw e
  }
  portal.activateAccount(token, 'lea@garage-xyz.fr', 'Utilisateur-2026!', 'Utilisateur-2026!')
  const session: Session = portal.login('admin@garage-xyz.fr', 'Garage-XYZ-2026!', { remember: true })
  const s: string = session.token
  const who: string = `${session.accountId} until ${session.expiresAt}`
  portal.changePassword(s, 'Garage-XYZ-2026!', 'Nouveau-Garage-2027?', 'Nouveau-Garage-2027?')
  const mine: Establishment[] = portal.manageableEstablishments(s)
  const regime: Regime | undefined = mine[0]?.regime

  const userId: string = portal.createUser(s, 'T99999', 'GELOEN', 'Alexandre', 'alexandre@gmail.com', [Right.SUBMIT_CLAIMS, Right.SEARCH_CLAIMS], {
    mobile: '06 23 42 54 55',
    landline: '01 34 34 67 88',
  })
  portal.createUser(s, 'T99999', 'Martin', 'Léa', 'lea@garage-xyz.fr', [Right.SEARCH_CLAIMS])
  const rows: UserImport[] = [{ establishmentCode: 'T99999', lastName: 'Zola', firstName: 'Émile', email: 'emile@garage-xyz.fr', rights: [Right.SEARCH_CLAIMS] }]
  const outcomes: ImportOutcome[] = portal.createUsers(s, rows)
  const failed: Array<ErrorCode | undefined> = outcomes.filter((o) => o.accountId === undefined).map((o) => o.code)
  portal.registerRepairer('garage.libre@example.fr', 'Libre', 'Jean', 'GARAGE LIBRE', 'VILLE 3')
  portal.resendActivation(s, userId)
  portal.setRights(s, userId, 'T88888', [Right.SEARCH_CLAIMS])
  const matrix: Record<string, Right[]> = portal.rightsMatrix(s, userId)
  const manages: boolean = (matrix['T99999'] ?? []).includes(Right.MANAGE_ACCOUNTS)
  portal.disableAccount(s, userId)
  portal.enableAccount(s, userId)
  const page: AccountPage = portal.listAccounts(s, {
    text: 'eric',
    establishmentCode: 'T99999',
    right: Right.SEARCH_CLAIMS,
    state: 'invited',
    descending: true,
    offset: 0,
    limit: 20,
  })
  const summaries: AccountSummary[] = portal.listAccounts(s).items
  const state: AccountState | undefined = summaries[0]?.state
  const names: string[] = page.items.map((a) => `${a.lastName} ${a.firstName} <${a.email}> ${a.id} ${a.establishments.join(',')}`)
  const total: number = page.total

  const doc: Document = { category: 'accounting', number: '2204003143', issuedOn: '2024-01-15', kind: 'maintenance_invoice', amountCents: 12345, fileRef: 's3://docs/2204003143.pdf' }
  const docId: string = portal.addDocument('T99999', doc)
  const docIds: string[] = portal.addDocuments('T99999', [
    { category: 'contract', number: 'C1', issuedOn: '2024-02-01', registration: 'AB-123-CD', contractNumber: 'AB1', agreementNumber: 'AG1', title: 'Contrat' },
  ])
  const found: DocumentPage = portal.searchDocuments(s, 'T99999', 'accounting', {
    kind: 'credit_note',
    number: '2204003143',
    periodFrom: '1/2024',
    periodTo: '12/2024',
    reference: 'AB-123-CD',
    offset: 0,
    limit: 10,
  })
  const numbers: string[] = found.items.map((d) => `${d.id ?? ''} ${d.establishment ?? ''} ${d.number}`)
  portal.recordDebitLine('T99999', '1/2024', line)
  const statement: Reconciliation = portal.monthlyStatement(s, 'T99999', '1/2024')
  const log: AuditEvent[] = portal.auditLog(s, 'T99999', { offset: 0, limit: 10 })

  // The host surface: the connected establishment when no code is given.
  const info: SessionInfo = portal.authenticate(s)
  const where: string | undefined = info.establishment
  const role: Role = info.role
  const rightsHere: Right[] = info.rights[where ?? ''] ?? []
  const menu: SectionCode[] = info.sections.map((x) => x.code)
  const flags: boolean = info.mfaEnrolled || info.restricted
  const person: string = `${info.accountId} ${info.email} ${info.lastName} ${info.firstName} ${info.expiresAt}`
  const moved: SessionInfo = portal.selectEstablishment(s, 'T99999')
  const sessions: SessionSummary[] = portal.listSessions(s)
  const shown: string[] = sessions.map((x) => `${x.id} ${x.createdAt} ${x.lastSeenAt} ${x.expiresAt} ${x.remembered} ${x.current}`)
  portal.revokeSession(s, sessions[0]?.id ?? '')
  const ended: number = portal.revokeOtherSessions(s)
  const where2: SearchReferenceOptions = { establishmentCode: 'T99999', offset: 0, limit: 10 }
  const quick: DocumentPage = portal.searchReference(s, 'AB-123-CD', where2)
  const quickHere: DocumentPage = portal.searchReference(s, 'AB-123-CD')
  const detail: AccountDetail = portal.account(s, userId)
  const phones2: Array<string | undefined> = [detail.mobile, detail.mobileDisplay, detail.landline, detail.landlineDisplay, detail.lastLoginAt]
  const who2: string = `${detail.id} ${detail.email} ${detail.lastName} ${detail.firstName} ${detail.function} ${detail.state} ${detail.role} ${detail.createdAt}`
  const detailRights: Record<string, Right[]> = detail.rights
  const update: ProfileUpdate = { lastName: 'GELOEN', firstName: 'Alexandre', function: 'Comptable', mobile: '06 23 42 54 55', landline: '' }
  const after: AccountDetail = portal.updateProfile(s, userId, update)
  portal.updateProfile(s, userId)
  portal.requestEmailChange(s, 'alexandre@garage-xyz.fr', 'Nouveau-Garage-2027?')
  portal.confirmEmailChange(token)
  portal.createUser(s, null, 'Durand', 'Paul', 'paul@garage-xyz.fr', [Right.ACCOUNTING_DOCUMENTS])
  portal.createUser(s, undefined, 'Durand', 'Marie', 'marie@garage-xyz.fr', [Right.ACCOUNTING_DOCUMENTS])
  const here: DocumentPage = portal.searchDocuments(s, null, 'accounting')
  const hereLog: AuditEvent[] = portal.auditLog(s)
  const hereStatement: Reconciliation = portal.monthlyStatement(s, undefined, '1/2024')
  void [info, role, rightsHere, menu, flags, person, moved, shown, ended, quick, quickHere, phones2, who2, detailRights, after, here, hereLog, hereStatement]

  const actions: string[] = log.map((e) => `${e.seq} ${e.at} ${e.action} ${e.actionLabelFr} ${e.actor ?? '-'} ${e.subject ?? '-'} ${e.prevHash} ${e.hash}`)
  const details: unknown = log[0]?.details
  const chain: number = portal.verifyAuditChain()
  const head: AuditHead = portal.auditHead()
  const sinceHead: number = portal.verifyAuditChain({ seq: head.seq, hash: head.hash })
  const erased: void = portal.eraseAccount(s, '0'.repeat(32))
  void [sinceHead, erased]
  const report: MaintenanceReport = portal.runMaintenance()
  const purged: number = report.notificationsPurged + report.tokensPurged + report.sessionsPurged
  const exported: string = portal.exportAccount(s, 'account-id')
  const live: Evaluation = portal.evaluatePassword('x', { confirmation: 'y' })
  portal.logout(s)
  void [kinds, expires, meta, usable, who, regime, failed, manages, state, names, total, docId, docIds, numbers, statement, actions, details, chain, live, purged, exported]
}

// ----- the portal, asynchronous (a web server) -----

async function server(): Promise<void> {
  const portal: Portal = await Portal.openAsync('portal.db', { hash: { m_cost_kib: 19456, t_cost: 2, p_cost: 1 } })
  const garages: Establishment[] = [{ code: 'T99999', name: 'GARAGE XYZ', city: 'VILLE 1', regime: Regime.INSURANCE }]
  await portal.addEstablishmentAsync(garages[0])
  const adminId: string = await portal.declareAdministratorAsync('admin@garage-xyz.fr', 'Geloen', 'Alexandre', 'Gérant', garages)
  await portal.requestPasswordResetAsync('admin@garage-xyz.fr')
  const notes: Notification[] = await portal.pendingNotificationsAsync()
  const token = notes[0]?.token ?? ''
  const status: TokenStatus = await portal.inspectTokenAsync(token)
  await portal.acknowledgeNotificationAsync(notes[0]?.id ?? 0)
  try {
    await portal.completePasswordResetAsync(token, 'admin@garage-xyz.fr', 'Garage-XYZ-2026!', 'Garage-XYZ-2026!')
  } catch (e: unknown) {
    if (isTokenInvalid(e)) return
    const code: ErrorCode | undefined = codeOf(e)
    void code
  }
  await portal.activateAccountAsync(token, 'lea@garage-xyz.fr', 'Utilisateur-2026!', 'Utilisateur-2026!')
  const sessions: Session[] = await Promise.all([1, 2, 3, 4].map(() => portal.loginAsync('admin@garage-xyz.fr', 'Garage-XYZ-2026!')))
  const s = sessions[0].token
  await portal.changePasswordAsync(s, 'a', 'b', 'b')
  const mine: Establishment[] = await portal.manageableEstablishmentsAsync(s)
  const userId: string = await portal.createUserAsync(s, 'T99999', 'Martin', 'Léa', 'lea@garage-xyz.fr', [Right.SEARCH_CLAIMS], { mobile: '06 23 42 54 55' })
  const outcomes: ImportOutcome[] = await portal.createUsersAsync(s, [])
  await portal.registerRepairerAsync('garage.libre@example.fr', 'Libre', 'Jean', 'GARAGE LIBRE', 'VILLE 3')
  await portal.resendActivationAsync(s, userId)
  await portal.setRightsAsync(s, userId, 'T99999', [Right.SEARCH_CLAIMS, Right.SUBMIT_CLAIMS])
  const matrix: Record<string, Right[]> = await portal.rightsMatrixAsync(s, userId)
  await portal.disableAccountAsync(s, userId)
  await portal.enableAccountAsync(s, userId)
  const page: AccountPage = await portal.listAccountsAsync(s, { descending: true })
  const log: AuditEvent[] = await portal.auditLogAsync(s, 'T99999')
  const chain: number = await portal.verifyAuditChainAsync()
  const reportAsync: MaintenanceReport = await portal.runMaintenanceAsync()
  const exportedAsync: string = await portal.exportAccountAsync(s, 'account-id')
  void [reportAsync, exportedAsync]
  const docId: string = await portal.addDocumentAsync('T99999', { category: 'quote', number: 'Q1', issuedOn: '2024-05-01' })
  const docIds: string[] = await portal.addDocumentsAsync('T99999', [])
  const docs: DocumentPage = await portal.searchDocumentsAsync(s, 'T99999', 'quote')
  await portal.recordDebitLineAsync('T99999', '5/2024', { issuer: 'stellantis_insurance', nature: 'premium', amountCents: 100 })
  const statement: Reconciliation = await portal.monthlyStatementAsync(s, 'T99999', '5/2024')

  const info: SessionInfo = await portal.authenticateAsync(s)
  const moved: SessionInfo = await portal.selectEstablishmentAsync(s, info.establishment ?? 'T99999')
  const sessionsNow: SessionSummary[] = await portal.listSessionsAsync(s)
  await portal.revokeSessionAsync(s, sessionsNow[1]?.id ?? '')
  const ended: number = await portal.revokeOtherSessionsAsync(s)
  const quick: DocumentPage = await portal.searchReferenceAsync(s, 'AB-123-CD', { limit: 5 })
  const detail: AccountDetail = await portal.accountAsync(s, userId)
  const after: AccountDetail = await portal.updateProfileAsync(s, userId, { mobile: '+32 470 12 34 56' })
  await portal.requestEmailChangeAsync(s, 'new@garage-xyz.fr', 'Garage-XYZ-2026!')
  await portal.confirmEmailChangeAsync(token)
  const here: DocumentPage = await portal.searchDocumentsAsync(s, null, 'quote')
  const hereLog: AuditEvent[] = await portal.auditLogAsync(s, undefined, { limit: 5 })
  const hereStatement: Reconciliation = await portal.monthlyStatementAsync(s, null, '5/2024')
  const created: string = await portal.createUserAsync(s, null, 'Martin', 'Paul', 'paul@garage-xyz.fr', [Right.SEARCH_CLAIMS])
  await portal.logoutAsync(s)
  void [adminId, status, mine, outcomes, matrix, page, log, chain, docId, docIds, docs, statement]
  void [moved, ended, quick, detail, after, here, hereLog, hereStatement, created]
}

void [red, bullets, acceptable, pairs, totals, missing, unexpected, complete, plate, phones, labels, regimeLabel, everyRight, scripts, server]
void [explanation, tabCodes, tabLabels, dialLabels, textLines]
