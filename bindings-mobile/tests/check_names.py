#!/usr/bin/env python3
"""Fails unless the generated Kotlin, Swift and Python expose every name of the contract.

Usage: check_names.py <out-dir holding kotlin/, swift/, python/>

The contract (../shared/API.md) lists the methods of `Portal` and the pure functions; uniffi
turns snake_case into camelCase for Kotlin and Swift. The list below is the contract's; when
API.md is found (next to the repository, or at $DEALER_PORTAL_API_MD) the names it mentions
(`portal.x(` and `dp.x(`) are added once the core offers them (a public method of the core's
`Portal`, or a public function of the core), so a flow the core gains fails here until bound.
Contract names the core does not offer yet are listed as pending (later releases' work), not
failed: a binding cannot bind what the core lacks.
"""

import os
import re
import sys
import tomllib
from pathlib import Path

CONSTRUCTORS = ["open", "in_memory"]
METHODS = [
    "declare_administrator",
    "request_password_reset",
    "complete_password_reset",
    "inspect_token",
    "pending_notifications",
    "acknowledge_notification",
    "login",
    "logout",
    "change_password",
    "manageable_establishments",
    "create_user",
    "activate_account",
    "register_repairer",
    "resend_activation",
    "set_rights",
    "rights_matrix",
    "disable_account",
    "list_accounts",
    "add_document",
    "search_documents",
    "audit_log",
]
FUNCTIONS = [
    "evaluate_password",
    "expected_debits",
    "reconcile",
    "parse_reference",
    "support_directory",
    "visible_sections",
    "screen_labels",
]
# Value types of the contract (records and enums).
TYPES = [
    "Evaluation", "Check", "Right", "Regime", "ExpectedDebit", "DebitLine", "Reconciliation",
    "ReconciledDebit", "Reference", "SupportDirectory", "SupportChannel", "Establishment",
    "TokenStatus", "Notification", "Session", "AccountPage", "AccountSummary", "Document",
    "DocumentPage", "AuditEvent", "Section",
    # the second release
    "SessionInfo", "SessionSummary", "AccountDetail", "CallingCode", "UserImport", "ImportOutcome",
    "ScreenLabel",
]
# Objects that hold a secret (issue 16 item 6): a record prints every field, so a token crosses
# as one of these, which print redacted (`SessionToken(***)`) and give the value by `expose()`.
SECRET_OBJECTS = ["SessionToken", "LinkToken", "TotpSecretText"]


def core_names():
    """The public methods of the core's Portal and the public functions of the core."""
    root = Path(__file__).resolve().parents[2] / "core" / "src"
    methods, functions = set(), set()
    for path in root.rglob("*.rs"):
        text = path.read_text(encoding="utf-8")
        cut = re.search(r"^#\[cfg\(test\)\]", text, re.M)
        text = text[: cut.start()] if cut else text
        if "service" in path.parts:
            methods.update(re.findall(r"^    pub fn ([a-z_0-9]+)", text, re.M))
        functions.update(re.findall(r"^pub fn ([a-z_0-9]+)", text, re.M))
    return methods, functions


def contract_names():
    methods, functions = list(METHODS), list(FUNCTIONS)
    core_methods, core_functions = core_names()
    pending = []
    candidates = [os.environ.get("DEALER_PORTAL_API_MD", "")]
    root = Path(__file__).resolve().parents[2]
    candidates += [root / "../shared/API.md", root / "shared/API.md", root / "API.md"]
    for c in candidates:
        if c and Path(c).is_file():
            text = Path(c).read_text(encoding="utf-8")
            for m in re.findall(r"\bportal\.([a-z_]+)\(", text):
                if m in methods:
                    continue
                (methods if m in core_methods else pending).append(m)
            for f in re.findall(r"\bdp\.([a-z_]+)\(", text):
                if f in functions:
                    continue
                (functions if f in core_functions else pending).append(f)
            print(f"check_names: contract names cross-checked with {Path(c).resolve()}")
            break
    if pending:
        print(f"check_names: in the contract, not yet in the core: {', '.join(pending)}")
    return methods, functions


def swift_renames():
    """Types uniffi.toml renames for Swift (Foundation's Notification, SwiftUI's Section)."""
    config = tomllib.loads((Path(__file__).resolve().parents[1] / "uniffi.toml").read_text())
    return config.get("bindings", {}).get("swift", {}).get("rename", {})


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def block(text, start_pattern, end_pattern):
    """The text from the match of start_pattern to the match of end_pattern after it."""
    m = re.search(start_pattern, text, re.M)
    if not m:
        return ""
    end = re.search(end_pattern, text[m.end():], re.M)
    return text[m.start(): m.end() + (end.start() if end else len(text))]


