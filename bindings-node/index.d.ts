dts-header.d.ts
/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/**
 * The portal over a store: a SQLite file (`Portal.open`) or memory (`Portal.inMemory`).
 * Every method that hashes a password or touches the store has an `…Async` twin returning a
 * `Promise`, run on the libuv thread pool.
 */
export declare class Portal {
  /**
   * Opens (creating and migrating if needed) the SQLite file at `path`. `config` is a plain
   * object with the core's `PortalConfig` fields (snake_case), partial: e.g.
   * `{ hash: { m_cost_kib: 256, t_cost: 1, p_cost: 1 } }`.
   */
  static open(path: string, config?: PortalConfig): Portal
  /** `Portal.open` on the libuv thread pool (opening migrates the file). */
  static openAsync(path: string, config?: PortalConfig): Promise<Portal>
  /** A portal over a fresh in-memory store. */
  static inMemory(config?: PortalConfig): Portal
  /**
   * Evaluates a candidate password against this portal's policy (pure, no hashing; the
   * `policy` option is ignored: the portal's own applies).
   */
  evaluatePassword(password: string, options?: EvaluateOptions | undefined | null): Evaluation
  /** Records (or updates) an establishment. */
  addEstablishment(establishment: Establishment): void
  /**
   * Records (or updates) an establishment.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  addEstablishmentAsync(establishment: Establishment): Promise<void>
  /**
   * Records the administrator declared via the manager's extranet (Nom, Prénom, Fonction,
   * Mail) as `declared`, holding all six rights on `establishments`; declaring again adds
   * establishments. Returns the account id.
   */
  declareAdministrator(email: string, lastName: string, firstName: string, jobFunction: string, establishments: Array<Establishment>): string
  /**
   * Records the administrator declared via the manager's extranet (Nom, Prénom, Fonction,
   * Mail) as `declared`, holding all six rights on `establishments`; declaring again adds
   * establishments. Returns the account id.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  declareAdministratorAsync(email: string, lastName: string, firstName: string, jobFunction: string, establishments: Array<Establishment>): Promise<string>
  /** "Mot de passe oublié": answers the same whether or not the email is known. */
  requestPasswordReset(email: string): void
  /**
   * "Mot de passe oublié": answers the same whether or not the email is known.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  requestPasswordResetAsync(email: string): Promise<void>
  /** Completes a reset from the mail's link: the email again and the new password twice. */
  completePasswordReset(token: string, email: string, password: string, confirmation: string): void
  /**
   * Completes a reset from the mail's link: the email again and the new password twice.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  completePasswordResetAsync(token: string, email: string, password: string, confirmation: string): Promise<void>
  /**
   * Activates an invited account from the mail's link: the email again and the password
   * twice.
   */
  activateAccount(token: string, email: string, password: string, confirmation: string): void
  /**
   * Activates an invited account from the mail's link: the email again and the password
   * twice.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  activateAccountAsync(token: string, email: string, password: string, confirmation: string): Promise<void>
  /** Whether a reset or activation link is still usable, for the form page; never consumes it. */
  inspectToken(token: string): TokenStatus
  /**
   * Whether a reset or activation link is still usable, for the form page; never consumes it.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  inspectTokenAsync(token: string): Promise<TokenStatus>
  /** Notifications (mails) waiting to be sent, oldest first. */
  pendingNotifications(): Array<Notification>
  /**
   * Notifications (mails) waiting to be sent, oldest first.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  pendingNotificationsAsync(): Promise<Array<Notification>>
  /** Marks a notification sent; its token is erased from the store. */
  acknowledgeNotification(notificationId: number): void
  /**
   * Marks a notification sent; its token is erased from the store.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  acknowledgeNotificationAsync(notificationId: number): Promise<void>
  /**
   * Logs in; every failure (unknown email, wrong password, not active, locked) is
   * INVALID_CREDENTIALS.
   */
  login(email: string, password: string, options?: LoginOptions | undefined | null): Session
  /**
   * Logs in; every failure (unknown email, wrong password, not active, locked) is
   * INVALID_CREDENTIALS.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  loginAsync(email: string, password: string, options?: LoginOptions | undefined | null): Promise<Session>
  /** Ends a session (an unknown one is not an error). */
  logout(sessionToken: string): void
  /**
   * Ends a session (an unknown one is not an error).
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  logoutAsync(sessionToken: string): Promise<void>
  /** Changes the session's password; every session of the account is ended. */
  changePassword(sessionToken: string, current: string, password: string, confirmation: string): void
  /**
   * Changes the session's password; every session of the account is ended.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  changePasswordAsync(sessionToken: string, current: string, password: string, confirmation: string): Promise<void>
  /** The establishments where the session's account may manage accounts. */
  manageableEstablishments(sessionToken: string): Array<Establishment>
  /**
   * The establishments where the session's account may manage accounts.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  manageableEstablishmentsAsync(sessionToken: string): Promise<Array<Establishment>>
  /**
   * Creates an invited user on an establishment the actor manages and queues its activation
   * mail; returns its account id.
   */
  createUser(sessionToken: string, establishmentCode: string, lastName: string, firstName: string, email: string, rights: Array<Right>, options?: CreateUserOptions | undefined | null): string
  /**
   * Creates an invited user on an establishment the actor manages and queues its activation
   * mail; returns its account id.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  createUserAsync(sessionToken: string, establishmentCode: string, lastName: string, firstName: string, email: string, rights: Array<Right>, options?: CreateUserOptions | undefined | null): Promise<string>
  /**
   * Creates many users in one transaction. Returns, row by row, the new account id or the
   * row's error code and message; a bad row does not stop the others.
   */
  createUsers(sessionToken: string, rows: Array<UserImport>): Array<ImportOutcome>
  /**
   * Creates many users in one transaction. Returns, row by row, the new account id or the
   * row's error code and message; a bad row does not stop the others.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  createUsersAsync(sessionToken: string, rows: Array<UserImport>): Promise<Array<ImportOutcome>>
  /**
   * "Vous êtes réparateur ? Créer un compte": the same answer whether or not the email is
   * taken.
   */
  registerRepairer(email: string, lastName: string, firstName: string, company: string, city: string): void
  /**
   * "Vous êtes réparateur ? Créer un compte": the same answer whether or not the email is
   * taken.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  registerRepairerAsync(email: string, lastName: string, firstName: string, company: string, city: string): Promise<void>
  /** Sends a new activation link to an invited account; the earlier one stops working. */
  resendActivation(sessionToken: string, accountId: string): void
  /**
   * Sends a new activation link to an invited account; the earlier one stops working.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  resendActivationAsync(sessionToken: string, accountId: string): Promise<void>
  /** Sets an account's rights on one establishment (an empty list removes them). */
  setRights(sessionToken: string, accountId: string, establishmentCode: string, rights: Array<Right>): void
  /**
   * Sets an account's rights on one establishment (an empty list removes them).
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  setRightsAsync(sessionToken: string, accountId: string, establishmentCode: string, rights: Array<Right>): Promise<void>
  /** An account's rights by establishment code (only establishments where it holds some). */
  rightsMatrix(sessionToken: string, accountId: string): Record<string, Array<Right>>
  /**
   * An account's rights by establishment code (only establishments where it holds some).
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  rightsMatrixAsync(sessionToken: string, accountId: string): Promise<Record<string, Array<Right>>>
  /** Disables an account: no login, its sessions and links revoked. */
  disableAccount(sessionToken: string, accountId: string): void
  /**
   * Disables an account: no login, its sessions and links revoked.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  disableAccountAsync(sessionToken: string, accountId: string): Promise<void>
  /** Re-enables a disabled account. */
  enableAccount(sessionToken: string, accountId: string): void
  /**
   * Re-enables a disabled account.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  enableAccountAsync(sessionToken: string, accountId: string): Promise<void>
  /** Accounts with rights on establishments the actor manages, in French order, paginated. */
  listAccounts(sessionToken: string, options?: ListAccountsOptions | undefined | null): AccountPage
  /**
   * Accounts with rights on establishments the actor manages, in French order, paginated.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  listAccountsAsync(sessionToken: string, options?: ListAccountsOptions | undefined | null): Promise<AccountPage>
  /** The audit log of an establishment the actor manages, newest first. */
  auditLog(sessionToken: string, establishmentCode: string, options?: PageOptions | undefined | null): Array<AuditEvent>
  /**
   * The audit log of an establishment the actor manages, newest first.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  auditLogAsync(sessionToken: string, establishmentCode: string, options?: PageOptions | undefined | null): Promise<Array<AuditEvent>>
  /** Recomputes the audit chain; returns the number of events. STORAGE if it was edited. */
  verifyAuditChain(): number
  /**
   * Recomputes the audit chain; returns the number of events. STORAGE if it was edited.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  verifyAuditChainAsync(): Promise<number>
  /** Adds a document of an establishment (the host's import); returns its id. */
  addDocument(establishmentCode: string, document: Document): string
  /**
   * Adds a document of an establishment (the host's import); returns its id.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  addDocumentAsync(establishmentCode: string, document: Document): Promise<string>
  /** Adds many documents of one establishment in one transaction; returns their ids. */
  addDocuments(establishmentCode: string, documents: Array<Document>): Array<string>
  /**
   * Adds many documents of one establishment in one transaction; returns their ids.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  addDocumentsAsync(establishmentCode: string, documents: Array<Document>): Promise<Array<string>>
  /**
   * Searches the documents of an establishment ("moteur de recherche de document"), newest
   * first, paginated.
   */
  searchDocuments(sessionToken: string, establishmentCode: string, category: string, options?: SearchDocumentsOptions | undefined | null): DocumentPage
  /**
   * Searches the documents of an establishment ("moteur de recherche de document"), newest
   * first, paginated.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  searchDocumentsAsync(sessionToken: string, establishmentCode: string, category: string, options?: SearchDocumentsOptions | undefined | null): Promise<DocumentPage>
  /** Records a direct-debit line of an establishment for a month (M/YYYY). */
  recordDebitLine(establishmentCode: string, month: string, line: DebitLine): void
  /**
   * Records a direct-debit line of an establishment for a month (M/YYYY).
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  recordDebitLineAsync(establishmentCode: string, month: string, line: DebitLine): Promise<void>
  /** The month's (M/YYYY) statement of an establishment, reconciled against its regime. */
  monthlyStatement(sessionToken: string, establishmentCode: string, month: string): Reconciliation
  /**
   * The month's (M/YYYY) statement of an establishment, reconciled against its regime.
   *
   * Runs on the libuv thread pool: the event loop keeps running.
   */
  monthlyStatementAsync(sessionToken: string, establishmentCode: string, month: string): Promise<Reconciliation>
}

