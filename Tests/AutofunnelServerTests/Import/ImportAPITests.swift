import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Importing an uploaded file through the API: the upload becomes a job that runs in the background, and the job
/// tells how far it got, what it made and which rows it refused.
@Suite("Import through the API")
struct ImportAPITests {
    func deals(_ t: TestServices) async throws -> [Deal] {
        try await t.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 100).items }
    }

    @Test func anUploadBecomesAJobThatFinishesWithItsCountsAndItsRefusedRows() async throws {
        try await TestServices.with { t in
            try await t.withAPI { api in
                let created = try await ImportUploadForm.deals().post(api, "/api/v1/imports")
                #expect(created.status == 202, "\(created.text)")
                let id = try #require(created.object["id"] as? Int).int64
                #expect(created.headers[.location] == "/api/v1/imports/\(id)")
                #expect(created.object["fileName"] as? String == "deals.csv" && created.object["source"] as? String == "autofunnel")
                let job = try await api.endedImport(id)
                #expect(job["status"] as? String == "finished", "\(job)")
                #expect(job["rows"] as? Int == 3 && job["total"] as? Int == 3)
                #expect(job["created"] as? Int == 2 && job["updated"] as? Int == 0 && job["refused"] as? Int == 1)
                #expect(try await deals(t).map(\.title).sorted() == ["Кухня", "Шкаф-купе"])

                let errors = try await api.request(.get, "/api/v1/imports/\(id)/errors")
                #expect(errors.status == 200 && errors.contentType == "text/csv; charset=utf-8")
                #expect(errors.headers[.contentDisposition] == "attachment; filename=\"import-errors.csv\"")
                let (header, rows) = try CSVRows.records(errors.text)
                #expect(header == ["row", "column", "reason"])
                #expect(rows.map { $0["row"] } == ["4"] && rows.map { $0["column"] } == ["amount"])
                #expect(rows.first?["reason"]?.contains("'много' is no amount") == true)

                let list = try await api.request(.get, "/api/v1/imports")
                #expect((list.object["items"] as? [[String: Any]])?.compactMap { $0["status"] as? String } == ["finished"])

                // The same file again updates what the first run made.
                let again = try await ImportUploadForm.deals().post(api, "/api/v1/imports")
                let second = try await api.endedImport(try #require(again.object["id"] as? Int).int64)
                #expect(second["created"] as? Int == 0 && second["updated"] as? Int == 2)
                #expect(try await deals(t).count == 2)
            }
        }
    }

    @Test func aDryRunCountsEveryRowAndWritesNothing() async throws {
        try await TestServices.with { t in
            try await t.withAPI { api in
                let created = try await ImportUploadForm.deals(["dryRun": "true"]).post(api, "/api/v1/imports")
                #expect(created.status == 202, "\(created.text)")
                #expect(created.object["dryRun"] as? Bool == true)
                let job = try await api.endedImport(try #require(created.object["id"] as? Int).int64)
                #expect(job["status"] as? String == "finished" && job["created"] as? Int == 2 && job["refused"] as? Int == 1)
                #expect(try await deals(t).isEmpty, "a dry run writes no deal")
                let contacts = try await t.services.store.read { s in try await s.contacts(matching: nil, after: nil, limit: 10).items }
                #expect(contacts.isEmpty, "nor a contact")
                let errors = try await api.request(.get, "/api/v1/imports/\(job["id"] as? Int ?? 0)/errors")
                #expect(errors.text.contains("4,amount,"), "the dry run's refused rows are listed too")
            }
        }
    }

    @Test func columnsLeftUnmappedRefuseARealRunAtOnceNamingEachOfThem() async throws {
        try await TestServices.with { t in
            try await t.withAPI { api in
                let text = "id,title,Комментарий менеджера,Бонус\nB-1,Шкаф,перезвонить,5\n"
                let refused = try await ImportUploadForm.deals(text: text).post(api, "/api/v1/imports")
                #expect(refused.status == 422, "\(refused.text)")
                #expect(refused.contentType == "application/problem+json")
                #expect(Set(refused.fieldList) == ["Комментарий менеджера", "Бонус"] && Set(refused.ruleList) == ["unmappedColumn"])
                let list = try await api.request(.get, "/api/v1/imports")
                #expect((list.object["items"] as? [Any])?.isEmpty == true, "no job is made")

                // A dry run goes through, and says what would stop the real one.
                let dry = try await ImportUploadForm.deals(["dryRun": "true"], text: text).post(api, "/api/v1/imports")
                let checked = try await api.endedImport(try #require(dry.object["id"] as? Int).int64)
                #expect(checked["status"] as? String == "finished" && checked["created"] as? Int == 1)
                let warning = try #require(checked["message"] as? String)
                #expect(warning.hasPrefix("A real run would stop here.") && warning.contains("Комментарий менеджера, Бонус"), "\(warning)")

                // Mapped (here: to ignore), the same file imports.
                let mapping = "source: csv\npipeline: sales\ncolumns:\n  id: id\n  title: title\n  Комментарий менеджера: ignore\n  Бонус: ignore\n"
                var form = ImportUploadForm.deals(text: text)
                form.field("mapping", mapping)
                let accepted = try await form.post(api, "/api/v1/imports")
                #expect(accepted.status == 202, "\(accepted.text)")
                let job = try await api.endedImport(try #require(accepted.object["id"] as? Int).int64)
                #expect(job["status"] as? String == "finished" && job["created"] as? Int == 1)
                // Skipping what is unmapped is the other way.
                let skipped = try await ImportUploadForm.deals(["skipUnmapped": "true"], text: text).post(api, "/api/v1/imports")
                #expect(skipped.status == 202, "\(skipped.text)")
                let updated = try await api.endedImport(try #require(skipped.object["id"] as? Int).int64)
                #expect(updated["status"] as? String == "finished" && updated["updated"] as? Int == 1)
            }
        }
    }

    @Test func aMalformedMappingOrAnEmptyFileIsA422SayingWhy() async throws {
        try await TestServices.with { t in
            try await t.withAPI { api in
                var form = ImportUploadForm.deals()
                form.field("mapping", "columns: [это, не, словарь]")
                let mapping = try await form.post(api, "/api/v1/imports")
                #expect(mapping.status == 422 && mapping.ruleList == ["invalidMapping"], "\(mapping.text)")
                let empty = try await ImportUploadForm.deals(text: "").post(api, "/api/v1/imports")
                #expect(empty.status == 422 && empty.ruleList == ["unreadableFile"], "\(empty.text)")
                let notMultipart = try await api.request(.post, "/api/v1/imports", raw: "{}")
                #expect((400..<500).contains(notMultipart.status), "\(notMultipart.text)")
                let broken = try await api.request(
                    .post, "/api/v1/imports", raw: "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nid,title\r\n",
                    headers: ["Content-Type": "multipart/form-data; boundary=x"])
                #expect(broken.status == 400, "\(broken.text)")
            }
        }
    }

    @Test func anUploadOverTheLimitIsA413() async throws {
        let t = try await TestServices.make(importLimit: 4096)
        try await t.services.store.closing { _ in
            try await t.withAPI { api in
                let big = ImportUploadForm.deals + String(repeating: "A-9,Шкаф,1,RUB,new_lead,Анна,+7 912 345-67-89\n", count: 200)
                let refused = try await ImportUploadForm.deals(text: big).post(api, "/api/v1/imports")
                #expect(refused.status == 413 && refused.contentType == "application/problem+json", "\(refused.text)")
                #expect(refused.object["detail"] as? String == "The body exceeds 4096 bytes")
                let preview = try await ImportUploadForm.deals(text: big).post(api, "/api/v1/imports/preview")
                #expect(preview.status == 413)
                let small = try await ImportUploadForm.deals().post(api, "/api/v1/imports")
                #expect(small.status == 202, "a small one still goes")
                _ = try await api.endedImport(try #require(small.object["id"] as? Int).int64)
            }
        }
    }

    @Test func onlyAdminsImport() async throws {
        try await TestServices.with { t in
            let id = try await t.withAPI { api in
                let created = try await ImportUploadForm.deals().post(api, "/api/v1/imports")
                let job = try await api.endedImport(try #require(created.object["id"] as? Int).int64)
                return try #require(job["id"] as? Int)
            }
            for user in [t.manager, t.head] {
                try await t.withAPI(as: user) { (api: APITester) async throws in
                    #expect(try await ImportUploadForm.deals().post(api, "/api/v1/imports").status == 403)
                    #expect(try await ImportUploadForm.deals().post(api, "/api/v1/imports/preview").status == 403)
                    #expect(try await api.request(.get, "/api/v1/imports").status == 403)
                    #expect(try await api.request(.get, "/api/v1/imports/\(id)").status == 403)
                    #expect(try await api.request(.get, "/api/v1/imports/\(id)/errors").status == 403)
                }
            }
            #expect(try await deals(t).count == 2, "the refused uploads wrote nothing")
        }
    }

    @Test func aPreviewShowsTheProposedMappingAndTheFirstRowsWritingNothing() async throws {
        try await TestServices.with { t in
            try await t.withAPI { api in
                let amo = """
                    ID,Название сделки,Бюджет ₽,Ответственный,Этап сделки,Воронка,Полное имя контакта
                    101,Шкаф-купе,"48 500,50",manager@example.com,Новый лид,Продажи,Анна
                    102,Кухня,120000,Менеджер Петров,Куда-то,Продажи,Борис

                    """
                let preview = try await ImportUploadForm.deals(text: amo).post(api, "/api/v1/imports/preview")
                #expect(preview.status == 200, "\(preview.text)")
                let body = preview.object
                #expect(
                    body["header"] as? [String] == [
                        "ID", "Название сделки", "Бюджет ₽", "Ответственный", "Этап сделки", "Воронка", "Полное имя контакта",
                    ])
                let mapping = try #require(body["mapping"] as? String)
                #expect(mapping.contains("source: amocrm") && mapping.contains("Куда-то:") && mapping.contains("Менеджер Петров:"), "\(mapping)")
                let rows = try #require(body["rows"] as? [[String: Any]])
                #expect(rows.count == 2)
                #expect(rows[0]["title"] as? String == "Шкаф-купе" && rows[0]["stage"] as? String == "new_lead")
                #expect((rows[0]["amount"] as? String)?.hasPrefix("48500.5") == true && rows[0]["responsible"] as? String == "manager@example.com")
                #expect((rows[0]["problems"] as? [Any])?.isEmpty == true)
                let problems = try #require(rows[1]["problems"] as? [[String: Any]])
                #expect(Set(problems.compactMap { $0["column"] as? String }) == ["Этап сделки", "Ответственный"])
                #expect(try await deals(t).isEmpty)
                #expect((try await api.request(.get, "/api/v1/imports").object["items"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func aJobWhoseServerStoppedShowsAsInterrupted() async throws {
        try await TestServices.with { t in
            // What a server that died mid-run leaves: a running job whose heartbeat stopped.
            let now = t.clock.now()
            let lost = try await t.services.store.write { s in
                try await s.insertImportJob(
                    ImportJob(
                        status: .running, fileName: "deals.csv", source: "autofunnel", mapping: "source: autofunnel\ncolumns: {}\n", dryRun: false,
                        skipUnmapped: false, upload: "0123456789abcdef0123456789abcdef", rows: 400, createdBy: t.admin.id, createdAt: now,
                        startedAt: now, heartbeatAt: now))
            }
            try await t.withAPI { api in
                let fresh = try await api.request(.get, "/api/v1/imports/\(lost.id)").object
                #expect(fresh["status"] as? String == "running", "a heartbeat a moment old is a live job (another server's)")
                t.clock.advance(millis: 60_000)
                let job = try await api.request(.get, "/api/v1/imports/\(lost.id)").object
                #expect(job["status"] as? String == "failed" && job["message"] as? String == "interrupted; upload again to resume")
                #expect(job["rows"] as? Int == 400)
                let stored = try await t.services.store.read { s in try await s.importJob(lost.id) }
                #expect(stored?.status == .failed && stored?.finishedAt != nil, "the record says so too")
                #expect(try await api.request(.get, "/api/v1/imports/\(lost.id + 1)").status == 404)
            }
        }
    }
}

extension Int {
    var int64: Int64 { Int64(self) }
}
