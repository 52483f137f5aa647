"""The real, unmodified amoCRM client libraries from PyPI (aioamocrm, amocrm-api, amocrm-api-wrapper) against the real
server's amoCRM v4 dialect, over HTTPS with a throwaway CA: pipelines and statuses, lead custom fields, a lead's life in
the sales-002 preset pipeline (a refused move with our violation text, then the move, then won), paging with a filter
over more than 120 leads (each client's own paging), and a task created and completed.

One server per module on a SQLite file with TLS, every preset applied through the CLI (sales-002 first: the main
pipeline), and one long-lived JWT made by `autofunnel tokens create --format amocrm`."""
import asyncio
import os
import time
import uuid

import httpx
import pytest
from aioamocrm import AmoCRMClient, LongLivedToken, Note, ValidationError as AioValidationError
from amocrm.v2 import Lead, Pipeline, Task, exceptions as amo_exceptions, filters as amo_filters, tokens as amo_tokens
from amocrm.v2.entity.custom_field import CustomFieldModel
from amocrm_api import AmoOAuthClient
from amocrm_api.errors import AmoException

import harness

EMAIL = "amo@autofunnel.test"


@pytest.fixture(scope="module")
def server():
    started = harness.preset_server("amo", ["--all"], EMAIL, tls=True)
    srv, api, tls = started["server"], started["api"], started["tls"]
    jwt = harness.cli(["tokens", "create", "--user", EMAIL, "--name", "amo", "--scope", "admin", "--format", "amocrm"],
                      started["url"]).strip()
    assert jwt.startswith("eyJ") and jwt.count(".") == 2, jwt
    stages = api.ok("GET", "/pipelines/sales")["stages"]
    saved = {k: os.environ.get(k) for k in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}
    os.environ["REQUESTS_CA_BUNDLE"] = os.environ["SSL_CERT_FILE"] = str(tls.ca)
    amo_tokens.default_token_manager(client_id="autofunnel", client_secret="-", subdomain=f"127.0.0.1:{srv.port}/acme",
                                     redirect_url="https://127.0.0.1/", storage=amo_tokens.MemoryTokensStorage())
    amo_tokens.default_token_manager._storage.save_tokens(jwt, "no-refresh")
    yield {"server": srv, "api": api, "jwt": jwt, "tls": tls, "stages": stages}
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    srv.stop()


def aio(server, work):
    """Runs `work(client)` with an aioamocrm client on the server, trusting the test CA."""
    async def run():
        async with httpx.AsyncClient(verify=server["tls"].context()) as http:
            client = AmoCRMClient(base_url=server["server"].base, auth=LongLivedToken(server["jwt"]), http=http, rate_limit=None)
            return await work(client)

    return asyncio.run(run())


def wrapper(server) -> AmoOAuthClient:
    return AmoOAuthClient(server["jwt"], "no-refresh", f"{server['server'].base}/acme.amocrm.ru", "autofunnel", "-", "https://127.0.0.1/")


def status_ids(server, pipeline) -> dict:
    """Our open stages' keys → the status ids of the main pipeline, matched by name."""
    by_name = {s["name"]: s["id"] for s in pipeline["_embedded"]["statuses"]}
    return {st["key"]: by_name.get(st["name"]["ru"], by_name.get(st["name"]["en"])) for st in server["stages"] if not st.get("outcome")}


def main_pipeline(server) -> dict:
    pipelines = wrapper(server).get_pipelines()["_embedded"]["pipelines"]
    return next(p for p in pipelines if p["is_main"])