/** A page of accounts with the total number of matches. */
export interface AccountPage {
  /** This page, in French alphabetical order. */
  items: Array<AccountSummary>
  /** Matches in all pages. */
  total: number
}

/** One line of the account list. */
export interface AccountSummary {
  /** The account id. */
  id: string
  /** The login email. */
  email: string
  /** Nom. */
  lastName: string
  /** Prénom. */
  firstName: string
  /** declared, invited, active or disabled. */
  state: string
  /** The codes of the establishments (visible to the actor) where it holds rights. */
  establishments: Array<string>
}

/** One entry of the audit log, chained to the previous one by SHA-256. */
export interface AuditEvent {
  /** Its position in the log, from 1. */
  seq: number
  /** When (ISO 8601, UTC). */
  at: string
  /** Who did it (an account id); none for anonymous requests. */
  actor?: string
  /** What happened (user_created, rights_changed, ...). */
  action: string
  /** The action in French ("Utilisateur créé"). */
  actionLabelFr: string
  /** To whom (an account id). */
  subject?: string
  /** The establishments concerned. */
  establishments: Array<string>
  /** Details (rights before and after, reasons...), as JSON. */
  details: unknown
  /** The previous entry's hash, hex. */
  prevHash: string
  /** This entry's hash, hex. */
  hash: string
}

