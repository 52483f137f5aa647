#!/usr/bin/env python3
"""Benchmark (a program, not a test): fast-bitrix24, unmodified, with its throttle raised, creating and moving deals
through the Bitrix24 dialect, against our native API doing the same work in the same run on the same server.

Each deal is created in the sales-002 pipeline (category 0) with its contact and requirements, then moved from
new_lead to processing_request through the one transition path. Prints both rates (deals created and moved per
second) and their ratio; the target is a ratio of at least 0.5.

    .venv/bin/python scripts/bench_bitrix24.py --deals 10000 [--native-clients 8]

AUTOFUNNEL_BIN names the server binary (default .build/debug/autofunnel; use a release build for figures)."""
import argparse
import concurrent.futures
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Tests" / "system"))
import harness  # noqa: E402
from fast_bitrix24 import Bitrix  # noqa: E402


def fast_bitrix24(webhook: str, contact: int, n: int) -> float:
    # The throttle raised as WIRE.md describes for full speed; the velocity policy stays on, as the library ships.
    client = Bitrix(webhook, verbose=False, request_pool_size=10_000, requests_per_second=1000.0)
    started = time.monotonic()
    ids = client.call("crm.deal.add", [
        {"fields": {"TITLE": f"b24 {i}", "CATEGORY_ID": 0, "OPPORTUNITY": 1000 + i, "CURRENCY_ID": "RUB", "CONTACT_ID": contact,
                    "UF_CRM_REQUIREMENTS": "2,4 м"}} for i in range(n)])
    ids = [int(i) for i in ids]
    assert len(set(ids)) == n, f"fast-bitrix24 created {len(set(ids))} of {n} deals"
    client.call("crm.deal.update", [{"id": i, "fields": {"STAGE_ID": "PROCESSING_REQUEST"}} for i in ids])
    elapsed = time.monotonic() - started
    moved = client.get_all("crm.deal.list", {"filter": {"STAGE_ID": "PROCESSING_REQUEST", "%TITLE": "b24 "}, "select": ["ID"]})
    assert len(moved) == n, f"fast-bitrix24 moved {len(moved)} of {n} deals"
    return elapsed


def native(base: str, token: str, contact: int, n: int, clients: int) -> float:
    local = threading.local()

    def api() -> harness.Api:
        if not hasattr(local, "api"):
            local.api = harness.Api(base, token)
        return local.api

    def one(i: int) -> None:
        deal = api().ok("POST", "/deals", {"pipeline": "sales", "title": f"native {i}", "contactId": contact,
                                           "amount": {"value": str(1000 + i), "currency": "RUB"},
                                           "fields": {"requirements": "2,4 м"}})
        api().ok("POST", f"/deals/{deal['id']}/move", {"stage": "processing_request"})

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for f in [pool.submit(one, i) for i in range(n)]:
            f.result()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--native-clients", type=int, default=8, help="concurrent connections of the native run")
    args = parser.parse_args()
    started = harness.preset_server("bench-b24", ["sales-002"], "bench@autofunnel.test")
    server, api, token, uid = started["server"], started["api"], started["token"], started["uid"]
    try:
        contact = api.ok("POST", "/contacts", {"name": "Анна", "phones": ["+7 912 345-67-89"]})["id"]
        webhook = f"{server.base}/rest/{uid}/{token}/"
        b24 = fast_bitrix24(webhook, contact, args.deals)
        nat = native(server.base, token, contact, args.deals, args.native_clients)
        rate_b24, rate_native = args.deals / b24, args.deals / nat
        print(f"deals created and moved: {args.deals} each way, server {harness.binary()}")
        print(f"fast-bitrix24 (batches of 50): {b24:8.1f} s  {rate_b24:8.1f} deals/s")
        print(f"native API ({args.native_clients} connections, 2 requests a deal): {nat:8.1f} s  {rate_native:8.1f} deals/s")
        print(f"ratio fast-bitrix24 / native: {rate_b24 / rate_native:.2f} (target ≥ 0.5)")
        print(f"peak RSS of this client: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
