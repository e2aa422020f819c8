// The generated Kotlin binding, executed on the JVM through JNA against the built .so: the seed
// scenario, the password criteria, the menu sections, the errors' codes, and what a host calls on
// every request and screen (authenticate, the connected establishment, sessions, profiles, the
// email change, the quick search, bulk imports and statements).
//
// Run by bindings-mobile/test.sh; prints "N passed, N failed" and exits non-zero on failures.
package fr.dealerportal.test

import fr.dealerportal.*
import kotlin.system.exitProcess

private var passed = 0
private var failed = 0

private fun test(name: String, body: () -> Unit) {
    try {
        body()
        passed++
        println("ok   $name")
    } catch (e: Throwable) {
        failed++
        println("FAIL $name: $e")
    }
}

private fun check(condition: Boolean, what: () -> String) {
    if (!condition) throw AssertionError(what())
}

private fun <T> eq(actual: T, expected: T) = check(actual == expected) { "expected <$expected>, got <$actual>" }

/** Runs [body], expecting a PortalException with this stable code; returns it. */
private fun expectCode(code: String, body: () -> Unit): PortalException.Failed {
    try {
        body()
    } catch (e: PortalException.Failed) {
        check(e.code == code) { "expected $code, got ${e.code}: ${e.detail}" }
        check(e.detail.isNotEmpty()) { "empty detail" }
        return e
    }
    throw AssertionError("expected PortalException $code, nothing was thrown")
}

private const val FAST = """{"hash": {"m_cost_kib": 256, "t_cost": 1, "p_cost": 1}}"""
private const val ADMIN = "admin@garage-xyz.fr"
private const val ADMIN_PASSWORD = "Garage XYZ, 2026 !"
private const val USER = "alexandre@gmail.com"
private const val USER_PASSWORD = "Première-Connexion-26"
private val ISO_UTC = Regex("""^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$""")
private val GARAGES = listOf(
    Establishment("T99999", "GARAGE XYZ", "VILLE 1", Regime.INSURANCE),
    Establishment("T88888", "GARAGE UVW", "VILLE 2", Regime.DELEGATED_MANAGEMENT),
)
private val USER_RIGHTS = listOf(Right.QUOTES_AND_SUBSCRIPTIONS, Right.SEARCH_QUOTES_AND_CONTRACTS, Right.ACCOUNTING_DOCUMENTS)

/** The pending mail of this kind for this email, acknowledged. */
private fun Portal.takeMail(kind: String, email: String): Notification {
    val mail = pendingNotifications().lastOrNull { it.kind == kind && it.email == email }
        ?: throw AssertionError("no $kind mail for $email")
    acknowledgeNotification(mail.id)
    return mail
}

private fun passwordCriteria() {
    test("criteria in the seed's order with the seed's French bullets") {
        val e = evaluatePassword("garage")
        eq(e.checks.map { it.criterion }, listOf("min_length", "uppercase", "lowercase", "digit", "special"))
        eq(e.checks.map { it.labelFr }, listOf("15 caractères", "1 majuscule", "1 minuscule", "1 chiffre", "1 caractère spécial (Hors €)"))
        eq(e.checks.map { it.met }, listOf(false, false, true, false, false))
        eq(e.acceptable, false)
    }
    test("criteria turn green one by one as the person types") {
        val typed = listOf("garage", "garage xyz", "Garage XYZ", "Garage XYZ, 2026", ADMIN_PASSWORD)
        val met = typed.map { t -> evaluatePassword(t).checks.count { it.met } }
        eq(met, met.sorted())
        eq(met.last(), 5)
        eq(evaluatePassword(ADMIN_PASSWORD).acceptable, true)
    }
    test("€ is not special, a space is") {
        eq(evaluatePassword("GarageXYZ2026€€€").checks.first { it.criterion == "special" }.met, false)
        eq(evaluatePassword("Garage XYZ 2026").checks.first { it.criterion == "special" }.met, true)
    }
    test("confirmation is reported only when given") {
        val e = evaluatePassword(ADMIN_PASSWORD, "$ADMIN_PASSWORD?")
        eq(e.checks.last().criterion, "confirmation")
        eq(e.checks.last().met, false)
        eq(evaluatePassword(ADMIN_PASSWORD, confirmation = ADMIN_PASSWORD).acceptable, true)
    }
    test("a policy given as JSON; a bad one is INVALID_CONFIG") {
        eq(evaluatePassword("abc", policyJson = """{"min_length": 12}""").checks[0].labelFr, "12 caractères")
        expectCode("INVALID_CONFIG") { evaluatePassword("abc", policyJson = "{") }
    }
}