/** The result of one password criterion. */
export interface Check {
  /** min_length, uppercase, lowercase, digit, special, confirmation, then optional criteria. */
  criterion: string
  /** Whether the candidate meets it: the bullet is green. */
  met: boolean
  /** The number shown in the label (the minimum, or the maximum for max_length; else 0). */
  threshold: number
  /** The bullet in French ("15 caractères"). */
  labelFr: string
  /** The bullet in English ("15 characters"). */
  labelEn: string
}

/** The optional arguments of `createUser`. */
export interface CreateUserOptions {
  /** A mobile number as typed (`06 23 42 54 55`), +33 by default. */
  mobile?: string
  /** A landline number as typed, +33 by default. */
  landline?: string
}

/** A line of a direct debit: issuer, nature and amount in integer cents. */
export interface DebitLine {
  /** stellantis_insurance or stellantis_services. */
  issuer: string
  /** premium, claims_settled, management_fees or npo. */
  nature: string
  /** The amount in integer cents. */
  amountCents: number
  /** The bank statement's wording. */
  label?: string
}

/** The code and labels of a regime. */
export declare function describeRegime(regime: Regime): Labels

/** The code and labels of a right. */
export declare function describeRight(right: Right): Labels

/**
 * A document: given to `addDocument` (without `id` and `establishment`), or found by a search.
 * Its file stays with the host: `fileRef` is a reference (URI, key), not bytes.
 */
