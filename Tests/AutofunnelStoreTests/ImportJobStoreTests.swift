import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Testing

/// Import jobs and their refused rows, on every database.
@Suite("Store: import jobs")
struct ImportJobStoreTests {
    static func job(at t: Timestamp, status: ImportJob.Status = .queued) -> ImportJob {
        ImportJob(
            status: status, fileName: "сделки.csv", historyName: "history.csv", source: "amocrm", mapping: "source: amocrm\ncolumns: {}\n",
            dryRun: false, skipUnmapped: true, upload: "0123456789abcdef0123456789abcdef", createdBy: UserID(7), createdAt: t, heartbeatAt: t)
    }

    @Test(arguments: StoreTarget.available)
    func aJobIsKeptWithItsProgressAndEndsOnce(target: StoreTarget) async throws {
        try await target.withStore { store in
            let t0 = Fixtures.t0
            let first = try await store.write { s in try await s.insertImportJob(Self.job(at: t0)) }
            let second = try await store.write { s in try await s.insertImportJob(Self.job(at: t0.adding(millis: 1))) }
            #expect(first.id > 0 && second.id > first.id)
            #expect(try await store.read { s in try await s.importJob(first.id) } == first)
            #expect(try await store.read { s in try await s.importJobs(limit: 10) }.map(\.id) == [second.id, first.id])

            try await store.write { s in try await s.saveImportJobProgress(first.id, rows: 200, total: 1000, at: t0.adding(millis: 2_000)) }
            var running = try #require(try await store.read { s in try await s.importJob(first.id) })
            #expect(running.rows == 200 && running.total == 1000 && running.heartbeatAt == t0.adding(millis: 2_000))

            running.status = .finished
            running.rows = 1000
            running.created = 990
            running.refused = 10
            running.finishedAt = t0.adding(millis: 5_000)
            let ended = running
            try await store.write { s in try await s.saveImportJob(ended) }
            #expect(try await store.read { s in try await s.importJob(first.id) } == ended)
            // An ended job is final: a late write of a process taken for dead changes nothing.
            var late = ended
            late.status = .running
            late.rows = 3
            try await store.write { [late] s in
                try await s.saveImportJob(late)
                try await s.saveImportJobProgress(late.id, rows: 3, total: nil, at: t0)
            }
            #expect(try await store.read { s in try await s.importJob(first.id) } == ended)

            let problems = (1...3).map { ImportProblem(row: $0 + 1, column: $0 == 2 ? nil : "Этап сделки", "problem \($0)") }
            try await store.write { s in
                try await s.insertImportJobProblems(first.id, first: 0, Array(problems.prefix(2)))
                try await s.insertImportJobProblems(first.id, first: 2, Array(problems.suffix(1)))
            }
            #expect(try await store.read { s in try await s.importJobProblems(first.id) } == problems)
            #expect(try await store.read { s in try await s.importJobProblems(first.id, limit: 2) } == Array(problems.prefix(2)))
            #expect(try await store.read { s in try await s.importJobProblems(second.id) }.isEmpty)
        }
    }

    @Test(arguments: StoreTarget.available)
    func activeJobsWithAStaleHeartbeatFailButThoseAlive(target: StoreTarget) async throws {
        try await target.withStore { store in
            let t0 = Fixtures.t0
            let (lost, alive, done) = try await store.write { s in
                (
                    try await s.insertImportJob(Self.job(at: t0, status: .running)), try await s.insertImportJob(Self.job(at: t0, status: .queued)),
                    try await s.insertImportJob(Self.job(at: t0, status: .finished))
                )
            }
            let now = t0.adding(millis: 60_000)
            let failed = try await store.write { s in
                try await s.failStaleImportJobs(staleBefore: t0.adding(millis: 30_000), alive: [alive.id], message: "interrupted", at: now)
            }
            #expect(failed == 1)
            let jobs = try await store.read { s in (try await s.importJob(lost.id), try await s.importJob(alive.id), try await s.importJob(done.id)) }
            #expect(jobs.0?.status == .failed && jobs.0?.message == "interrupted" && jobs.0?.finishedAt == now)
            #expect(jobs.1?.status == .queued && jobs.2?.status == .finished)
        }
    }
}