private fun menuSections() {
    fun labels(rights: List<Right>) = visibleSections(rights).map { it.labelFr }
    test("no rights: ACCUEIL and EASICARE") {
        eq(labels(emptyList()), listOf("ACCUEIL", "EASICARE"))
    }
    test("every right: the whole seed menu, in order") {
        eq(labels(Right.entries.toList()), listOf("ACCUEIL", "LISTE DEVIS ET CONTRATS", "PRISE EN CHARGE ATELIER", "EASICARE", "DOCUMENTS", "GESTION DES COMPTES"))
        eq(visibleSections(Right.entries.toList()).map { it.code }, listOf("home", "quotes_and_contracts", "workshop_claims", "easicare", "documents", "account_management"))
    }
    test("each tab opens with either of its rights") {
        eq(labels(listOf(Right.SEARCH_QUOTES_AND_CONTRACTS)), listOf("ACCUEIL", "LISTE DEVIS ET CONTRATS", "EASICARE"))
        eq(labels(listOf(Right.QUOTES_AND_SUBSCRIPTIONS)), listOf("ACCUEIL", "LISTE DEVIS ET CONTRATS", "EASICARE"))
        eq(labels(listOf(Right.SUBMIT_CLAIMS)), listOf("ACCUEIL", "PRISE EN CHARGE ATELIER", "EASICARE"))
        eq(labels(listOf(Right.SEARCH_CLAIMS)), listOf("ACCUEIL", "PRISE EN CHARGE ATELIER", "EASICARE"))
        eq(labels(listOf(Right.ACCOUNTING_DOCUMENTS)), listOf("ACCUEIL", "EASICARE", "DOCUMENTS"))
        eq(labels(listOf(Right.MANAGE_ACCOUNTS)), listOf("ACCUEIL", "EASICARE", "GESTION DES COMPTES"))
    }
    test("rights carry their code and French label") {
        eq(Right.MANAGE_ACCOUNTS.code(), "manage_accounts")
        eq(Right.MANAGE_ACCOUNTS.labelFr(), "Gérer les comptes")
        eq(Regime.SELF_INSURANCE.labelFr(), "Auto-assurance")
    }
}

private fun pureFunctions() {
    test("expected debits and reconciliation in cents") {
        eq(expectedDebits(Regime.DELEGATED_MANAGEMENT).map { it.code }, listOf("claims_settled", "management_fees_and_npo"))
        val r = reconcile(
            Regime.INSURANCE, "5/2024",
            listOf(
                DebitLine("stellantis_insurance", "premium", 100_000L),
                DebitLine("stellantis_services", "npo", 2_500L),
                DebitLine("stellantis_services", "claims_settled", 7_000L),
            ),
        )
        eq(r.debits.map { it.code to it.totalCents }, listOf("insurance_monthly" to 102_500L))
        eq(r.unexpected.map { it.nature }, listOf("claims_settled"))
        eq(r.complete, false)
        expectCode("INVALID_PERIOD") { reconcile(Regime.INSURANCE, "13/2024", emptyList()) }
    }
    test("quick-search references") {
        val plate = parseReference(" ab 123-cd ")
        eq(Triple(plate.kind, plate.normalized, plate.plateFormat), Triple("registration_plate", "AB-123-CD", "siv"))
        eq(parseReference("1234 ab 56").normalized, "1234 AB 56")
        eq(parseReference("2204003143").kind, "agreement_number")
        expectCode("INVALID_QUERY") { parseReference("AI-123-CD") }
    }
    test("support directory is the seed's") {
        eq(supportDirectory().channels.map { it.kind to it.value }, listOf("email" to "info@garantiestellantis.fr", "phone" to "01 86 99 02 69"))
    }
}

