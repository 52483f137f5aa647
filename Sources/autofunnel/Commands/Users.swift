import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import Foundation

/// `autofunnel users create|list`: accounts from the command line, for operators.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create and list users.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user. The password is asked for on a terminal, or read as the first line of standard input.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "E-mail (the login).") var email: String
        @Option(help: "Display name (default: the part of the e-mail before @).") var name: String?
        @Option(help: "Role: admin, head_of_sales, manager, marketer, observer.") var role: String = "manager"
        @Flag(help: "Make the user an admin (same as --role admin).") var admin = false
        @Option(help: "Language: ru or en.") var locale: String = "ru"

        func run() async throws {
            guard let role = admin ? .admin : Role(rawValue: role) else {
                throw ValidationError("Unknown role '\(role)'; use \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let locale = User.Locale(rawValue: locale) else { throw ValidationError("Locale must be ru or en") }
            let password = try Self.readPassword()
            try await withServices(database, label: "users") { services in
                do {
                    let user = try await services.auth.createUser(
                        .init(
                            email: email, name: name ?? String(email.split(separator: "@").first ?? ""), locale: locale, role: role,
                            password: password),
                        by: nil)
                    print("Created user \(user.id): \(user.email) (\(user.role.rawValue))")
                } catch AppError.refused(let problems) {
                    throw ValidationError(problems.map { "\($0.field ?? ""): \($0.message.en)" }.joined(separator: "\n"))
                }
            }
        }

        /// The password from the terminal without echo, or the first line of piped input.
        static func readPassword() throws -> String {
            if isatty(STDIN_FILENO) != 0, let typed = getpass("Password (10+ characters): ") {
                return String(cString: typed)
            }
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("Give the password on standard input")
            }
            return line
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await withServices(database, label: "users") { services in
                for u in try await services.store.read({ s in try await s.users() }) {
                    print("\(u.id)\t\(u.email)\t\(u.role.rawValue)\t\(u.active ? "active" : "disabled")\t\(u.name)")
                }
            }
        }
    }
}
