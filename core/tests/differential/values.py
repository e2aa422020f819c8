#!/usr/bin/env python3
"""Differential test of the core's phone numbers and email addresses against independent
references: Google's libphonenumber (PyPI `phonenumbers`) and `email-validator`.

Run by run.sh (which makes the venv with the pinned references and builds the verdict binary):

    python3 values.py --verdict PATH/TO/values_verdict [--seed N] [--show N]

Generates the inputs (seeded): for every calling code of the metadata (every region and every
non-geographic code), each type's example number, its neighbours (one digit more, one less,
the last digits redrawn) and random numbers of every possible length, typed in international
form and, when valid, in national form beside the region's code; and addresses with every
ASCII special character, Unicode local parts, IDN, full-width and xn-- domains, long labels,
reserved and numeric top-level domains. Each goes through the core (the verdict binary, JSON
lines) and through the reference; any difference not in DELIBERATE below fails the run.

Deliberate differences (the core is stricter or friendlier on purpose). Phones:
- trunk-zero: a 0 typed right after an international code (`+57 0321 123 4567`, as people
  write `+33 (0)6 …`) is read by the core as the trunk prefix it is at home and dropped; for a
  few countries (Colombia) the reference reads that 0 and the next digit as a carrier-selection
  code and refuses the rest. Put down to this only when the number without that 0 is valid for
  the reference with the same E.164 form as the core's.
Emails:
- trim: the core trims surrounding whitespace (a form's field), the reference refuses it.
- case: the core lower-cases the local part (logins are case-insensitive, spec), the reference
  keeps its case; normal forms are compared with the reference's local part lower-cased.
- local-bytes: the core limits the local part to 64 bytes of UTF-8 (RFC 5321 counts octets);
  the reference counts characters, and only in its strict mode.
- invisible: the core refuses characters that print nothing although Unicode calls them letters
  (the Hangul fillers U+115F, U+1160, U+3164, U+FFA0), which make two addresses look alike; the
  reference accepts them.
- the reference checks domains against IDNA 2008 (the `idna` package), the core against
  UTS #46 (the `idna` crate, as browsers and mail clients do) plus a letters/marks/digits rule
  (and the Catalan `l·l`); no generated domain tells them apart, and none is excused.
"""
import argparse
import json
import random
import subprocess
import sys
import unicodedata

import email_validator
import phonenumbers as pn
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberType as T

MOBILE_TYPES = {T.MOBILE, T.FIXED_LINE_OR_MOBILE}
FIXED_TYPES = {T.FIXED_LINE, T.FIXED_LINE_OR_MOBILE, T.VOIP}
DESCS = [
    "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number",
    "voip", "pager", "uan", "voicemail",
]


# ---------------------------------------------------------------- phones

def phone_inputs(rng):
    """(calling code of the dropdown, typed, region for the reference) triples."""
    metas = [pn.PhoneMetadata.metadata_for_region(r) for r in sorted(pn.SUPPORTED_REGIONS)]
    metas += [pn.PhoneMetadata.metadata_for_nongeo_region(c)
              for c in sorted(pn.COUNTRY_CODES_FOR_NON_GEO_REGIONS)]
    seen = set()
    out = []

    def add(cc, nsn):
        if not nsn or (cc, nsn) in seen:
            return
        seen.add((cc, nsn))
        out.append(("+33", f"+{cc} {nsn}", "ZZ"))

    for md in metas:
        cc = md.country_code
        examples = [getattr(md, d).example_number for d in DESCS
                    if getattr(md, d) is not None and getattr(md, d).example_number]
        for ex in examples:
            add(cc, ex)
            add(cc, ex + str(rng.randrange(10)))
            add(cc, ex + str(rng.randrange(100)).zfill(2))
            add(cc, ex[:-1])
            for k in (1, 2, 3, 4):
                for _ in range(3):
                    if len(ex) > k:
                        add(cc, ex[:-k] + "".join(str(rng.randrange(10)) for _ in range(k)))
            # A leading zero in front of the national significant number.
            add(cc, "0" + ex)
        lengths = list(md.general_desc.possible_length or []) or [8, 9, 10]
        starts = sorted({ex[0] for ex in examples}) or ["0", "1", "2"]
        for length in lengths:
            for _ in range(6):
                first = rng.choice(starts + [str(rng.randrange(10))])
                add(cc, first + "".join(str(rng.randrange(10)) for _ in range(length - 1)))
    return out


def phone_reference(typed, region):
    try:
        n = pn.parse(typed, region)
    except pn.NumberParseException:
        return None
    if n.extension or not pn.is_valid_number(n):
        return None
    return pn.format_number(n, pn.PhoneNumberFormat.E164), pn.number_type(n)


