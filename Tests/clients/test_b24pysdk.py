"""The official Bitrix24 SDK (b24pysdk, from PyPI, unmodified) against the real server's Bitrix24 dialect. The SDK only
speaks https (`https://{domain}/rest/…`), so the server runs with a certificate of a throwaway CA that the SDK trusts
through REQUESTS_CA_BUNDLE: categories and stages, deal fields, a deal's life in the sales-002 pipeline (a refused move
with our violation text, the move, won), `as_list` and `as_list_fast` over more than 120 deals, a batch with
$result substitution, tasks and activities."""
import os
import uuid

import pytest
from b24pysdk import BitrixWebhook, Client, Config
from b24pysdk.errors import BitrixAPIBadRequest

import harness


@pytest.fixture(scope="module")
def server():
    s = harness.preset_server("b24sdk", ["--all"], "sdk@autofunnel.test", tls=True)
    saved = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(s["tls"].ca)
    # A refused move is a 400 answered at once: no retries, so a failure shows quickly.
    Config().configure(default_max_retries=1)
    yield s
    s["server"].stop()
    if saved is None:
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
    else:
        os.environ["REQUESTS_CA_BUNDLE"] = saved


@pytest.fixture
def webhook(server):
    return BitrixWebhook(domain=f"127.0.0.1:{server['server'].port}", webhook_token=f"{server['uid']}/{server['token']}")


@pytest.fixture
def sdk(webhook):
    return Client(webhook)


def test_categories_stages_and_fields(sdk):
    categories = sdk.crm.category.list(entity_type_id=2).result["categories"]
    assert categories[0]["id"] == 0 and categories[0]["isDefault"] == "Y" and len(categories) > 5
    stages = sdk.crm.status.list(filter={"ENTITY_ID": "DEAL_STAGE"}).result
    assert [s["STATUS_ID"] for s in stages][:2] == ["NEW", "PROCESSING_REQUEST"]
    assert {s["SEMANTICS"] for s in stages} == {"P", "S", "F"}
    fields = sdk.crm.deal.fields().result
    for name in ["TITLE", "STAGE_ID", "UF_CRM_SUBJECT", "UF_CRM_REQUIREMENTS", "UF_CRM_DELIVERY_METHOD"]:
        assert {"type", "isRequired", "isReadOnly", "isImmutable", "isMultiple", "isDynamic", "title"} <= set(fields[name])


def test_deal_life(server, sdk):
    contact = sdk.crm.contact.add(fields={"NAME": "Анна", "PHONE": [{"VALUE": "+79123456782", "VALUE_TYPE": "WORK"}]}).result
    deal = sdk.crm.deal.add(fields={"TITLE": "Шкаф-купе", "CATEGORY_ID": 0, "OPPORTUNITY": 48500, "CURRENCY_ID": "RUB"}).result
    expected = harness.refusal_texts(server["api"], deal, "processing_request")
    with pytest.raises(BitrixAPIBadRequest) as refused:
        sdk.crm.deal.update(bitrix_id=deal, fields={"STAGE_ID": "PROCESSING_REQUEST"}).result
    assert refused.value.error_description in expected
    assert sdk.crm.deal.update(bitrix_id=deal, fields={"STAGE_ID": "PROCESSING_REQUEST", "CONTACT_ID": contact,
                                                       "UF_CRM_REQUIREMENTS": "2,4 м"}).result is True
    sdk.crm.deal.update(bitrix_id=deal, fields={"STAGE_ID": "PROPOSAL_MADE", "UF_CRM_SUBJECT": "Шкаф",
                                                "UF_CRM_DELIVERY_METHOD": "delivery"}).result
    sdk.crm.deal.update(bitrix_id=deal, fields={"STAGE_ID": "WON"}).result
    row = sdk.crm.deal.get(bitrix_id=deal).result
    assert row["CLOSED"] == "Y" and row["STAGE_SEMANTIC_ID"] == "S" and row["CONTACT_ID"] == str(contact)
    moves = server["api"].ok("GET", f"/deals/{deal}/transitions")["items"]
    assert [m["to"] for m in moves] == ["new_lead", "processing_request", "proposal_made", "order_received"]
    assert {m["actorKind"] for m in moves[1:]} == {"api"}


def test_as_list_and_as_list_fast_return_each_deal_once(sdk, webhook):
    marker = "sdk-" + uuid.uuid4().hex[:8]
    made = webhook.call_batches({f"d{i}": ("crm.deal.add", {"fields": {"TITLE": f"{marker} {i}", "CATEGORY_ID": 0}})
                                 for i in range(130)})
    ids = sorted(int(i) for i in made["result"]["result"].values())
    assert len(set(ids)) == 130
    listed = sdk.crm.deal.list(filter={"%TITLE": marker}, select=["ID", "TITLE"]).as_list().result
    assert sorted(int(d["ID"]) for d in listed) == ids
    fast = list(sdk.crm.deal.list(filter={"%TITLE": marker}, select=["ID"]).as_list_fast().result)
    assert sorted(int(d["ID"]) for d in fast) == ids
    backwards = [int(d["ID"]) for d in sdk.crm.deal.list(filter={"%TITLE": marker}, select=["ID"]).as_list_fast(descending=True).result]
    assert backwards == sorted(ids, reverse=True)
    harness.report(f"b24pysdk paging: as_list {len(listed)}, as_list_fast {len(fast)} deals, each once")


def test_batch_with_result_substitution(webhook):
    out = webhook.call_batch({
        "contact": ("crm.contact.add", {"fields": {"NAME": "Vera", "PHONE": [{"VALUE": "+79123456783"}]}}),
        "deal": ("crm.deal.add", {"fields": {"TITLE": "SDK batch", "CATEGORY_ID": 0, "CONTACT_ID": "$result[contact]"}}),
        "get": ("crm.deal.get", {"id": "$result[deal]"}),
    })["result"]
    assert set(out) == {"result", "result_error", "result_total", "result_next", "result_time"}
    got = out["result"]["get"]
    assert got["TITLE"] == "SDK batch" and got["CONTACT_ID"] == str(out["result"]["contact"])


def test_task_and_activity(server, sdk):
    deal = sdk.crm.deal.add(fields={"TITLE": "With a task", "CATEGORY_ID": 0}).result
    task = sdk.tasks.task.add(fields={"TITLE": "Перезвонить", "RESPONSIBLE_ID": server["uid"], "UF_CRM_TASK": [f"D_{deal}"]}).result["task"]
    assert task["status"] == "2"
    assert sdk.tasks.task.complete(task_id=int(task["id"])).result["task"]["status"] == "5"
    activity = sdk.crm.activity.add(fields={"OWNER_TYPE_ID": 2, "OWNER_ID": deal, "TYPE_ID": 2, "SUBJECT": "Звонок",
                                            "DESCRIPTION": "Договорились о замере"}).result
    listed = sdk.crm.activity.list(filter={"OWNER_TYPE_ID": 2, "OWNER_ID": deal}).result
    assert [a["ID"] for a in listed] == [str(activity)] and listed[0]["SUBJECT"] == "Звонок"
    notes = server["api"].ok("GET", f"/deals/{deal}/notes")["items"]
    assert [n["text"] for n in notes] == ["Звонок\nДоговорились о замере"]