export interface Document {
  /** The id the store gave it (set on search results, ignored by `addDocument`). */
  id?: string
  /** The code of its establishment (set on search results, ignored by `addDocument`). */
  establishment?: string
  /** accounting, contract, quote or workshop_claim. */
  category: string
  /** Its number (invoice number `2204003143`, ...). */
  number: string
  /** The issue date, YYYY-MM-DD. */
  issuedOn: string
  /**
   * For accounting documents: maintenance_invoice, warranty_invoice, deduction_letter,
   * credit_note, debit_note or carence_debit_note.
   */
  kind?: string
  /** A title to show. */
  title?: string
  /** An amount in integer cents. */
  amountCents?: number
  /** The vehicle's registration plate, any spacing or case. */
  registration?: string
  /** A contract number. */
  contractNumber?: string
  /** An agreement number. */
  agreementNumber?: string
  /** Where the host keeps the file. */
  fileRef?: string
}

/** A page of documents, newest first, with the total number of matches. */
export interface DocumentPage {
  /** This page, newest first. */
  items: Array<Document>
  /** Matches in all pages. */
  total: number
}

/** An establishment (point de vente): code, name, city and regime (none for a repairer's). */
export interface Establishment {
  /** e.g. `T99999`. */
  code: string
  /** e.g. `GARAGE XYZ`. */
  name: string
  /** e.g. `VILLE 1`. */
  city: string
  /** None for a repairer's establishment. */
  regime?: Regime
}

/** The optional arguments of `evaluatePassword`. */
export interface EvaluateOptions {
  /** The confirmation field; when given, a `confirmation` check is reported. */
  confirmation?: string
  /** Another policy than the seed's (partial: missing fields take the seed's values). */
  policy?: PasswordPolicy
}

/**
 * Evaluates a candidate password criterion by criterion (min_length, uppercase, lowercase,
 * digit, special, then confirmation when given): pure and cheap, no hashing — call it at every
 * keystroke to turn the bullets from red to green.
 */
export declare function evaluatePassword(password: string, options?: EvaluateOptions | undefined | null): Evaluation

/** The evaluation of a candidate password, criterion by criterion. */
export interface Evaluation {
  /** Whether every reported criterion is met. */
  acceptable: boolean
  /** The checks, in the policy's order. */
  checks: Array<Check>
}