def py_class(text, name):
    m = re.search(rf"^class {name}\b.*:$", text, re.M)
    if not m:
        return None
    end = re.search(r"^(class|def) ", text[m.end():], re.M)
    return text[m.start(): m.end() + (end.start() if end else len(text))]


def main(out):
    out = Path(out)
    methods, functions = contract_names()
    missing = []

    kt = (out / "kotlin/fr/dealerportal/dealer_portal.kt").read_text(encoding="utf-8")
    # the class, up to its FFI converter (the next top-level declaration)
    kt_portal = block(kt, r"^open class Portal\b", r"^public object FfiConverterTypePortal\b")
    kt_iface = block(kt, r"^public interface PortalInterface\b", r"^open class Portal\b")
    kt_rest = kt.replace(kt_portal, "").replace(kt_iface, "")
    for n in CONSTRUCTORS + methods:
        if not re.search(rf"\bfun `{camel(n)}`\(", kt_portal):
            missing.append(f"Kotlin Portal.{camel(n)}")
    for n in functions:
        if not re.search(rf"\bfun `{camel(n)}`\(", kt_rest):
            missing.append(f"Kotlin {camel(n)}()")
    for t in TYPES:
        if not re.search(rf"^(data class|enum class|sealed class|class) {t}\b", kt, re.M):
            missing.append(f"Kotlin type {t}")
    for t in SECRET_OBJECTS:
        body = block(kt, rf"^open class {t}\b", rf"^public object FfiConverterType{t}\b")
        if not (re.search(r"\bfun `expose`\(\): kotlin.String", body) and "override fun toString()" in body):
            missing.append(f"Kotlin class {t} with expose() and a redacted toString()")
    if not re.search(r"^sealed class PortalException\b", kt, re.M):
        missing.append("Kotlin PortalException")

    sw = (out / "swift/DealerPortal.swift").read_text(encoding="utf-8")
    sw_portal = block(sw, r"^open class Portal\b", r"^public struct FfiConverterTypePortal\b")
    sw_proto = block(sw, r"^public protocol PortalProtocol\b", r"^open class Portal\b")
    sw_rest = sw.replace(sw_portal, "").replace(sw_proto, "")
    for n in CONSTRUCTORS + methods:
        if not re.search(rf"\bfunc `?{camel(n)}`?\(", sw_portal):
            missing.append(f"Swift Portal.{camel(n)}")
    for n in functions:
        if not re.search(rf"^public func {camel(n)}\(", sw_rest, re.M):
            missing.append(f"Swift {camel(n)}()")
    renamed = swift_renames()
    for t in TYPES:
        t = renamed.get(t, t)
        if not re.search(rf"^public\s+(struct|enum) {t}\b", sw, re.M):
            missing.append(f"Swift type {t}")
    for t in SECRET_OBJECTS:
        decl = re.search(rf"^open class {t}: (.*) {{$", sw, re.M)
        if not decl or not {"CustomStringConvertible", "CustomDebugStringConvertible",
                            "Equatable", "Hashable"} <= set(decl.group(1).split(", ")):
            missing.append(f"Swift class {t} printing redacted, Equatable and Hashable")
    # No record field holds a token or a password as a printable string.
    for field in re.findall(r"^    public var (\w*(?:[tT]oken|[pP]assword)\w*): String\??$", sw, re.M):
        missing.append(f"Swift: a record field {field} holds a secret as a String")
    if not re.search(r"^public\s+enum PortalError\b", sw, re.M):
        missing.append("Swift PortalError")
    for f in ["DealerPortalFFI.h", "DealerPortalFFI.modulemap"]:
        if not (out / "swift" / f).is_file():
            missing.append(f"Swift {f}")

    py = (out / "python/dealer_portal.py").read_text(encoding="utf-8")
    py_portal = py_class(py, "Portal") or ""
    for n in CONSTRUCTORS + methods:
        if not re.search(rf"\bdef {n}\(", py_portal):
            missing.append(f"Python Portal.{n}")
    for n in functions:
        if not re.search(rf"^def {n}\(", py, re.M):
            missing.append(f"Python {n}()")
    for t in SECRET_OBJECTS:
        body = py_class(py, t) or ""
        if not all(f"def {d}(" in body for d in ["expose", "__repr__", "__str__"]):
            missing.append(f"Python class {t} with expose(), __repr__ and __str__")

    total = (len(CONSTRUCTORS) + len(methods)) * 3 + len(functions) * 3 + len(TYPES) * 2
    if missing:
        print("check_names: the generated bindings lack:", file=sys.stderr)
        for m in missing:
            print(f"  - {m}", file=sys.stderr)
        sys.exit(1)
    print(
        f"check_names: Kotlin, Swift and Python expose Portal's {len(CONSTRUCTORS) + len(methods)} "
        f"constructors and methods, the {len(functions)} functions and the contract's types "
        f"({total} names checked)"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/uniffi")
