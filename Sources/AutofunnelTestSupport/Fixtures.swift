import AutofunnelCore
import AutofunnelEngine

/// Small pipelines and deals for tests, shaped like the 002 sales pipeline.
public enum Fixtures {
    public static let t0 = Timestamp(millis: 1_795_000_000_000)

    /// Deal and contact fields of the 002 pipeline.
    public static let fields: [PipelineDefinition.FieldSpec] = [
        .init(entity: .deal, key: "subject", type: .text, name: .init(ru: "Тема", en: "Subject")),
        .init(entity: .deal, key: "requirements", type: .text, name: .init(ru: "Требования", en: "Requirements")),
        .init(
            entity: .deal, key: "delivery_method", type: .enum, name: .init(ru: "Способ доставки", en: "Delivery method"),
            options: [
                .init(key: "delivery", name: .init(ru: "Доставка", en: "Delivery")), .init(key: "pickup", name: .init(ru: "Самовывоз", en: "Pickup")),
            ]),
        .init(
            entity: .contact, key: "segment", type: .enum, name: .init(ru: "Сегмент", en: "Segment"),
            options: [
                .init(key: "retail", name: .init(ru: "Розница", en: "Retail")), .init(key: "wholesale", name: .init(ru: "Опт", en: "Wholesale")),
            ]),
    ]

    /// A sales pipeline like 002's, with its required fields and lost stages; `policy` overrides the default.
    public static func salesDefinition(key: String = "sales", policy: PipelineDefinition.Policy? = nil) -> PipelineDefinition {
        func open(_ key: String, _ ru: String, _ en: String, required: [String]? = nil, limit: String? = nil, keyStage: Bool? = nil)
            -> PipelineDefinition.StageSpec
        {
            .init(key: key, name: .init(ru: ru, en: en), kind: .process, keyStage: keyStage, requiredToLeave: required, maxTimeInStage: limit)
        }
        func lost(_ key: String, _ ru: String, _ en: String, comment: Bool) -> PipelineDefinition.StageSpec {
            .init(key: key, name: .init(ru: ru, en: en), kind: .conversion, outcome: .lost, lossCommentRequired: comment ? true : nil)
        }
        return PipelineDefinition(
            key: key, name: .init(ru: "Продажи", en: "Sales"), policy: policy, fields: key == "sales" ? fields : nil,
            stages: [
                open("new_lead", "Новый лид", "New lead", required: ["contact", "requirements"]),
                open(
                    "processing_request", "Обработка запроса", "Processing request",
                    required: ["amount", "subject", "delivery_method", "contact.name", "contact.phone"], limit: "1d"),
                open("proposal_made", "КП отправлено", "Proposal made"),
                open("answer_received", "Получен ответ", "Answer received"),
                open("invoice_sent", "Счёт выставлен", "Invoice sent", keyStage: true),
                .init(key: "order_received", name: .init(ru: "Заказ получен", en: "Customer received order"), kind: .conversion, outcome: .won),
                lost("spam", "Спам", "Spam", comment: false),
                lost("too_expensive", "Дорого", "Too expensive", comment: true),
            ])
    }

    /// The validated sales pipeline with its fields.
    public static func salesPipeline(policy: PipelineDefinition.Policy? = nil) -> (Pipeline, FieldCatalog) {
        let definition = salesDefinition(policy: policy)
        guard case .success(let p) = definition.validated(knownFields: FieldCatalog()) else { fatalError("fixture pipeline is invalid") }
        return (p, FieldCatalog(p.declaredFields))
    }

    /// A fresh deal in `stage` of the sales pipeline.
    public static func deal(stage: StageKey = "new_lead", id: Int64 = 1) -> Deal {
        Deal(id: DealID(id), lineage: LineageID("lineage-\(id)"), pipeline: "sales", stage: stage, title: "Шкаф-купе", createdAt: t0)
    }

    /// A contact with name and phone.
    public static let contact = Contact(id: ContactID(7), name: "Анна", phones: ["+79123456789"], createdAt: t0)
}