/** A monthly debit a regime expects. */
export interface ExpectedDebit {
  /** The debit's code (insurance_monthly, claims_settled, ...). */
  code: string
  /** Who collects it. */
  issuer: string
  /** The `[issuer, nature]` pairs of the lines it gathers. */
  accepted: Array<Array<string>>
  /** In French. */
  labelFr: string
  /** In English. */
  labelEn: string
}

/** The monthly direct debits a regime expects, in order. */
export declare function expectedDebits(regime: Regime): Array<ExpectedDebit>

/** The outcome of one row of `createUsers`: the new account id, or the row's error. */
export interface ImportOutcome {
  /** The new account's id when the row was imported. */
  accountId?: string
  /** The error code when it was not (same codes as thrown errors). */
  code?: string
  /** What was wrong with the row. */
  message?: string
  /** Unmet password criteria (always empty for imports; kept for the error's shape). */
  criteria?: Array<string>
}

/**
 * Whether a caught value is a `PortalError` thrown by this package (and, when `code` is given,
 * one with that code): `catch (e) { if (isPortalError(e, 'TOKEN_INVALID')) … }` narrows `e`.
 */
export declare function isPortalError(e: unknown, code?: string): e is PortalError

/** A right's or a regime's stable code and labels. */
export interface Labels {
  /** The stable snake_case code (the enum's value). */
  code: string
  /** In French ("Gérer les comptes"). */
  labelFr: string
  /** In English ("Manage accounts"). */
  labelEn: string
}

/** The optional arguments of `listAccounts`. */
export interface ListAccountsOptions {
  /** Search in names and email (case- and accent-insensitive). */
  text?: string
  /** Only accounts with rights on this establishment. */
  establishmentCode?: string
  /** Only accounts holding this right. */
  right?: Right
  /** Only accounts in this state: declared, invited, active or disabled. */
  state?: string
  /** Z→A instead of A→Z. */
  descending?: boolean
  /** Skip this many (0). */
  offset?: number
  /** Page size (50). */
  limit?: number
}

/** The optional arguments of `login`. */
export interface LoginOptions {
  /** "Enregistrer mes identifiants": a remembered (30-day) session. */
  remember?: boolean
}

/** A queued mail the host must send, then acknowledge. */
export interface Notification {
  /** Its id in the outbox, for `acknowledgeNotification`. */
  id: number
  /** password_reset, activation, account_locked or account_exists. */
  kind: string
  /** The recipient (normalised: trimmed, lower case). */
  email: string
  /** The recipient's name, for the greeting. */
  name: string
  /** The link's token, for mails that carry a link (a secret). */
  token?: string
  /** When the link (or the lock) expires (ISO 8601, UTC). */
  expiresAt?: string
  /** When it was queued (ISO 8601, UTC). */
  createdAt: string
  /** The mail's language: "fr" or "en". */
  locale: string
  /** The mail's subject in its language. */
  subject: string
}

/** The optional arguments of `auditLog`. */
export interface PageOptions {
  /** Skip this many (0). */
  offset?: number
  /** Page size (50). */
  limit?: number
}

/**
 * Recognises a quick-search reference: a registration plate (`AB-123-CD`, old `1234 AB 56`,
 * any spacing or case), a contract number or an agreement number.
 */
export declare function parseReference(text: string): Reference

/**
 * Reconciles a month's (`M/YYYY`) debit lines against the regime's expected debits: each
 * debit with its lines and total, what is missing, what is unexpected.
 */
export declare function reconcile(regime: Regime, month: string, lines: Array<DebitLine>): Reconciliation

/** An expected debit with its lines and total. */
export interface ReconciledDebit {
  /** The debit's code. */
  code: string
  /** Who collects it. */
  issuer: string
  /** Its lines. */
  lines: Array<DebitLine>
  /** Their total in integer cents. */
  totalCents: number
  /** In French. */
  labelFr: string
}

