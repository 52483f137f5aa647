import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation

/// What the required-fields dialog needs of every field a stage of a pipeline requires: its name in the viewer's
/// language, the input to show and the choices. The board sends it as JSON in a data attribute.
enum DialogFields {
    struct Field: Encodable {
        let name: String
        /// `text`, `number`, `money`, `enum`, `user`, `date`, `datetime`, `phone`, `email`, `boolean`.
        let type: String
        /// `deal` values go with the move; `contact` and `company` values are saved on the deal's contact or company first.
        let target: String
        let options: [[String]]?
    }

    /// Fields `view` hides are left out: the board asks for them as plain text, and the server refuses the value.
    static func json(pipeline: Pipeline, view: FieldView, users: [User], viewer: WebViewer) -> String {
        var out: [String: Field] = [:]
        let catalog = view.catalog
        let people = users.filter(\.active).map { [String($0.id.rawValue), $0.name] }
        for ref in pipeline.stages.flatMap(\.requiredToLeave) where view.shows(ref) {
            let name = viewer.text(RequiredFields.displayName(ref, fields: catalog))
            out[ref.description] = field(ref, name: name, catalog: catalog, people: people, viewer: viewer)
        }
        let data = (try? JSONEncoder().encode(out)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func field(_ ref: FieldReference, name: String, catalog: FieldCatalog, people: [[String]], viewer: WebViewer) -> Field {
        switch ref {
        case .deal(.amount): return Field(name: name, type: "money", target: "deal", options: nil)
        case .deal(.responsible), .deal(.headOfSales): return Field(name: name, type: "user", target: "deal", options: people)
        case .deal(.contact): return Field(name: name, type: "text", target: "contact", options: nil)
        case .deal(.company): return Field(name: name, type: "text", target: "company", options: nil)
        case .deal: return Field(name: name, type: "text", target: "deal", options: nil)
        case .contact(.phone): return Field(name: name, type: "phone", target: "contact", options: nil)
        case .contact(.email): return Field(name: name, type: "email", target: "contact", options: nil)
        case .contact(.name): return Field(name: name, type: "text", target: "contact", options: nil)
        case .dealField(let key), .contactField(let key), .companyField(let key):
            let (entity, _) = ref.customField ?? (.deal, key)
            let definition = catalog.definition(entity, key)
            let type = definition?.type ?? .text
            let options: [[String]]? =
                type == .enum ? definition?.options?.map { [$0.key, viewer.text($0.name)] } : type == .user ? people : nil
            return Field(name: name, type: type.rawValue, target: entity.rawValue, options: options)
        }
    }
}