def test_pipelines_statuses_and_custom_fields_with_each_client(server):
    main = main_pipeline(server)
    statuses = main["_embedded"]["statuses"]
    open_stages = [st for st in server["stages"] if not st.get("outcome")]
    assert len(statuses) == len(open_stages) + 2 and [s["id"] for s in statuses][-2:] == [142, 143]
    assert None not in status_ids(server, main).values()

    async def read(client):
        pipelines = await client.pipelines.list()
        own = await client.pipelines.statuses(main["id"])
        fields = [f async for f in client.leads.custom_fields.iterate()]
        users = [u async for u in client.users.iterate()]
        return pipelines, own, fields, users

    pipelines, own, fields, users = aio(server, read)
    assert EMAIL in [u.email for u in users], "integrations find the responsible user by e-mail"
    assert main["id"] in [p.id for p in pipelines] and len(pipelines) > 5
    assert [s.id for s in own] == [s["id"] for s in statuses], "ids are stable between clients"
    assert {"SUBJECT", "REQUIREMENTS", "DELIVERY_METHOD"} <= {f.code for f in fields}

    assert Pipeline.objects.get(main["id"]).name == main["name"]
    assert len(list(Pipeline.objects.all())) == len(pipelines)
    codes = {f.code for f in CustomFieldModel.get_for(Lead())}
    assert {"SUBJECT", "REQUIREMENTS", "DELIVERY_METHOD"} <= codes
    wrapped = wrapper(server).get_leads_custom_fields()["_embedded"]["custom_fields"]
    delivery = next(f for f in wrapped if f["code"] == "DELIVERY_METHOD")
    assert delivery["type"] == "select" and len(delivery["enums"]) == 2


def requirements(text: str) -> list:
    return [{"field_code": "REQUIREMENTS", "values": [{"value": text}]}]


def proposal_fields() -> list:
    return [{"field_code": "SUBJECT", "values": [{"value": "Шкаф"}]},
            {"field_code": "DELIVERY_METHOD", "values": [{"enum_code": "delivery"}]}]


def test_lead_life_with_aioamocrm(server):
    main = main_pipeline(server)
    ids = status_ids(server, main)
    phone = [{"field_code": "PHONE", "values": [{"value": "+79123456789", "enum_code": "WORK"}]}]

    async def life(client):
        contact = (await client.contacts.create([{"name": "Анна", "custom_fields_values": phone}]))[0].id
        lead = (await client.leads.create([{"name": "Шкаф-купе", "price": 48500, "pipeline_id": main["id"]}]))[0].id
        expected = harness.refusal_texts(server["api"], lead, "processing_request")
        with pytest.raises(AioValidationError) as refused:
            await client.leads.update([{"id": lead, "status_id": ids["processing_request"]}])
        details = [issue.detail for issue in refused.value.errors]
        assert "; ".join(details) in expected, (details, expected)
        await client.leads.update([{"id": lead, "status_id": ids["processing_request"], "custom_fields_values": requirements("2,4 м"),
                                    "_embedded": {"contacts": [{"id": contact}]}}])
        await client.leads.update([{"id": lead, "status_id": ids["proposal_made"], "custom_fields_values": proposal_fields()}])
        await client.leads.update([{"id": lead, "status_id": 142}])
        await client.leads.notes.create([Note.common(lead, "Paid in cash")])
        notes = [n.params async for n in client.leads.notes.iterate(entity_id=lead)]
        return lead, await client.leads.get(lead, with_=["contacts"]), notes

    lead, got, notes = aio(server, life)
    assert {"text": "Paid in cash"} in notes
    assert got.status_id == 142 and got.pipeline_id == main["id"] and got.price == 48500
    native = server["api"].ok("GET", f"/deals/{lead}")
    assert native["status"] == "won"
    moves = server["api"].ok("GET", f"/deals/{lead}/transitions")["items"]
    assert [t["actorKind"] for t in moves][-3:] == ["api", "api", "api"]


def test_lead_life_with_amocrm_api_over_https_and_the_account_prefix(server):
    ids = status_ids(server, main_pipeline(server))
    contact = server["api"].ok("POST", "/contacts", {"name": "Boris", "phones": ["+79123456780"], "allowDuplicate": True})["id"]
    lead = Lead.objects.create(name="Kitchen", price=1000)
    expected = harness.refusal_texts(server["api"], lead.id, "processing_request")
    with pytest.raises(amo_exceptions.ValidationError) as refused:
        Lead.objects.update(lead.id, {"status_id": ids["processing_request"]})
    body = refused.value.args[0]
    assert "; ".join(e["detail"] for e in body["validation-errors"][0]["errors"]) in expected
    Lead.objects.update(lead.id, {"status_id": ids["processing_request"], "custom_fields_values": requirements("two"),
                                  "_embedded": {"contacts": [{"id": contact}]}})
    Lead.objects.update(lead.id, {"status_id": ids["proposal_made"], "custom_fields_values": proposal_fields()})
    Lead.objects.update(lead.id, {"status_id": 142})
    got = Lead.objects.get(lead.id)
    assert got.status.id == 142 and got.pipeline.is_main is True and [c.id for c in got.contacts] == [contact]