def national_variants(rng, valid):
    """Valid numbers typed as in their country, with the main region's code in the dropdown."""
    out = []
    for e164 in valid:
        n = pn.parse(e164, "ZZ")
        region = pn.region_code_for_country_code(n.country_code)
        if region in ("ZZ", "001"):
            continue
        national = pn.format_number(n, pn.PhoneNumberFormat.NATIONAL)
        out.append((f"+{n.country_code}", national, region))
        if rng.random() < 0.2:
            out.append((f"{n.country_code}", national.replace(" ", "."), region))
    return out


def explain_phone(typed, region, mine):
    """A trunk 0 typed after an international code, read as such by the core."""
    if not (mine["ok"] and typed.startswith("+") and " 0" in typed):
        return False
    ref = phone_reference(typed.replace(" 0", " ", 1), region)
    return ref is not None and ref[0] == mine["e164"]


def compare_phones(verdicts, cases, explained):
    failures = []
    valid = []
    for (cc, typed, region), ours in zip(cases, verdicts):
        ref = phone_reference(typed, region)
        for field, accepted in (("mobile", MOBILE_TYPES), ("fixed_line", FIXED_TYPES)):
            mine = ours[field]
            want = ref is not None and ref[1] in accepted
            if mine["ok"] != want or (want and mine["e164"] != ref[0]):
                if explain_phone(typed, region, mine):
                    explained.setdefault("trunk-zero", []).append(typed)
                    continue
                failures.append({
                    "cc": cc, "typed": typed, "field": field, "ours": mine,
                    "reference": None if ref is None else
                    {"e164": ref[0], "type": str(ref[1])},
                })
        if ref is not None:
            valid.append(ref[0])
    return failures, valid


# ---------------------------------------------------------------- emails

LOCALS = [
    "jean", "Jean.Dupont", "j", "jean+portail", "o'brien", "j_dupont-2", "a" * 64, "a" * 65,
    "é" * 32, "é" * 33, "é" * 64, "é" * 65, ".jean", "jean.", "je..an", '"jean"', '"je an"',
    '"je.an"', '"je\\"an"', "δοκιμή", "用户", "éric", "e\u0301ric", "\u0301eric", "jean☃",
    "mailto:jean", "JEAN", "ÉRIC", "jean€", "jean«x»", "jean·x", "jean\u00a0x", "jean\u2028x",
    "jean\u200bx", "jean\u00adx", "jean\ue000x", "jean\u0378x", "jean\u3164x", "jean\u115fx",
    "ǅean", "ßtraße", "ΣΊΣΥΦΟΣ", "İstanbul", "ﬁn", "①jean", "jean١٢", "x" * 10 + "ä" * 27,
]
LOCALS += [f"je{c}an" for c in map(chr, range(0x21, 0x7F)) if c != "@"]
LOCALS += [f"{c}jean" for c in "!#$%&'*+-/=?^_`{|}~.(),:;<>[]\\\""]

DOMAINS = [
    "garage.fr", "Garage.FR", "garagé.fr", "GARAGÉ.FR", "xn--garag-fsa.fr", "XN--GARAG-FSA.FR",
    "ｇａｒａｇｅ.fr", "ＧＡＲＡＧＥ.ＦＲ", "garage．fr", "garage。fr", "garage｡fr",
    "b" * 63 + ".fr", "b" * 64 + ".fr", "é" * 63 + ".fr", "é" * 20 + ".fr", "é" * 30 + ".fr",
    ".".join(["c" * 63] * 3) + "." + "d" * 61, ".".join(["c" * 63] * 3) + "." + "d" * 62,
    "garage.local", "garage.test", "garage.invalid", "garage.onion", "garage.localhost",
    "1.168.192.in-addr.arpa", "garage.arpa", "garage.example", "garage.TEST",
    "xn--.fr", "xn--a.fr", "xn--garage-.fr", "xn--zz.fr", "xn--ls8h.fr", "xn--80ak6aa92e.com",
    "ab--cd.fr", "a-b.fr", "-ab.fr", "ab-.fr", "a--b.fr", "xn--ab.fr",
    "garage.fr1", "garage.1fr", "garage.f1r", "1.2.3.4", "[1.2.3.4]", "[IPv6:::1]",
    "garage_x.fr", "localhost", "garage..fr", ".garage.fr", "garage.fr.", "garage",
    "straße.de", "faß.de", "☃.fr", "garage.☃", "пример.рф", "例え.jp", "ﬁ.fr", "ⓖarage.fr",
    "a\u0301.fr", "ÅBC.fr", "garage.xn--p1ai", "ab·cd.fr", "l·l.cat", "ελληνικά.gr",
    "ΣΊΣΥΦΟΣ.gr", "σίσυφος.gr", "xn--mxaaa.gr", "0.fr", "9garage.fr", "garage-.fr",
    "ga\u200drage.fr", "مثال.إختبار", "עברית.il", "a1-.fr", "ab.c-d.fr", "ab.-cd.fr",
    "٣.fr", "garage.٣", "garage.fr\u3002", "⒈fr.fr", "garage。test", "x.ｃｏｍ",
]


