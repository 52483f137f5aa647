import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import OpenAPIRuntime

/// Notes on contacts and companies, and changing any note (its text within its author's 15 minutes, its pin).
extension APIHandler {
    func listContactNotes(_ input: Operations.listContactNotes.Input) async throws -> Operations.listContactNotes.Output {
        .ok(.init(body: .json(try await noteList(.contact(ContactID(input.path.id))))))
    }

    func createContactNote(_ input: Operations.createContactNote.Input) async throws -> Operations.createContactNote.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        return .created(.init(body: .json(try await newNote(.contact(ContactID(input.path.id)), body.text))))
    }

    func listCompanyNotes(_ input: Operations.listCompanyNotes.Input) async throws -> Operations.listCompanyNotes.Output {
        .ok(.init(body: .json(try await noteList(.company(CompanyID(input.path.id))))))
    }

    func createCompanyNote(_ input: Operations.createCompanyNote.Input) async throws -> Operations.createCompanyNote.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        return .created(.init(body: .json(try await newNote(.company(CompanyID(input.path.id)), body.text))))
    }

    func updateNote(_ input: Operations.updateNote.Input) async throws -> Operations.updateNote.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON") }
        let note = try await services.notes.change(NoteID(input.path.id), text: body.text, pinned: body.pinned, principal: try principal())
        // Read back as the caller may see it: a deal's note without the deal's values hidden from them.
        guard let deal = note.deal else { return .ok(.init(body: .json(SchemaMapping.note(note)))) }
        let shown = try await store.read { s in try await visibleNotes([note], deal: deal, in: s) }
        return .ok(.init(body: .json(SchemaMapping.note(shown.first ?? note))))
    }

    /// A contact's or company's notes, pinned first, then newest first.
    func noteList(_ owner: Note.Owner) async throws -> Components.Schemas.NoteList {
        .init(items: try await services.notes.notes(of: owner, principal: try principal()).map(SchemaMapping.note))
    }

    /// Adds the caller's note to a contact or company.
    func newNote(_ owner: Note.Owner, _ text: String) async throws -> Components.Schemas.Note {
        SchemaMapping.note(try await services.notes.add(to: owner, text: text, principal: try principal()))
    }
}
