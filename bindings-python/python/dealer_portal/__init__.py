"""dealer_portal: accounts, rights, passwords, tokens and documents of a car-warranty dealer
portal, over the Rust core ``dealer-portal``.

Everything is implemented by the native module ``dealer_portal._native``; this package is its
public face. See ``help(dealer_portal.Portal)`` and the binding contract (API.md).

Errors are ``PortalError`` subclasses carrying ``.code`` (a stable code such as
``"TOKEN_INVALID"``), ``.message`` and, for ``PASSWORD_POLICY``, ``.criteria``.
The GIL is released during every call into the portal (argon2, store), so a ``Portal`` can be
shared between threads.
"""

from ._native import (
    AccountPage as AccountPage,
    AccountSummary as AccountSummary,
    AuditEvent as AuditEvent,
    AuthError as AuthError,
    Check as Check,
    DebitLine as DebitLine,
    Document as Document,
    DocumentPage as DocumentPage,
    Establishment as Establishment,
    Evaluation as Evaluation,
    ExpectedDebit as ExpectedDebit,
    ForbiddenError as ForbiddenError,
    NotFoundError as NotFoundError,
    Notification as Notification,
    PasswordHasher as PasswordHasher,
    Portal as Portal,
    PortalError as PortalError,
    ReconciledDebit as ReconciledDebit,
    Reconciliation as Reconciliation,
    Reference as Reference,
    Regime as Regime,
    Right as Right,
    Session as Session,
    StorageError as StorageError,
    SupportChannel as SupportChannel,
    SupportDirectory as SupportDirectory,
    TokenError as TokenError,
    TokenStatus as TokenStatus,
    UserImport as UserImport,
    ValidationError as ValidationError,
    evaluate_password as evaluate_password,
    expected_debits as expected_debits,
    parse_reference as parse_reference,
    reconcile as reconcile,
    support_directory as support_directory,
)

__all__ = [
    "AccountPage",
    "AccountSummary",
    "AuditEvent",
    "AuthError",
    "Check",
    "DebitLine",
    "Document",
    "DocumentPage",
    "Establishment",
    "Evaluation",
    "ExpectedDebit",
    "ForbiddenError",
    "NotFoundError",
    "Notification",
    "PasswordHasher",
    "Portal",
    "PortalError",
    "ReconciledDebit",
    "Reconciliation",
    "Reference",
    "Regime",
    "Right",
    "Session",
    "StorageError",
    "SupportChannel",
    "SupportDirectory",
    "TokenError",
    "TokenStatus",
    "UserImport",
    "ValidationError",
    "evaluate_password",
    "expected_debits",
    "parse_reference",
    "reconcile",
    "support_directory",
]