def email_inputs(rng):
    out = []
    for local in LOCALS:
        out.append(f"{local}@garage.fr")
    for domain in DOMAINS:
        out.append(f"jean@{domain}")
        out.append(f"{'a' * 64}@{domain}")
    pool_local = LOCALS + ["jean", "Jean.Dupont", "compta"] * 10
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789.-_+'éàüßΣ!#$%&*/=?^`{|}~(),:;<>[]\\\" "
    for _ in range(3000):
        r = rng.random()
        if r < 0.4:
            local = rng.choice(pool_local)
        else:
            local = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        domain = rng.choice(DOMAINS + ["garage.fr"] * 20)
        s = f"{local}@{domain}"
        if rng.random() < 0.2:
            s = s.upper() if rng.random() < 0.5 else s.title()
        if rng.random() < 0.1:
            s = rng.choice([" ", "\t", "  "]) + s + rng.choice(["", " ", "\n"])
        if rng.random() < 0.03:
            s = s.replace("@", rng.choice(["", "@@", "@x@"]), 1)
        out.append(s)
    return list(dict.fromkeys(out))


def email_reference(s):
    try:
        v = validate_email(s, check_deliverability=False)
    except EmailNotValidError as e:
        return False, str(e)
    local = unicodedata.normalize("NFC", v.local_part.lower())
    return True, f"{local}@{v.domain}"


INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}


def explain_email(s, ours, ref_ok, ref_normal):
    """The deliberate difference that explains a disagreement, or None."""
    stripped = s.strip()
    if stripped != s:
        ok2, normal2 = email_reference(stripped)
        if ok2 == ours["ok"] and (not ok2 or normal2 == ours["normal"]):
            return "trim"
        s = stripped
    local, _, domain = s.rpartition("@")
    if not ours["ok"] and ref_ok:
        if "64 bytes" in ours["reason"] and len(local.encode()) > 64:
            return "local-bytes"
        if "254 bytes" in ours["reason"] and len(local.encode()) > 64:
            return "local-bytes"
        if "invisible" in ours["reason"] and INVISIBLE_LETTERS & set(s):
            return "invisible"
    return None


def compare_emails(verdicts, cases):
    failures, explained = [], {}
    for s, ours in zip(cases, verdicts):
        ref_ok, ref_out = email_reference(s)
        same = ours["ok"] == ref_ok and (not ref_ok or ours["normal"] == ref_out)
        if same:
            continue
        why = explain_email(s, ours, ref_ok, ref_out)
        if why:
            explained.setdefault(why, []).append(s)
        else:
            failures.append({"input": s, "ours": ours, "reference": {"ok": ref_ok,
                                                                    "out": ref_out}})
    return failures, explained


# ---------------------------------------------------------------- driver

def run_core(binary, requests):
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in requests)
    done = subprocess.run([binary], input=text.encode(), capture_output=True, check=True)
    lines = done.stdout.decode().splitlines()
    assert len(lines) == len(requests), (len(lines), len(requests))
    return [json.loads(line) for line in lines]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--verdict", required=True, help="the values_verdict example binary")
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--show", type=int, default=25, help="differences to print")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print(f"references: phonenumbers {pn.__version__}, "
          f"email-validator {email_validator.__version__}; seed {args.seed}")

    cases = phone_inputs(rng)
    verdicts = run_core(args.verdict, [{"phone": t, "cc": cc} for cc, t, _ in cases])
    phone_explained = {}
    failures, valid = compare_phones(verdicts, cases, phone_explained)
    national = national_variants(rng, valid)
    verdicts = run_core(args.verdict, [{"phone": t, "cc": cc} for cc, t, _ in national])
    more, _ = compare_phones(verdicts, national, phone_explained)
    failures += more
    codes = {pn.parse(t, "ZZ").country_code for _, t, _ in cases}
    print(f"phones: {len(cases) + len(national)} numbers ({len(valid)} valid by the "
          f"reference) over {len(codes)} calling codes, {len(failures)} unexplained "
          f"differences; deliberate: "
          + (", ".join(f"{k} {len(v)}" for k, v in sorted(phone_explained.items())) or "none"))
    for k, v in sorted(phone_explained.items()):
        print(f"  {k}: e.g. {v[0]!r}")

    emails = email_inputs(rng)
    verdicts = run_core(args.verdict, [{"email": s} for s in emails])
    email_failures, explained = compare_emails(verdicts, emails)
    accepted = sum(v["ok"] for v in verdicts)
    print(f"emails: {len(emails)} addresses ({accepted} accepted by the core), "
          f"{len(email_failures)} unexplained differences; deliberate: "
          + (", ".join(f"{k} {len(v)}" for k, v in sorted(explained.items())) or "none"))
    for k, v in sorted(explained.items()):
        print(f"  {k}: e.g. {v[0]!r}")

    for f in (failures + email_failures)[: args.show]:
        print("DIFF", json.dumps(f, ensure_ascii=False))
    if failures or email_failures:
        print(f"FAILED: {len(failures) + len(email_failures)} unexplained differences")
        return 1
    print("ok: no unexplained difference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