def test_lead_life_with_amocrm_api_wrapper(server):
    client = wrapper(server)
    ids = status_ids(server, main_pipeline(server))
    contact = client.create_contacts([{"name": "Vera"}])["_embedded"]["contacts"][0]["id"]
    client.update_contacts([{"id": contact, "custom_fields_values": [{"field_code": "PHONE", "values": [{"value": "+79123456781"}]}]}])
    lead = client.create_leads([{"name": "Wardrobe", "price": 700}])["_embedded"]["leads"][0]["id"]
    with pytest.raises(AmoException):
        client.update_leads([{"id": lead, "status_id": ids["processing_request"]}])
    client.update_leads([{"id": lead, "status_id": ids["processing_request"], "custom_fields_values": requirements("three"),
                          "_embedded": {"contacts": [{"id": contact}]}}])
    client.update_leads([{"id": lead, "status_id": ids["proposal_made"], "custom_fields_values": proposal_fields()}])
    client.update_leads([{"id": lead, "status_id": 142}])
    assert client.get_lead(lead)["status_id"] == 142


def test_listing_more_than_120_leads_with_a_filter_returns_each_once(server):
    marker = "page-" + uuid.uuid4().hex[:8]

    async def make_and_walk(client):
        refs = await client.leads.create([{"name": f"{marker} {i}"} for i in range(260)])
        walked = [lead.id async for lead in client.leads.iterate(limit=50, query=marker, order={"id": "asc"})]
        return sorted(r.id for r in refs), walked

    ids, walked = aio(server, make_and_walk)
    assert len(set(ids)) == 260
    assert sorted(walked) == ids and len(walked) == len(set(walked))

    listed = [lead.id for lead in Lead.objects.filter(filters=[amo_filters.RangeFilter("id")(ids[0], ids[-1])], query=marker)]
    assert sorted(listed) == ids, "amocrm-api pages by 250: two pages"

    client = wrapper(server)
    chosen = ids[:130]
    got, page = [], 1
    while True:
        reply = client.get_leads(limit=50, page=page, filter_ids=chosen)
        got += [lead["id"] for lead in reply["_embedded"]["leads"]]
        if "next" not in reply["_links"]:
            break
        page += 1
    assert sorted(got) == chosen and page == 3
    harness.report(f"amocrm paging: aioamocrm {len(walked)} leads by 50, amocrm-api {len(listed)} by 250, wrapper {len(got)} by 50, each once")


def test_task_created_and_completed_with_each_client(server):
    lead = server["api"].ok("POST", "/deals", {"pipeline": "sales", "title": "With tasks"})["id"]
    due = int(time.time()) + 86_400

    async def aio_task(client):
        ref = (await client.tasks.create([{"text": "Call back", "complete_till": due, "entity_id": lead, "entity_type": "leads"}]))[0]
        await client.tasks.complete(ref.id, result="Reached")
        return await client.tasks.get(ref.id)

    done = aio(server, aio_task)
    assert done.is_completed is True and done.entity_id == lead

    task = Task.objects.create(text="Send the proposal", complete_till=due, entity_id=lead, entity_type="leads")
    Task.objects.update(task.id, {"is_completed": True, "result": {"text": "Sent"}})
    assert Task.objects.get(task.id).is_completed is True

    client = wrapper(server)
    made = client.add_tasks([{"text": "Confirm delivery", "complete_till": due, "entity_id": lead, "entity_type": "leads"}])
    task_id = made["_embedded"]["tasks"][0]["id"]
    client.execution_task(task_id, True, "Confirmed")
    assert client.get_task(task_id)["is_completed"] is True
    notes = [n["text"] for n in server["api"].ok("GET", f"/deals/{lead}/notes")["items"]]
    assert any("Reached" in n for n in notes) and any("Confirmed" in n for n in notes)
