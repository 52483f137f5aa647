import AutofunnelCore
import AutofunnelEngine
import CSV
import Foundation

/// The files `bench import` reads, and the comparison of our CSV reader with CSV.swift on them.
enum BenchImportFiles {
    /// Writes `deals` rows in the export format and their stage log: each deal created in the first stage, moved one
    /// stage at a time up to its own, and a quarter won, a sixth lost. Returns the stage-log rows written.
    static func write(deals: Int, stages: [StageKey], to dealsFile: URL, history historyFile: URL) throws -> Int {
        guard FileManager.default.createFile(atPath: dealsFile.path, contents: nil),
            FileManager.default.createFile(atPath: historyFile.path, contents: nil)
        else { throw CocoaError(.fileWriteUnknown) }
        let dealsHandle = try FileHandle(forWritingTo: dealsFile)
        let historyHandle = try FileHandle(forWritingTo: historyFile)
        defer {
            try? dealsHandle.close()
            try? historyHandle.close()
        }
        var dealsText = CSVText.line(ExportService.dealColumns)
        var historyText = CSVText.line(ExportService.historyColumns)
        var rows = 0
        let start = Int64(1_735_689_600_000)  // 2025-01-01
        for i in 1...max(deals, 1) {
            let owner = "bench\(i % 4 + 1)@example.com"
            let created = start + Int64(i) * 20_000
            let reach = i % 12 < 3 ? stages.count + 1 : i % 12 < 5 ? stages.count + 2 : i % stages.count + 1
            var path = Array(stages.prefix(min(reach, stages.count)))
            var status = "open"
            if reach == stages.count + 1 {
                path.append("won")
                status = "won"
            } else if reach == stages.count + 2 {
                path.append("lost")
                status = "lost"
            }
            var at = created
            var from: StageKey?
            for stage in path {
                historyText += CSVText.line([
                    String(i), "bench", from?.rawValue ?? "", stage.rawValue, ExportText.moment(Timestamp(millis: at)), "import", "",
                    from == nil ? "created" : "import", owner, "\(10_000 + i % 900 * 100).00", "RUB",
                ])
                rows += 1
                from = stage
                at += 3_600_000
            }
            let closed = status == "open" ? "" : ExportText.moment(Timestamp(millis: at - 3_600_000))
            dealsText += CSVText.line([
                String(i), "bench", path.last!.rawValue, status, "Сделка №\(i), \"опт\"", "\(10_000 + i % 900 * 100).00", "RUB", owner, "",
                "", "", "", "", "", "", "bench", ExportText.moment(Timestamp(millis: created)),
                ExportText.moment(Timestamp(millis: at - 3_600_000)), closed, status == "lost" ? "Дорого" : "", "",
            ])
            if dealsText.utf8.count > 1 << 20 {
                dealsHandle.write(Data(dealsText.utf8))
                historyHandle.write(Data(historyText.utf8))
                dealsText = ""
                historyText = ""
            }
        }
        dealsHandle.write(Data(dealsText.utf8))
        historyHandle.write(Data(historyText.utf8))
        return rows
    }

    /// Reads `file` to the end with `DelimitedFile` and with CSV.swift's `CSVReader`, and prints both rates.
    static func compareReaders(_ file: URL) throws {
        var started = ContinuousClock.now
        let ours = try DelimitedFile(url: file)
        var (records, cells) = (0, 0)
        while let record = try ours.next() {
            records += 1
            cells += record.fields.count
        }
        let oursSeconds = BenchImport.seconds(since: started)
        started = ContinuousClock.now
        guard let stream = InputStream(fileAtPath: file.path) else { throw CocoaError(.fileReadUnknown) }
        let theirs = try CSVReader(stream: stream)
        var (theirRecords, theirCells) = (0, 0)
        while let row = theirs.next() {
            theirRecords += 1
            theirCells += row.count
        }
        // CSV.swift ends a file that ends with a line break by setting `error` (cannotReadFile) after the last row.
        let theirError = theirs.error.map { "; CSV.swift stopped with \($0)" } ?? ""
        let theirSeconds = BenchImport.seconds(since: started)
        say(
            "CSV reading: DelimitedFile \(Int(Double(records) / oursSeconds)) rows/s, CSV.swift \(Int(Double(theirRecords) / theirSeconds)) rows/s"
                + String(format: " (%.2f×); %d vs %d rows, %d vs %d cells", theirSeconds / oursSeconds, records, theirRecords, cells, theirCells)
                + theirError)
    }
}