private fun seedScenario() {
    val portal = Portal.inMemory(FAST)
    lateinit var adminId: String
    lateinit var admin: String
    lateinit var uid: String
    lateinit var user: Session

    test("§1 administrator declared, then « Mot de passe oublié »") {
        adminId = portal.declareAdministrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
        expectCode("INVALID_CREDENTIALS") { portal.login(ADMIN, ADMIN_PASSWORD) }
        portal.requestPasswordReset(" Admin@Garage-XYZ.fr ")
        portal.requestPasswordReset("nobody@example.fr")
        val mails = portal.pendingNotifications()
        eq(mails.map { it.kind to it.email }, listOf("password_reset" to ADMIN))
        val mail = mails[0]
        check(ISO_UTC.matches(mail.expiresAt!!)) { "expires_at ${mail.expiresAt}" }
        val token = mail.token!!.expose()
        eq(portal.inspectToken(token).usable, true)
        eq(portal.inspectToken(token).kind, "password_reset")
        expectCode("EMAIL_MISMATCH") { portal.completePasswordReset(token, "other@garage-xyz.fr", ADMIN_PASSWORD, ADMIN_PASSWORD) }
        eq(portal.inspectToken(token).usable, true)
        val policy = expectCode("PASSWORD_POLICY") { portal.completePasswordReset(token, ADMIN, "garage", "different") }
        eq(policy.failedCriteria, listOf("min_length", "uppercase", "digit", "special"))
        expectCode("CONFIRMATION_MISMATCH") { portal.completePasswordReset(token, ADMIN, ADMIN_PASSWORD, "$ADMIN_PASSWORD?") }
        portal.completePasswordReset(token, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
        portal.acknowledgeNotification(mail.id)
        eq(portal.inspectToken(token).usable, false)
        expectCode("TOKEN_INVALID") { portal.completePasswordReset(token, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD) }
    }
    test("login, « Enregistrer mes identifiants »") {
        expectCode("INVALID_CREDENTIALS") { portal.login(ADMIN, "Wrong password 2026 !") }
        val s = portal.login(ADMIN, ADMIN_PASSWORD, remember = true)
        eq(s.accountId, adminId)
        check(ISO_UTC.matches(s.expiresAt)) { "expires_at ${s.expiresAt}" }
        admin = s.token.expose()
        eq(portal.manageableEstablishments(admin).map { it.code }, listOf("T88888", "T99999"))
    }
    test("§2 « Ajouter un nouvel utilisateur » and the errors callers branch on") {
        uid = portal.createUser(admin, "T99999", "GELOEN", "Alexandre", USER, USER_RIGHTS, mobile = "06 23 42 54 55", landline = "01 34 34 67 88")
        expectCode("EMAIL_TAKEN") { portal.createUser(admin, "T99999", "Autre", "Personne", USER.uppercase(), USER_RIGHTS) }
        expectCode("NO_RIGHTS_SELECTED") { portal.createUser(admin, "T99999", "Dupont", "Éric", "eric@garage-xyz.fr", emptyList()) }
        expectCode("UNKNOWN_ESTABLISHMENT") { portal.createUser(admin, "T00001", "Dupont", "Éric", "eric@garage-xyz.fr", USER_RIGHTS) }
        expectCode("INVALID_EMAIL") { portal.createUser(admin, "T99999", "Dupont", "Éric", "eric-at-garage", USER_RIGHTS) }
        expectCode("INVALID_PHONE") { portal.createUser(admin, "T99999", "Dupont", "Éric", "eric@garage-xyz.fr", USER_RIGHTS, mobile = "01 34 34 67 88") }
    }
    test("« Activez votre compte », first connection, rights-aware menu") {
        val mail = portal.takeMail("activation", USER)
        eq(mail.subject, "Activez votre compte")
        portal.activateAccount(mail.token!!.expose(), USER, USER_PASSWORD, USER_PASSWORD)
        user = portal.login(USER, USER_PASSWORD)
        eq(user.accountId, uid)
        val matrix = portal.rightsMatrix(user.token.expose(), uid)
        eq(matrix, mapOf("T99999" to USER_RIGHTS))
        eq(visibleSections(matrix.getValue("T99999")).map { it.labelFr }, listOf("ACCUEIL", "LISTE DEVIS ET CONTRATS", "EASICARE", "DOCUMENTS"))
        expectCode("FORBIDDEN") { portal.createUser(user.token.expose(), "T99999", "Durand", "Anne", "anne@garage-xyz.fr", USER_RIGHTS) }
    }
    test("rights on another establishment; last manager kept") {
        portal.setRights(admin, uid, "T88888", listOf(Right.SEARCH_CLAIMS))
        eq(portal.rightsMatrix(admin, uid), mapOf("T88888" to listOf(Right.SEARCH_CLAIMS), "T99999" to USER_RIGHTS))
        expectCode("LAST_MANAGER") { portal.setRights(admin, adminId, "T99999", listOf(Right.SUBMIT_CLAIMS)) }
    }
    test("« Rechercher un utilisateur »") {
        val page = portal.listAccounts(admin)
        eq(page.total, 2UL)
        eq(page.items.map { it.email }.toSet(), setOf(ADMIN, USER))
        eq(portal.listAccounts(admin, text = "alexandre@gmail").items.map { it.id }, listOf(uid))
        eq(portal.listAccounts(admin, limit = 1u).items.size, 1)
        expectCode("INVALID_QUERY") { portal.listAccounts(admin, limit = 0u) }
    }
    test("§3 documents: search by period, reference, kind; rights checked") {
        val id = portal.addDocument("T99999", Document("accounting", "2204003143", "2022-04-15", kind = "maintenance_invoice", amountCents = 12_345L, registration = "ab-123-cd"))
        portal.addDocument("T99999", Document("accounting", "2205000001", "2022-05-02", kind = "credit_note"))
        eq(portal.searchDocuments(user.token.expose(), "T99999", "accounting").items.map { it.number }, listOf("2205000001", "2204003143"))
        val april = portal.searchDocuments(user.token.expose(), "T99999", "accounting", periodFrom = "4/2022", periodTo = "4/2022")
        eq(april.items.map { it.id }, listOf(id))
        eq(april.items[0].kindLabelFr, "Facture Entretien")
        eq(portal.searchDocuments(user.token.expose(), "T99999", "accounting", reference = "AB 123 CD").total, 1UL)
        expectCode("FORBIDDEN") { portal.searchDocuments(user.token.expose(), "T99999", "workshop_claim") }
        expectCode("INVALID_PERIOD") { portal.searchDocuments(user.token.expose(), "T99999", "accounting", periodFrom = "13/2022") }
    }
    test("audit log for managers") {
        val log = portal.auditLog(admin, "T99999")
        check("user_created" in log.map { it.action }) { "no user_created in ${log.map { it.action }}" }
        expectCode("FORBIDDEN") { portal.auditLog(user.token.expose(), "T99999") }
    }
    test("disable, logout") {
        portal.disableAccount(admin, uid)
        expectCode("SESSION_INVALID") { portal.rightsMatrix(user.token.expose(), uid) }
        expectCode("INVALID_CREDENTIALS") { portal.login(USER, USER_PASSWORD) }
        portal.logout(admin)
        expectCode("SESSION_INVALID") { portal.manageableEstablishments(admin) }
    }
    test("an error is a PortalException with code, detail and a readable message") {
        try {
            portal.login("nobody@example.fr", "whatever")
            throw AssertionError("no exception")
        } catch (e: PortalException) {
            check(e is PortalException.Failed) { "not Failed: $e" }
            val f = e as PortalException.Failed
            eq(f.code, "INVALID_CREDENTIALS")
            eq(f.detail, "invalid email or password")
            check(e.message!!.contains("INVALID_CREDENTIALS")) { "message: ${e.message}" }
        }
    }
    portal.close()
}

/** Declares the administrator of both garages, sets its password through the reset link, logs in. */
private fun Portal.adminSession(): Pair<String, String> {
    val id = declareAdministrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
    requestPasswordReset(ADMIN)
    completePasswordReset(takeMail("password_reset", ADMIN).token!!.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    return id to login(ADMIN, ADMIN_PASSWORD).token.expose()
}

/** Creates a user on [code], activates it and logs it in: (id, token). */
private fun Portal.activeUser(admin: String, code: String?, email: String, rights: List<Right>, mobile: String? = null, landline: String? = null): Pair<String, String> {
    val id = createUser(admin, code, "Martin", "Léa", email, rights, mobile, landline)
    activateAccount(takeMail("activation", email).token!!.expose(), email, USER_PASSWORD, USER_PASSWORD)
    return id to login(email, USER_PASSWORD).token.expose()
}

private val FULL_MENU = listOf("home", "quotes_and_contracts", "workshop_claims", "easicare", "documents", "account_management")

private fun hostSurface() {
    test("labels: rights' explanations, calling codes, error codes") {
        eq(Right.MANAGE_ACCOUNTS.descriptionFr(), "Permet de créer d'autres comptes utilisateurs")
        eq(Right.MANAGE_ACCOUNTS.descriptionEn(), "Lets you create other user accounts")
        eq(Right.entries.map { it.descriptionFr() }.toSet().size, 6)
        val codes = callingCodes()
        eq(codes[0].region to codes[0].code, "FR" to "+33")
        eq(codes[0].labelFr, codes[0].labelEn)
        check(codes.any { it.region == "BE" && it.code == "+32" }) { "no BE +32" }
        check("UNKNOWN_SESSION" in errorCodes()) { "UNKNOWN_SESSION not listed" }
        val texts = screenLabels()
        eq(texts.first { it.group == "sort order" && it.code == "z_to_a" }.labelFr, "Ordre alphabétique (Z à A)")
        eq(texts.map { it.group to it.code }.toSet().size, texts.size)
    }

    val portal = Portal.inMemory(FAST)
    lateinit var adminId: String
    lateinit var admin: String
    lateinit var leaId: String
    lateinit var lea: String

    test("log in, authenticate: who, where, which menu") {
        val (id, token) = portal.adminSession()
        adminId = id
        admin = token
        val info = portal.authenticate(admin)
        eq(listOf(info.accountId, info.email, info.lastName, info.role), listOf(adminId, ADMIN, "Geloen", "administrator"))
        check(ISO_UTC.matches(info.expiresAt)) { "expires_at ${info.expiresAt}" }
        eq(info.establishment, "T88888")
        eq(info.rights, mapOf("T88888" to Right.entries.toList(), "T99999" to Right.entries.toList()))
        eq(info.sections.map { it.code }, FULL_MENU)
        eq(info.mfaEnrolled to info.restricted, false to false)
        expectCode("SESSION_INVALID") { portal.authenticate("not-a-token") }
    }
    test("a user holding one search right: its tab only") {
        val (id, token) = portal.activeUser(admin, "T99999", "lea@garage.fr", listOf(Right.SEARCH_CLAIMS), mobile = "06 23 42 54 55", landline = "0033 1 34 34 67 88")
        leaId = id
        lea = token
        val info = portal.authenticate(lea)
        eq(info.role to info.establishment, "user" to "T99999")
        eq(info.sections.map { it.labelFr }, listOf("ACCUEIL", "PRISE EN CHARGE ATELIER", "EASICARE"))
    }
    test("switch establishment; calls given no code use the connected one") {
        eq(portal.selectEstablishment(admin, "t99999").establishment, "T99999")
        eq(portal.authenticate(admin).establishment, "T99999")
        expectCode("UNKNOWN_ESTABLISHMENT") { portal.selectEstablishment(admin, "T12345") }
        expectCode("FORBIDDEN") { portal.selectEstablishment(lea, "T88888") }
        eq(portal.authenticate(lea).establishment, "T99999")
        val paul = portal.createUser(admin, null, "Durand", "Paul", "paul@garage.fr", listOf(Right.ACCOUNTING_DOCUMENTS))
        eq(portal.rightsMatrix(admin, paul), mapOf("T99999" to listOf(Right.ACCOUNTING_DOCUMENTS)))
        portal.addDocument("T99999", Document("accounting", "2204003143", "2026-01-10"))
        eq(portal.searchDocuments(admin, null, "accounting").total, 1UL)
        eq(portal.searchDocuments(admin, "T88888", "accounting").total, 0UL)
        eq(portal.auditLog(admin).map { it.seq }, portal.auditLog(admin, "T99999").map { it.seq })
        portal.recordDebitLine("T99999", "1/2026", DebitLine("stellantis_insurance", "premium", 100_000L))
        eq(portal.monthlyStatement(admin, null, "1/2026").complete, true)
        expectCode("FORBIDDEN") { portal.monthlyStatement(lea, null, "1/2026") }
    }
    test("read and edit a profile with both phones; bad input changes nothing") {
        val seen = portal.account(admin, leaId)
        eq(listOf(seen.mobile, seen.mobileDisplay, seen.landline, seen.landlineDisplay), listOf("+33623425455", "06 23 42 54 55", "+33134346788", "01 34 34 67 88"))
        eq(seen.rights, mapOf("T99999" to listOf(Right.SEARCH_CLAIMS)))
        val edited = portal.updateProfile(admin, adminId, firstName = "Alexandre-Marie", mobile = "06 23 42 54 55", landline = "+32 2 555 12 12")
        eq(edited.firstName to edited.function, "Alexandre-Marie" to "Gérant")
        eq(edited.landline to edited.landlineDisplay, "+3225551212" to "02 555 12 12")
        eq(portal.account(admin, adminId), edited)
        expectCode("INVALID_PHONE") { portal.updateProfile(admin, adminId, firstName = "Zoé", mobile = "01 34 34 67 88") }
        expectCode("INVALID_INPUT") { portal.updateProfile(admin, adminId, function = "") }
        expectCode("UNKNOWN_ACCOUNT") { portal.updateProfile(admin, "not-an-id", function = "Comptable") }
        eq(portal.account(admin, adminId), edited)
        val cleared = portal.updateProfile(admin, adminId, landline = "")
        eq(cleared.landline to cleared.mobile, null to "+33623425455")
        expectCode("UNKNOWN_ACCOUNT") { portal.account(lea, adminId) }
        expectCode("UNKNOWN_ACCOUNT") { portal.updateProfile(lea, adminId, function = "Pirate") }
        eq(portal.updateProfile(lea, leaId, function = "Comptable").function, "Comptable")
        expectCode("INVALID_INPUT") { portal.declareAdministrator("other@garage.fr", "Roy", "Anne", " ", GARAGES) }
    }
    test("list and revoke sessions from two logins") {
        val second = portal.login(ADMIN, ADMIN_PASSWORD, remember = true).token.expose()
        val listed = portal.listSessions(admin)
        eq(listed.size, 2)
        val mine = listed.single { it.current }
        val other = listed.single { !it.current }
        eq(mine.remembered to other.remembered, false to true)
        check(listed.none { admin.contains(it.id) || second.contains(it.id) }) { "an id is a token" }
        val leaSession = portal.listSessions(lea).single()
        expectCode("UNKNOWN_SESSION") { portal.revokeSession(admin, leaSession.id) }
        expectCode("UNKNOWN_SESSION") { portal.revokeSession(admin, "0".repeat(32)) }
        val garbage = expectCode("UNKNOWN_SESSION") { portal.revokeSession(admin, second) }
        check(!garbage.detail.contains(second)) { "the token was repeated" }
        eq(portal.listSessions(admin).map { it.id }.toSet(), setOf(mine.id, other.id))
        eq(portal.authenticate(lea).email, "lea@garage.fr")
        portal.revokeSession(admin, other.id)
        expectCode("SESSION_INVALID") { portal.authenticate(second) }
        val third = portal.login(ADMIN, ADMIN_PASSWORD).token.expose()
        eq(portal.revokeOtherSessions(third), 1UL)
        expectCode("SESSION_INVALID") { portal.authenticate(admin) }
        eq(portal.listSessions(third).map { it.current }, listOf(true))
        admin = third
    }
    test("change email end to end: old address refused, new one works, old sessions dead") {
        val other = portal.login(ADMIN, ADMIN_PASSWORD).token.expose()
        val new = "alexandre@garage-xyz.fr"
        expectCode("INVALID_CREDENTIALS") { portal.requestEmailChange(admin, new, "not my password") }
        expectCode("INVALID_EMAIL") { portal.requestEmailChange(admin, "nope", ADMIN_PASSWORD) }
        portal.requestEmailChange(admin, new, ADMIN_PASSWORD)
        val link = portal.takeMail("email_change", new).token!!.expose()
        eq(portal.takeMail("email_change_requested", ADMIN).token, null)
        eq(portal.authenticate(admin).email, ADMIN)
        portal.confirmEmailChange(link)
        expectCode("TOKEN_INVALID") { portal.confirmEmailChange(link) }
        expectCode("INVALID_CREDENTIALS") { portal.login(ADMIN, ADMIN_PASSWORD) }
        val s = portal.login(new, ADMIN_PASSWORD)
        eq(s.accountId, adminId)
        eq(portal.authenticate(s.token.expose()).email, new)
        expectCode("SESSION_INVALID") { portal.authenticate(admin) }
        expectCode("SESSION_INVALID") { portal.authenticate(other) }
        admin = s.token.expose()
        portal.requestEmailChange(admin, "lea@garage.fr", ADMIN_PASSWORD)
        val kinds = portal.pendingNotifications().map { it.kind to it.email }
        check(("account_exists" to "lea@garage.fr") in kinds) { "owner not told: $kinds" }
        check(kinds.none { it.first == "email_change" }) { "a link went out: $kinds" }
    }
    test("quick search with a user holding only one search right") {
        portal.addDocuments(
            "T99999",
            listOf(
                Document("contract", "C1", "2026-01-02", registration = "AB-123-CD"),
                Document("workshop_claim", "W1", "2026-01-03", registration = "AB-123-CD"),
                Document("accounting", "2204003145", "2026-01-04", registration = "AB-123-CD"),
            ),
        )
        portal.selectEstablishment(admin, "T99999")
        eq(portal.searchReference(admin, "ab 123 cd").items.map { it.number }, listOf("2204003145", "W1", "C1"))
        val page = portal.searchReference(lea, "AB-123-CD")
        eq(page.total to page.items.map { it.number }, 1UL to listOf("W1"))
        expectCode("INVALID_QUERY") { portal.searchReference(lea, "not a reference") }
        expectCode("FORBIDDEN") { portal.searchReference(lea, "AB-123-CD", "T88888") }
    }
    test("bulk user import row by row; the audit chain verifies") {
        val out = portal.createUsers(
            admin,
            listOf(
                UserImport("T99999", "Roy", "Anne", "anne@garage.fr", listOf(Right.SEARCH_CLAIMS)),
                UserImport("T99999", "Roy", "Luc", "luc@garage.fr", listOf(Right.SEARCH_CLAIMS), mobile = "01 34 34 67 88"),
                UserImport("T12345", "Roy", "Eve", "eve@garage.fr", listOf(Right.SEARCH_CLAIMS)),
            ),
        )
        eq(out.map { it.code }, listOf(null, "INVALID_PHONE", "UNKNOWN_ESTABLISHMENT"))
        eq(portal.account(admin, out[0].accountId!!).state, "invited")
        portal.resendActivation(admin, out[0].accountId!!)
        expectCode("INVALID_STATE") { portal.resendActivation(admin, leaId) }
        portal.addEstablishment(Establishment("T77777", "GARAGE RST", "VILLE 3", Regime.SELF_INSURANCE))
        expectCode("FORBIDDEN") { portal.createUser(admin, "T77777", "Roy", "Anne", "zoe@garage.fr", listOf(Right.SEARCH_CLAIMS)) }
        val n = portal.verifyAuditChain()
        check(n > 0UL) { "no event verified" }
        val head = portal.auditHead()
        eq(head.seq, n)
        eq(portal.verifyAuditChain(AuditHead(head.seq, head.hash)), n)
        portal.logout(lea)
        eq(portal.verifyAuditChain(), n + 1UL)
        eq(portal.verifyAuditChain(head), n + 1UL)
        expectCode("AUDIT_CHAIN_BROKEN") { portal.verifyAuditChain(AuditHead(n + 10UL, head.hash)) }
        expectCode("INVALID_STATE") { portal.eraseAccount(admin, leaId) }
        portal.disableAccount(admin, leaId)
        portal.eraseAccount(admin, leaId)
        expectCode("UNKNOWN_ACCOUNT") { portal.account(admin, leaId) }
        check(portal.verifyAuditChain() > n) { "the chain no longer verifies after an erasure" }
    }
    portal.close()
}

/** Issue 16 item 3: an actor's EMAIL_TAKEN answers are rationed, then RATE_LIMITED. */
private fun emailTakenIsRationed() {
    test("EMAIL_TAKEN rationed per actor, then RATE_LIMITED (configured: 2 per hour)") {
        val portal = Portal.inMemory(FAST.dropLast(1) + """, "email_taken": {"max_answers": 2, "window": 3600}}""")
        portal.declareAdministrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
        portal.requestPasswordReset(ADMIN)
        val link = portal.pendingNotifications()[0].token!!.expose()
        portal.completePasswordReset(link, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
        val admin = portal.login(ADMIN, ADMIN_PASSWORD).token.expose()
        repeat(2) { expectCode("EMAIL_TAKEN") { portal.createUser(admin, "T99999", "Pris", "Deja", ADMIN, listOf(Right.SEARCH_CLAIMS)) } }
        val e = expectCode("RATE_LIMITED") { portal.createUser(admin, "T99999", "Pris", "Deja", ADMIN, listOf(Right.SEARCH_CLAIMS)) }
        check(!e.detail.contains(ADMIN)) { "the email echoed: ${e.detail}" }
        portal.close()
    }
}

/** Issue 16 item 6: a Session or a Notification printed into an app's log never shows its token. */
private fun tokensNeverPrint() {
    test("tokens never print: Session and Notification toString") {
        val portal = Portal.inMemory(FAST)
        portal.declareAdministrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
        portal.requestPasswordReset(ADMIN)
        val mail = portal.pendingNotifications()[0]
        val link = mail.token!!.expose()
        check(link.length == 43) { "a link token is 43 characters" }
        check(!mail.toString().contains(link)) { "the link token printed: $mail" }
        check(!"$mail".contains(link) && !listOf(mail).toString().contains(link)) { "the link token printed" }
        portal.completePasswordReset(link, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
        val session = portal.login(ADMIN, ADMIN_PASSWORD)
        val token = session.token.expose()
        check(token.length == 43) { "a session token is 43 characters" }
        check(!session.toString().contains(token)) { "the session token printed: $session" }
        check(!"$session".contains(token)) { "the session token printed" }
        check(session.toString().contains("token=SessionToken(***)")) { "session: $session" }
        check(mail.toString().contains("token=LinkToken(***)")) { "mail: $mail" }
        eq(portal.authenticate(token).email, ADMIN)
        portal.close()
    }
}

/** Issue 18: retention and the right of access. */
private fun dataLifecycle() {
    test("runMaintenance removes ended links; exportAccount holds no secret") {
        val portal = Portal.inMemory(FAST)
        val adminId = portal.declareAdministrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
        portal.requestPasswordReset(ADMIN)
        val link = portal.takeMail("password_reset", ADMIN).token!!.expose()
        portal.completePasswordReset(link, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
        val token = portal.login(ADMIN, ADMIN_PASSWORD).token.expose()
        eq(portal.runMaintenance(), MaintenanceReport(0UL, 1UL, 0UL))
        eq(portal.inspectToken(link).kind, null)
        val json = portal.exportAccount(token, adminId)
        check(json.contains("\"email\": \"$ADMIN\"")) { "the export: $json" }
        check(!json.contains(token) && !json.contains(link) && !json.contains("argon2")) { "a secret in the export" }
        expectCode("SESSION_INVALID") { portal.exportAccount("not a session", adminId) }
        portal.close()
    }
}

fun main() {
    emailTakenIsRationed()
    passwordCriteria()
    menuSections()
    pureFunctions()
    seedScenario()
    hostSurface()
    tokensNeverPrint()
    dataLifecycle()
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
