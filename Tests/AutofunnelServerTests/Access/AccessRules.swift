import AutofunnelCore

/// What the matrix expects of one request.
enum Outcome: String, Sendable {
    /// Authorized: anything but 401, 403 and 404 (a business refusal such as 409 or 422 still got past access control).
    case allow
    /// 401: no credential.
    case unauthenticated
    /// 403: the caller sees the record but may not do this.
    case forbidden
    /// 404: the caller may not know the record exists.
    case hidden
    /// 422 naming the pipeline as unknown: creating in a pipeline the caller may not see.
    case unknownPipeline
    /// Public: anything but 401 and 403.
    case open
}

/// The access class of a route, and the expected outcome of each role × ownership under it. These tables are written
/// out by hand from the rules, independently of `Principal`, which decides them in the product.
enum AccessClass: Sendable {
    case publicRoute, anyUser, admin, pipelineRead, report, lossReport, dealRead, dealEdit, dealManage, dealCreate
    case partyWrite, partyDelete, ownPassword, ownToken, ownNotice
    /// A dialect's address naming no method: past sign-in, a 404 (its "method not found") for everyone.
    case unknownMethod

    func expected(_ a: Acting, _ o: Ownership) -> Outcome {
        if self == .publicRoute { return .open }
        if a == .anonymous { return .unauthenticated }
        switch self {
        case .publicRoute: return .open
        case .anyUser: return .allow
        case .admin: return a == .admin ? .allow : .forbidden
        case .pipelineRead:
            return a == .admin || o != .noGrant ? .allow : .hidden
        case .report, .lossReport:
            if a == .admin { return .allow }
            if o == .noGrant { return .hidden }
            switch a {
            case .headOfSales, .observer: return .allow
            case .marketer: return self == .lossReport ? .allow : .forbidden
            default: return .forbidden
            }
        case .dealRead:
            if a == .admin { return .allow }
            if o == .noGrant { return .hidden }
            switch (a, o) {
            case (.headOfSales, _), (.observer, _): return .allow
            case (.manager, .own), (.manager, .closed): return .allow
            case (.marketer, .closed): return .allow
            default: return .hidden
            }
        case .dealEdit, .dealManage:
            if a == .admin { return .allow }
            if o == .noGrant { return .hidden }
            switch (a, o) {
            case (.headOfSales, _): return .allow
            case (.manager, .own): return self == .dealEdit ? .allow : .forbidden
            case (.manager, .another): return .hidden
            case (.manager, .closed): return .forbidden
            case (.marketer, .closed): return .forbidden
            case (.marketer, _): return .hidden
            case (.observer, _): return .forbidden
            default: return .hidden
            }
        case .dealCreate:
            if a == .admin { return .allow }
            if o == .noGrant { return .unknownPipeline }
            switch (a, o) {
            case (.headOfSales, _): return .allow
            case (.manager, .another): return .forbidden
            case (.manager, _): return .allow
            default: return .forbidden
            }
        case .partyWrite:
            return [.admin, .headOfSales, .manager].contains(a) ? .allow : .forbidden
        case .partyDelete:
            return [.admin, .headOfSales].contains(a) ? .allow : .forbidden
        case .ownPassword:
            return a == .admin || o == .own || o == .closed ? .allow : .forbidden
        case .ownToken:
            return a == .admin || o == .own || o == .closed ? .allow : .hidden
        case .ownNotice:
            return o == .own || o == .closed ? .allow : .hidden
        case .unknownMethod:
            return .hidden
        }
    }
}
