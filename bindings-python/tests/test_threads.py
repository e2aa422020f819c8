"""The GIL is released during core calls: threads run in parallel, and a token is single-use
under concurrency in every store."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import dealer_portal as dp
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, seed, take_token

THREADS = 8


def test_eight_threads_consume_one_token_exactly_one_wins(any_portal: dp.Portal) -> None:
    portal = any_portal
    seed(portal)
    portal.request_password_reset(ADMIN_EMAIL)
    token = take_token(portal, ADMIN_EMAIL, "password_reset")
    barrier = threading.Barrier(THREADS)

    def consume(i: int) -> str:
        password = f"Nouveau-Motdepasse-{i:02d}!"
        barrier.wait()
        try:
            portal.complete_password_reset(token, ADMIN_EMAIL, password, password)
            return password
        except dp.PortalError as e:
            return f"{type(e).__name__}:{e.code}"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(consume, range(THREADS)))

    winners = [o for o in outcomes if not o.startswith("TokenError:")]
    assert len(winners) == 1, outcomes
    assert outcomes.count("TokenError:TOKEN_INVALID") == THREADS - 1, outcomes
    # The winner's password is the one in force.
    assert portal.login(ADMIN_EMAIL, winners[0]).account_id
    assert not portal.inspect_token(token).usable


def progress_during(call: Callable[[], object]) -> int:
    """How many times a pure-Python loop in this thread turned while `call` ran in another."""
    done = threading.Event()

    def run() -> None:
        try:
            call()
        finally:
            done.set()

    worker = threading.Thread(target=run)
    turns = 0
    worker.start()
    while not done.is_set():
        turns += 1
        time.sleep(0)
    worker.join()
    return turns


def test_hashing_releases_the_gil() -> None:
    # ~64 MiB, 3 passes: long enough that a held GIL would freeze this thread for the whole call.
    hasher = dp.PasswordHasher(m_cost_kib=64 * 1024, t_cost=3, p_cost=1)
    started = time.perf_counter()
    turns = progress_during(lambda: hasher.hash("Un-Motdepasse-Long-1!"))
    elapsed = time.perf_counter() - started
    # With the GIL held, the loop could only turn at the start and the end.
    assert turns > 50, (turns, elapsed)


def test_login_releases_the_gil() -> None:
    # The default (OWASP) parameters: what a real login costs.
    portal = dp.Portal.in_memory()
    portal.declare_administrator(ADMIN_EMAIL, "Geloen", "Alexandre", "Gérant", [dp.Establishment("T99999", "G", "V", None)])
    portal.request_password_reset(ADMIN_EMAIL)
    token = take_token(portal, ADMIN_EMAIL, "password_reset")
    portal.complete_password_reset(token, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_PASSWORD)
    turns = progress_during(lambda: [portal.login(ADMIN_EMAIL, ADMIN_PASSWORD) for _ in range(3)])
    assert turns > 50, turns


def test_email_change_releases_the_gil() -> None:
    # The current password is checked with argon2 at the default (OWASP) parameters.
    portal = dp.Portal.in_memory()
    portal.declare_administrator(ADMIN_EMAIL, "Geloen", "Alexandre", "Gérant", [dp.Establishment("T99999", "G", "V", None)])
    portal.request_password_reset(ADMIN_EMAIL)
    token = take_token(portal, ADMIN_EMAIL, "password_reset")
    portal.complete_password_reset(token, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_PASSWORD)
    session = portal.login(ADMIN_EMAIL, ADMIN_PASSWORD).token
    new = [f"nouvelle{i}@garage-xyz.fr" for i in range(3)]

    def ask() -> None:
        for e in new:
            portal.request_email_change(session, e, ADMIN_PASSWORD)

    turns = progress_during(ask)
    assert turns > 50, turns
    assert [n.email for n in portal.pending_notifications() if n.kind == "email_change"] == new


def test_logins_from_threads_share_one_portal(any_portal: dp.Portal) -> None:
    s = seed(any_portal)

    def login(_: int) -> str:
        return s.portal.login(ADMIN_EMAIL, ADMIN_PASSWORD).account_id

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(login, range(16))) == {s.admin_id}
