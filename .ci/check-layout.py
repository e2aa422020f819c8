#!/usr/bin/env python3
"""The house rules a compiler does not check, run by .ci/test-all:

1. Every source file of core/src and bindings-*/src has at most 800 lines of code before its
   test module (a room a reader can hold).
2. The modules of each crate form no circle of imports: module A imports B when a file of A
   names `crate::B` outside its tests. A folder module counts as one module.
3. The domain modules of the core import neither `store` nor `service`.

Prints what breaks a rule and exits 1; prints one summary line and exits 0 otherwise.
"""
import os
import re
import sys

MAX_LINES = 800
CRATES = ["core/src", "bindings-python/src", "bindings-node/src", "bindings-mobile/src"]
LAYERS_ABOVE_DOMAIN = {"store", "service", "lib"}
# Names re-exported at the crate root, so `crate::{Error, Result}` points at their module.
ROOT_NAMES = {
    "core/src": {
        "Error": "error", "Result": "error", "ErrorFamily": "error",
        "Email": "email", "PersonName": "names", "Coded": "locale", "Locale": "locale",
        "Right": "rights", "Rights": "rights", "RightsMatrix": "rights",
        "Establishment": "establishment", "EstablishmentCode": "establishment",
        "AccountId": "account", "AccountState": "account", "Role": "account",
        "SecretString": "secret", "Portal": "service", "PortalConfig": "service",
        "Clock": "clock", "ManualClock": "clock", "SystemClock": "clock",
        "YearMonth": "period", "Period": "period", "Regime": "regime",
        "PhoneNumber": "phone", "PhoneKind": "phone",
    },
}


def code_before_tests(text):
    cut = re.search(r"^#\[cfg\(test\)\]", text, re.M)
    return text[: cut.start()] if cut else text


def modules(src):
    """{module: set of modules it imports} for one crate's src folder."""
    graph = {}
    aliases = ROOT_NAMES.get(src, {})
    for folder, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(folder, name)
            top = os.path.relpath(path, src).split(os.sep)[0].removesuffix(".rs")
            text = re.sub(r"//.*", "", code_before_tests(open(path, encoding="utf-8").read()))
            names = set(re.findall(r"\bcrate::([A-Za-z_][A-Za-z0-9_]*)", text))
            for group in re.findall(r"\bcrate::\{([^}]*)\}", text):
                names.update(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\b", group))
            deps = {aliases.get(n, n) for n in names}
            graph.setdefault(top, set()).update(deps)
    known = set(graph)
    return {m: {d for d in deps if d in known and d != m} for m, deps in graph.items()}


def circles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    os.chdir(root)
    problems, files = [], 0
    for src in CRATES:
        if not os.path.isdir(src):
            continue
        for folder, _, names in os.walk(src):
            for name in sorted(names):
                if name.endswith(".rs"):
                    files += 1
                    path = os.path.join(folder, name)
                    n = code_before_tests(open(path, encoding="utf-8").read()).count("\n")
                    if n > MAX_LINES:
                        problems.append(f"{path}: {n} lines of code before its tests (at most {MAX_LINES})")
        graph = modules(src)
        for comp in circles(graph):
            problems.append(f"{src}: a circle of imports between modules {', '.join(comp)}")
        if src == "core/src":
            for m, deps in sorted(graph.items()):
                above = deps & {"store", "service"}
                if m not in LAYERS_ABOVE_DOMAIN and above:
                    problems.append(f"core/src/{m}: a domain module imports {', '.join(sorted(above))}")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"layout: {files} files, none over {MAX_LINES} lines of code, no circle of imports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
