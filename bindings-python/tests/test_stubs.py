"""The hand-written stubs and the native module agree (stubtest in test.sh checks signatures;
this checks names, so a new native name without a stub fails here too)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import dealer_portal
import dealer_portal._native as native

STUB = Path(dealer_portal.__file__).with_name("_native.pyi")


def stub_names() -> dict[str, set[str]]:
    """Top-level names of the stub, each with the names its class body declares."""
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    names: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members: set[str] = set()
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members.add(item.target.id)
            names[node.name] = members
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names[node.name] = set()
    return names


def public_native_names() -> set[str]:
    return {n for n in dir(native) if not n.startswith("_")}


def test_every_public_native_name_has_a_stub() -> None:
    assert public_native_names() <= set(stub_names()), public_native_names() - set(stub_names())
    assert set(stub_names()) <= public_native_names()


def test_every_public_member_has_a_stub() -> None:
    stubs = stub_names()
    for name in public_native_names():
        obj = getattr(native, name)
        if not inspect.isclass(obj) or issubclass(obj, BaseException):
            continue
        members = {m for m in vars(obj) if not m.startswith("_")}
        missing = members - stubs[name]
        assert not missing, f"{name}: {sorted(missing)} have no stub"


def test_package_reexports_the_native_module() -> None:
    assert sorted(dealer_portal.__all__) == sorted(public_native_names())
    for name in dealer_portal.__all__:
        assert getattr(dealer_portal, name) is getattr(native, name)
    assert (Path(dealer_portal.__file__).parent / "py.typed").exists()
