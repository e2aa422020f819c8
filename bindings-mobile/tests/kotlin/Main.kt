// The generated Kotlin binding, executed on the JVM through JNA against the built .so: the seed
// scenario, the password criteria, the menu sections and the errors' codes.
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
        val token = mail.token!!
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
        admin = s.token
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
        portal.activateAccount(mail.token!!, USER, USER_PASSWORD, USER_PASSWORD)
        user = portal.login(USER, USER_PASSWORD)
        eq(user.accountId, uid)
        val matrix = portal.rightsMatrix(user.token, uid)
        eq(matrix, mapOf("T99999" to USER_RIGHTS))
        eq(visibleSections(matrix.getValue("T99999")).map { it.labelFr }, listOf("ACCUEIL", "LISTE DEVIS ET CONTRATS", "EASICARE", "DOCUMENTS"))
        expectCode("FORBIDDEN") { portal.createUser(user.token, "T99999", "Durand", "Anne", "anne@garage-xyz.fr", USER_RIGHTS) }
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
        eq(portal.searchDocuments(user.token, "T99999", "accounting").items.map { it.number }, listOf("2205000001", "2204003143"))
        val april = portal.searchDocuments(user.token, "T99999", "accounting", periodFrom = "4/2022", periodTo = "4/2022")
        eq(april.items.map { it.id }, listOf(id))
        eq(april.items[0].kindLabelFr, "Facture Entretien")
        eq(portal.searchDocuments(user.token, "T99999", "accounting", reference = "AB 123 CD").total, 1UL)
        expectCode("FORBIDDEN") { portal.searchDocuments(user.token, "T99999", "workshop_claim") }
        expectCode("INVALID_PERIOD") { portal.searchDocuments(user.token, "T99999", "accounting", periodFrom = "13/2022") }
    }
    test("audit log for managers") {
        val log = portal.auditLog(admin, "T99999")
        check("user_created" in log.map { it.action }) { "no user_created in ${log.map { it.action }}" }
        expectCode("FORBIDDEN") { portal.auditLog(user.token, "T99999") }
    }
    test("disable, logout") {
        portal.disableAccount(admin, uid)
        expectCode("SESSION_INVALID") { portal.rightsMatrix(user.token, uid) }
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

fun main() {
    passwordCriteria()
    menuSections()
    pureFunctions()
    seedScenario()
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
