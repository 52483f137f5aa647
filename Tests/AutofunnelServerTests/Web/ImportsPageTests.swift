import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The import page without a browser: upload, preview, check, run and the result, each a page of its own.
@Suite("Import page")
struct ImportsPageTests {
    /// Loads a job page until its job has ended.
    func ended(_ web: WebSession, _ path: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(300)  // a guard against a hung job, not a margin
        while ContinuousClock.now < deadline {
            let page = try await web.get(path).text
            if page.contains(#"data-status="finished""#) || page.contains(#"data-status="failed""#) { return page }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ImportWaitTimedOut(id: 0)
    }

    @Test func anAdminUploadsPreviewsChecksAndRunsAFile() async throws {
        try await TestServices.with { t in
            let admin = try await t.user("boss@example.com", role: .admin, password: WebSession.password)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: admin.email)
                let start = try await web.get("/imports")
                #expect(start.status == 200 && start.text.contains(#"id="import-form""#) && start.text.contains("Импорт сделок"))
                #expect(start.text.contains(#"enctype="multipart/form-data""#))
                #expect(try await web.get("/settings").text.contains(#"id="settings-imports" href="/imports""#))

                var form = ImportUploadForm()
                form.field("_csrf", try await web.token("/imports"))
                form.file("file", "сделки.csv", ImportUploadForm.deals)
                form.field("source", "auto")
                form.field("pipeline", "")
                // File inputs left empty still send their parts.
                form.file("mapping", "", "")
                form.file("history", "", "")
                let uploaded = try await form.post(api, "/imports", headers: ["Cookie": web.cookie, "Accept": "text/html"])
                #expect(uploaded.status == 303, "\(uploaded.text)")
                let upload = try #require(uploaded.headers[.location])
                #expect(upload.hasPrefix("/imports/uploads/"))

                let preview = try await web.get(upload)
                #expect(preview.status == 200)
                #expect(preview.text.contains(#"id="import-preview""#) && preview.text.contains("Шкаф-купе") && preview.text.contains("сделки.csv"))
                #expect(preview.text.contains("source: autofunnel"), "the proposed mapping is shown")
                #expect(preview.text.contains("is no amount"), "row 4's problem is shown with the row")
                #expect(try await t.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 10).items }.isEmpty)

                let checked = try await web.post(upload, ["verb": "check"], from: upload)
                #expect(checked.status == 303, "\(checked.text)")
                let dry = try await ended(web, try #require(checked.headers[.location]))
                #expect(dry.contains(#"id="import-created">2<"#) && dry.contains(#"id="import-refused">1<"#) && dry.contains("Будет создано"))
                #expect(dry.contains(#"id="import-run""#) && dry.contains(#"id="import-refused-rows""#))
                #expect(try await t.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 10).items }.isEmpty)

                let run = try await web.post(upload, ["verb": "run"], from: upload)
                #expect(run.status == 303, "\(run.text)")
                let jobPath = try #require(run.headers[.location])
                let done = try await ended(web, jobPath)
                #expect(done.contains(#"id="import-created">2<"#) && done.contains("Создано") && !done.contains(#"id="import-run""#))
                let csv = try #require(done.range(of: #"href="(/api/v1/imports/[0-9]+/errors)""#, options: .regularExpression))
                let link = String(done[csv]).dropFirst(6).dropLast(1)
                let errors = try await web.get(String(link))
                #expect(errors.status == 200 && errors.text.hasPrefix("row,column,reason") && errors.text.contains("4,amount,"))
                #expect(try await t.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 10).items }.count == 2)
                #expect(try await web.get(upload).status == 404, "a finished import's upload is removed")
                #expect(try await web.get("/imports").text.contains("сделки.csv"), "the job is listed")
            }
        }
    }

    @Test func unmappedColumnsAreShownAndRefuseTheRunOnThePage() async throws {
        try await TestServices.with { t in
            let admin = try await t.user("boss@example.com", role: .admin, password: WebSession.password)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: admin.email)
                var form = ImportUploadForm()
                form.field("_csrf", try await web.token("/imports"))
                form.file("file", "leads.csv", "id,title,Заметка <b>менеджера</b>\nL-1,Стол,позвонить\n")
                let upload = try #require(try await form.post(api, "/imports", headers: ["Cookie": web.cookie]).headers[.location])
                let preview = try await web.get(upload)
                #expect(preview.text.contains(#"id="import-unmapped""#) && preview.text.contains("Заметка &lt;b&gt;менеджера&lt;/b&gt;"))
                #expect(!preview.text.contains("<b>менеджера</b>"), "a header is text, never markup")
                let refused = try await web.post(upload, ["verb": "run"], from: upload)
                #expect(refused.status == 422 && refused.text.contains(#"id="import-errors""#) && refused.text.contains("не сопоставлен"))
                // A wrong CSRF token stops the upload before anything is kept.
                var forged = ImportUploadForm()
                forged.field("_csrf", "forged")
                forged.file("file", "leads.csv", "id,title\nL-1,Стол\n")
                #expect(try await forged.post(api, "/imports", headers: ["Cookie": web.cookie]).status == 403)
            }
        }
    }

    @Test func theImportPagesAreForAdminsOnly() async throws {
        try await TestServices.with { t in
            let seller = try await t.user("seller@example.com", role: .manager, password: WebSession.password)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: seller.email)
                let page = try await web.get("/imports")
                #expect(page.status == 403 && !page.text.contains("import-form"))
                var form = ImportUploadForm()
                form.field("_csrf", try await web.token("/tasks"))
                form.file("file", "leads.csv", "id,title\nL-1,Стол\n")
                #expect(try await form.post(api, "/imports", headers: ["Cookie": web.cookie]).status == 403)
            }
        }
    }
}

extension ImportsPageTests {
    @Test func aRunningJobShowsItsProgressAndARefreshLinkForPagesWithoutScript() async throws {
        try await TestServices.with { t in
            let admin = try await t.user("boss@example.com", role: .admin, password: WebSession.password)
            let now = t.clock.now()
            let job = try await t.services.store.write { s in
                try await s.insertImportJob(
                    ImportJob(
                        status: .running, fileName: "big.csv", source: "amocrm", mapping: "source: amocrm\ncolumns: {}\n", dryRun: false,
                        skipUnmapped: false, upload: "0123456789abcdef0123456789abcdef", rows: 1200, total: 5000, createdBy: admin.id,
                        createdAt: now, startedAt: now, heartbeatAt: now))
            }
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: admin.email)
                let page = try await web.get("/imports/jobs/\(job.id)").text
                #expect(page.contains(#"data-status="running""#) && page.contains(#"<progress id="import-progress" max="5000" value="1200">"#))
                #expect(page.contains(#"<a id="import-refresh" href="/imports/jobs/\#(job.id)">"#))
                #expect(page.contains(#"<script src="/static/imports.js" defer></script>"#))
                let script = try await web.get("/static/imports.js")
                #expect(script.status == 200 && script.text.contains("/api/v1/imports/") && script.text.contains("1000"))
            }
        }
    }
}