/** A month's debit lines reconciled against a regime's expected debits. */
export interface Reconciliation {
  /** The regime. */
  regime: Regime
  /** The month, M/YYYY. */
  month: string
  /** Each expected debit with its lines and total, in the regime's order. */
  debits: Array<ReconciledDebit>
  /** Codes of the expected debits with no line. */
  missing: Array<string>
  /** The lines that belong to no debit of the regime. */
  unexpected: Array<DebitLine>
  /** Nothing missing and nothing unexpected. */
  complete: boolean
}

/** A quick-search reference: a registration plate, a contract number or an agreement number. */
export interface Reference {
  /** registration_plate, contract_number or agreement_number. */
  kind: string
  /** "AB-123-CD", "1234 AB 56", or an upper-case number without separators. */
  normalized: string
  /** For a plate, its format (siv or fni). */
  plateFormat?: string
}

/** The insurance regime of an establishment; the value is the stable code. */
export declare enum Regime {
  /** En mode assurance. */
  INSURANCE = 'insurance',
  /** Gestion déléguée. */
  DELEGATED_MANAGEMENT = 'delegated_management',
  /** Auto-assurance. */
  SELF_INSURANCE = 'self_insurance',
}

/** One of the six rights of an account on an establishment; the value is the stable code. */
export declare enum Right {
  /** Réaliser des devis & souscriptions. */
  QUOTES_AND_SUBSCRIPTIONS = 'quotes_and_subscriptions',
  /** Rechercher des devis et contrats. */
  SEARCH_QUOTES_AND_CONTRACTS = 'search_quotes_and_contracts',
  /** Déposer des demandes de prise en charge. */
  SUBMIT_CLAIMS = 'submit_claims',
  /** Rechercher des demandes de prise en charge. */
  SEARCH_CLAIMS = 'search_claims',
  /** Accéder aux documents comptables. */
  ACCOUNTING_DOCUMENTS = 'accounting_documents',
  /** Gérer les comptes. */
  MANAGE_ACCOUNTS = 'manage_accounts',
}

/** The optional arguments of `searchDocuments`. */
export interface SearchDocumentsOptions {
  /** For accounting documents: maintenance_invoice, warranty_invoice, ... */
  kind?: string
  /** The document's number. */
  number?: string
  /** First month, M/YYYY. */
  periodFrom?: string
  /** Last month, M/YYYY (inclusive). */
  periodTo?: string
  /** A plate, contract number or agreement number. */
  reference?: string
  /** Skip this many (0). */
  offset?: number
  /** Page size (50). */
  limit?: number
}

/** A login session. `token` is a secret: keep it in an HttpOnly cookie or a keychain. */
export interface Session {
  /** The session token. */
  token: string
  /** The account logged in. */
  accountId: string
  /** When it expires if not used (ISO 8601, UTC). */
  expiresAt: string
}

/** A support contact channel and the topics it serves. */
export interface SupportChannel {
  /** email or phone. */
  kind: string
  /** The address or number. */
  value: string
  /** Codes of the topics it serves (subscription, billing, contract_changes, ...). */
  topics: Array<string>
  /** The topics in French. */
  topicLabelsFr: Array<string>
}

/** The support contacts (the seed's by default): channels and the topics each serves. */
export declare function supportDirectory(): SupportDirectory

/** The support contacts (seed §4). */
export interface SupportDirectory {
  /** Every channel. */
  channels: Array<SupportChannel>
}

/** Whether a reset or activation link can still be used (inspecting never consumes it). */
export interface TokenStatus {
  /** Whether the form can be shown. */
  usable: boolean
  /** password_reset or activation, when the token is known. */
  kind?: string
  /** When it expires, when usable (ISO 8601, UTC). */
  expiresAt?: string
}

/** One row of a bulk user import (`createUsers`), as given: the core validates each row. */
export interface UserImport {
  /** Where the user gets rights. */
  establishmentCode: string
  /** Nom. */
  lastName: string
  /** Prénom. */
  firstName: string
  /** The login email. */
  email: string
  /** At least one, among the importer's own rights there. */
  rights: Array<Right>
  /** A mobile number as typed (`06 23 42 54 55`), +33 by default. */
  mobile?: string
  /** A landline number as typed, +33 by default. */
  landline?: string
}
