import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import Foundation
import Testing

/// The `autofunnel` binary built next to the tests (`swift build --build-tests` builds it), run as a user runs it.
@Suite("The command line")
struct CommandLineTests {
    /// What a run printed and how it ended.
    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    /// The binary in the build folder of this test bundle.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("autofunnel")
    }

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting, so a long output cannot block the child.
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self), errors: String(decoding: errors, as: UTF8.self))
    }

    @Test func presetsListShowsWholeKeys() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the binary first: swift build --build-tests")
        let listed = try Self.run(["presets", "list"])
        #expect(listed.status == 0, "\(listed.errors)")
        let words = Set(listed.output.split(whereSeparator: \.isWhitespace).map(String.init))
        let keys = try Presets.catalogue().map(\.key.rawValue)
        #expect(keys.contains("regular_customers"))
        #expect(keys.filter { !words.contains($0) } == [], "cut keys in:\n\(listed.output)")
        #expect(try Presets.catalogue().map(\.name).filter { !words.contains($0) } == [])
    }

    @Test func lintOfAMissingFileOrAnotherKindOfFileExits2() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the binary first: swift build --build-tests")
        let missing = try Self.run(["lint", "/nonexistent/definition.yaml", "--database-url", "sqlite::memory:"])
        #expect(missing.status == 2, "\(missing.errors)")
        #expect(missing.errors.contains("/nonexistent/definition.yaml: no such file"), "\(missing.errors)")
        let foreign = FileManager.default.temporaryDirectory.appendingPathComponent("autofunnel-notes-\(UUID().uuidString).txt")
        try "shopping: [milk, bread]\n".write(to: foreign, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: foreign) }
        let other = try Self.run(["lint", foreign.path, "--database-url", "sqlite::memory:"])
        #expect(other.status == 2, "\(other.errors)\(other.output)")
        #expect(other.errors.contains("is not a pipeline definition"), "\(other.errors)")
        // A definition lints with its findings: warnings at most (1) for this one.
        let definition = FileManager.default.temporaryDirectory.appendingPathComponent("autofunnel-lint-\(UUID().uuidString).yaml")
        try """
        key: tiny
        name: {ru: Мини, en: Tiny}
        stages:
        - {key: first, kind: process, name: {ru: Первый, en: First}}
        - {key: won, kind: conversion, outcome: won, name: {ru: Успех, en: Won}}
        - {key: lost, kind: conversion, outcome: lost, name: {ru: Отказ, en: Lost}}

        """.write(to: definition, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: definition) }
        let linted = try Self.run(["lint", definition.path, "--database-url", "sqlite::memory:"])
        #expect(linted.status == 1 && linted.output.contains("warning"), "\(linted.errors)\(linted.output)")
    }
}
