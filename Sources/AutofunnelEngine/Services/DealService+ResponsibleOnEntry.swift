import AutofunnelCore
import AutofunnelStore

extension DealService {
    /// The deal as it enters a stage whose `responsibleOnEntry` names a user: handed to that user (an e-mail naming no
    /// user leaves the responsible as it was). Creating, moving and copying a deal all ask here.
    static func enteringStage(_ deal: Deal, responsibleOnEntry email: String?, _ s: StoreSession) async throws -> Deal {
        guard let email, let user = try await s.user(email: email) else { return deal }
        var handed = deal
        handed.responsible = user.id
        return handed
    }
}
