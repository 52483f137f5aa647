import AutofunnelCore
import AutofunnelStore

/// Upsert by an integrator's own id: `PUT /api/v1/deals/by-external-id/{source}/{externalId}`.
extension DealService {
    /// What an upsert did.
    public struct Upserted: Sendable {
        public var deal: Deal
        /// Whether the deal was made by this call (false: an existing one was updated, or nothing changed).
        public var created: Bool
    }

    /// The deal `externalID` names in `source`: created when there is none (in `pipeline`, at `stage`), else its
    /// attributes updated and, when `stage` differs, moved — through the one transition path, in one transaction.
    /// The same call twice changes nothing the second time. Two first calls at once make one deal: the one that loses
    /// the race for the id sees the winner's deal and updates it.
    public func upsert(
        source: String, externalID: String, pipeline: PipelineKey?, stage: StageKey?, input: DealInput, lossComment: String?, actor: Actor,
        principal: Principal?
    ) async throws -> Upserted {
        try Self.checkExternalID(source: source, externalID: externalID)
        do {
            return try await upsertOnce(source, externalID, pipeline, stage, input, lossComment, actor, principal)
        } catch is ExternalIDRace {
            return try await upsertOnce(source, externalID, pipeline, stage, input, lossComment, actor, principal)
        }
    }

    private func upsertOnce(
        _ source: String, _ externalID: String, _ pipeline: PipelineKey?, _ stage: StageKey?, _ input: DealInput, _ lossComment: String?,
        _ actor: Actor, _ principal: Principal?
    ) async throws -> Upserted {
        let now = clock.now()
        return try await store.write { s in
            let known = try await s.localID(.deal, source: source, externalID: externalID)
            var existing: Deal?
            if let known {
                do { existing = try await s.deal(DealID(known)) } catch StoreError.notFound { existing = nil }
            }
            if let existing {
                if let pipeline, pipeline != existing.pipeline { throw AppError.refused([Self.crossPipeline(field: "pipeline")]) }
                var deal = try await self.update(in: s, existing.id, input: input, actor: actor, principal: principal, now: now)
                if let stage, stage != deal.stage {
                    deal = try await self.move(
                        in: s, deal.id, to: stage, input: DealInput(), lossComment: lossComment, actor: actor, principal: principal, now: now)
                }
                return Upserted(deal: deal, created: false)
            }
            guard let pipeline else {
                throw AppError.refused([
                    Violation(
                        rule: .requiredField, field: "pipeline",
                        message: .init(ru: "Чтобы создать сделку, укажите воронку", en: "Creating the deal needs its pipeline"))
                ])
            }
            let deal = try await self.create(in: s, pipeline: pipeline, stage: stage, input: input, actor: actor, principal: principal, now: now)
            if known != nil {
                // The deal it named was deleted: the id now names the new one.
                try await s.relinkExternalID(.deal, source: source, externalID: externalID, localID: deal.id.rawValue)
            } else {
                try await s.linkExternalID(.deal, source: source, externalID: externalID, localID: deal.id.rawValue, at: now)
                // On PostgreSQL a concurrent first call may have tied the id meanwhile (the insert then waits for it and
                // is skipped): this transaction's deal is undone and the call retried as an update.
                guard try await s.localID(.deal, source: source, externalID: externalID) == deal.id.rawValue else { throw ExternalIDRace() }
            }
            return Upserted(deal: deal, created: true)
        }
    }

    /// An integrator's source name (`^[a-z0-9][a-z0-9_.-]{0,39}$`) and id (1–200 printable characters).
    static func checkExternalID(source: String, externalID: String) throws {
        let sourceOK =
            (1...40).contains(source.utf8.count) && source.first.map { $0.isLetter || $0.isNumber } == true
            && source.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0) }
        guard sourceOK else {
            throw AppError.invalidParameter(
                "source", ru: "Источник: латинские строчные буквы, цифры, «_», «.», «-», до 40 символов",
                en: "source: lower-case Latin letters, digits, _ . -, up to 40 characters")
        }
        guard (1...200).contains(externalID.count), !externalID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw AppError.invalidParameter(
                "externalId", ru: "Внешний id: от 1 до 200 печатных символов", en: "externalId: 1 to 200 printable characters")
        }
    }
}

/// Another transaction tied the same external id first: this one is undone and the call retried as an update.
struct ExternalIDRace: Error {}
