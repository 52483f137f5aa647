import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import Foundation

/// `autofunnel tokens create|revoke`: API tokens for scripts and operators.
struct Tokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create and revoke API tokens.", subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print it once; only its hash is kept.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The user's e-mail.") var user: String
        @Option(help: "A name to tell the token apart.") var name: String
        @Option(help: "read, write or admin.") var scope: String = "read"
        @Option(help: "native (aft_…) or amocrm (a long-lived JWT for amoCRM v4 clients at /api/v4).") var format = "native"
        @Option(help: "Days an amocrm token lives (1–1826).") var days = 365

        func run() async throws {
            guard let scope = TokenScope(rawValue: scope) else { throw ValidationError("Scope must be read, write or admin") }
            guard ["native", "amocrm"].contains(format) else { throw ValidationError("Format must be native or amocrm") }
            try await withServices(database, label: "tokens") { services in
                guard let owner = try await services.store.read({ s in try await s.user(email: user) }) else {
                    throw ValidationError("No user with e-mail \(user)")
                }
                let issued =
                    format == "amocrm"
                    ? try await services.auth.createAmoCRMToken(for: owner.id, name: name, scope: scope, days: days, by: nil)
                    : try await services.auth.createToken(for: owner.id, name: name, scope: scope, by: nil)
                print(issued.secret)
                FileHandleOutput.standardError("Token \(issued.token.id) '\(issued.token.name)' (\(scope.rawValue)) for \(owner.email); shown once.")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its id; it stops working at once.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The token id.") var id: Int64

        func run() async throws {
            try await withServices(database, label: "tokens") { services in
                try await services.auth.revokeToken(id: id, by: nil)
                print("Token \(id) revoked")
            }
        }
    }
}

/// Lines for people, kept off standard output so that `$(autofunnel tokens create …)` captures only the token.
enum FileHandleOutput {
    static func standardError(_ line: String) {
        var stderr = StandardError()
        print(line, to: &stderr)
    }

    struct StandardError: TextOutputStream {
        mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
    }
}
