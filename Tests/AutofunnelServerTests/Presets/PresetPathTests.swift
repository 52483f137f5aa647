import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The guide 000 presets applied together, each pipeline run along its main path with the test clock: the tasks its
/// rules set, the messages they send, and the close-and-copy hand-offs into the next pipeline.
@Suite("Presets: the 000 pipelines and their hand-offs")
struct PresetPathTests {
    static let user = Actor(kind: .user)
    static let minute: Int64 = 60_000
    static let day: Int64 = 86_400_000

    /// The order the presets apply in: each file uses only fields declared by the files before it.
    static let order = [
        "sales-002", "nurturing", "qualification", "claims", "delivery", "lost-customers", "production", "regular-customers", "sales-000",
        "telemarketing",
    ]

    /// The people the presets name by e-mail.
    static let staff = [
        "seller1@example.com", "seller2@example.com", "senior.seller@example.com", "accountant@example.com", "purchaser@example.com",
        "production@example.com", "logistics@example.com", "claims@example.com", "account.manager@example.com",
    ]

    /// Every preset applied in order to an empty database, the staff the presets name, and the `whatsapp` and
    /// `email` channels their rules send through.
    struct Shop {
        let t: TestServices
        let staff: [String: User]
        /// The `whatsapp` channel's signing secret: the contacts' replies come signed with it.
        let whatsappSecret: String
        let scheduler: AutomationScheduler

        static func open(_ t: TestServices) async throws -> Shop {
            for name in PresetPathTests.order { _ = try await t.services.pipelines.apply(text: try Presets.text(name)) }
            var staff: [String: User] = [:]
            for email in PresetPathTests.staff { staff[email] = try await t.user(email, role: .manager) }
            let secret = WebhookSigner.newSecret()
            let now = t.clock.now()
            try await t.services.store.write { s in
                _ = try await s.insertEndpoint(
                    name: "whatsapp", url: "http://127.0.0.1:9/whatsapp", secret: secret, events: [], at: now, kind: .messenger,
                    unsubscribeText: "0")
                _ = try await s.insertEndpoint(
                    name: "email", url: "smtp://127.0.0.1:9", secret: WebhookSigner.newSecret(), events: [], at: now, kind: .email,
                    sender: "sales@example.com")
            }
            return Shop(t: t, staff: staff, whatsappSecret: secret, scheduler: AutomationScheduler(services: t.services, owner: "presets"))
        }

        var deals: DealService { t.services.deals }

        /// The id of a user the presets name.
        func id(_ email: String) -> UserID? { staff[email]?.id }

        func contact(_ name: String, phone: String, email: String? = nil) async throws -> Contact {
            try await t.services.parties.createContact(.init(name: name, phones: [phone], emails: email.map { [$0] }))
        }

        /// A deal as a manager starts it: responsible, head of sales and contact set.
        func input(_ title: String, _ contact: Contact, responsible: UserID? = nil, amount: String? = nil, fields: [String: JSONValue] = [:])
            -> DealInput
        {
            DealInput(
                title: title, amount: amount.map { .init(value: $0, currency: "RUB") }, responsible: responsible,
                headOfSales: t.head.id, contact: contact.id, fields: fields)
        }

        func deal(_ id: DealID) async throws -> Deal { try await t.services.store.read { s in try await s.deal(id) } }

        func openTasks(_ id: DealID) async throws -> [DealTask] {
            try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: id, status: .open)) }
        }

        /// The titles of the deal's open tasks, sorted.
        func openTitles(_ id: DealID) async throws -> [String] { try await openTasks(id).map(\.title).sorted() }

        /// Completes the deal's open task with this title, as the person it is for would.
        func complete(_ id: DealID, _ title: String) async throws {
            let tasks = try await openTasks(id)
            let task = try #require(tasks.first { $0.title == title }, "no open task '\(title)'")
            _ = try await deals.completeTask(task.id, principal: nil)
        }

        /// The deals of a pipeline, oldest first.
        func all(in pipeline: PipelineKey) async throws -> [Deal] {
            try await t.services.store.read { s in try await s.deals(DealFilter(pipeline: pipeline), after: nil, limit: 200).items }
        }

        /// The one copy that close-and-copy opened from deal `id` in `pipeline`.
        func copy(of id: DealID, in pipeline: PipelineKey) async throws -> Deal {
            let copies = try await all(in: pipeline).filter { $0.copiedFrom == id }
            #expect(copies.count == 1, "one copy of deal \(id) in \(pipeline)")
            return try #require(copies.first, "no copy of deal \(id) in \(pipeline)")
        }

        /// What the rules sent for the deal, as its timeline shows it: "channel → address: text".
        func messages(_ id: DealID) async throws -> [String] {
            try await t.services.store.read { s in try await s.timeline(deal: id) }.filter { $0.kind == "message_out" }.compactMap(\.text)
        }

        func documents(_ id: DealID) async throws -> [DealDocument] { try await t.services.store.read { s in try await s.documents(deal: id) } }

        /// The contact writes `text` on WhatsApp; the gateway signs it with the channel's secret.
        @discardableResult
        func reply(from phone: String, _ text: String) async throws -> AutomationRunner.ReceivedMessage {
            let body = #"{"from":"\#(phone)","text":"\#(text)"}"#
            let id = "reply-\(UUID().uuidString)"
            let seconds = t.clock.now().millis / 1000
            let signature = WebhookSigner.signature(secret: whatsappSecret, id: id, timestamp: seconds, body: body)
            return try await deals.automation.receiveMessage(
                channel: "whatsapp", from: phone, text: text,
                signed: .init(id: id, timestamp: String(seconds), signature: signature, body: body))
        }

        /// Moves the clock on and fires every timer that came due.
        func pass(_ millis: Int64) async throws {
            t.clock.advance(millis: millis)
            try await scheduler.fireDue()
        }

        /// Moves the clock to a minute after `moment` and fires every timer that came due.
        func passUntil(_ moment: Int64) async throws {
            t.clock.advance(millis: moment - t.clock.now().millis + PresetPathTests.minute)
            try await scheduler.fireDue()
        }
    }

    // MARK: - The files

    @Test(arguments: StoreTarget.available)
    func everyPresetAppliesInOrderRoundTripsAndLintsClean(target: StoreTarget) async throws {
        #expect(Set(Self.order) == Set(Presets.names()), "the order names every preset")
        #expect(Presets.ordered(Presets.names()) == Self.order, "the server applies them in this order too (serve --demo)")
        try await TestServices.with(target, sales: false) { t in
            let definitions = try Self.order.map { try PipelineService.parse(try Presets.text($0)) }
            let findings = try await t.services.lint.lint(definitions: definitions)
            #expect(!findings.contains { $0.severity == .error }, "\(findings.map { "\($0.location): \($0.rule)" })")
            let ours = findings.filter { $0.location != "sales" && !$0.location.hasPrefix("sales.") }
            #expect(ours.isEmpty, "the 000 presets follow every rule: \(ours.map { "\($0.location): \($0.rule)" })")
            let files = Dictionary(uniqueKeysWithValues: try Presets.catalogue().map { ($0.key.rawValue, try Presets.text($0.name)) })
            for finding in findings {
                let pipeline = String(finding.location.split(separator: ".").first ?? "")
                #expect(files[pipeline]?.contains("# - \(finding.rule)") == true, "the file of \(pipeline) explains why \(finding.rule) is left")
            }

            for name in Self.order {
                let text = try Presets.text(name)
                let applied = try await t.services.pipelines.apply(text: text)
                #expect(applied.created, "\(name)")
                let exported = try await t.services.pipelines.export(applied.pipeline.key)
                #expect(try PipelineService.parse(exported) == PipelineService.parse(text), "\(name) round-trips")
                _ = try await t.services.pipelines.apply(text: exported)
                #expect(try await t.services.pipelines.export(applied.pipeline.key) == exported, "\(name): applying the export changes nothing")
            }
            let card = try await t.services.store.read { s in try await s.fieldCatalog() }.all(.deal)
            #expect(card.count <= FunnelLinter.maximumCardFields, "000 mistake 6: \(card.map(\.key))")
        }
    }

    // MARK: - Qualification

    @Test(arguments: StoreTarget.available)
    func qualificationHandsQualifiedLeadsToSellersInTurnAndLosesLateOnes(target: StoreTarget) async throws {
        try await TestServices.with(target, sales: false) { t in
            let shop = try await Shop.open(t)
            let boris = try await shop.contact("Борис", phone: "+7 903 111-22-33")
            let late = try await shop.deals.create(
                pipeline: "qualification", stage: nil, input: shop.input("Прихожая", boris, responsible: t.manager.id), actor: Self.user)
            try await shop.pass(Self.day + Self.minute)
            let timedOut = try await shop.deal(late.id)
            #expect(timedOut.status == .lost && timedOut.stage == "timed_out", "a lead not qualified within a day is lost")
            #expect(try await shop.all(in: "nurturing").isEmpty, "000: only sales deals are nurtured")

            let anna = try await shop.contact("Анна", phone: "+7 912 345-67-89")
            let lead = try await shop.deals.create(
                pipeline: "qualification", stage: nil, input: shop.input("Кухня", anna, responsible: t.manager.id), actor: Self.user)
            #expect(try await shop.openTitles(lead.id) == ["Анна. Связаться с клиентом и квалифицировать заявку"])
            #expect(
                try await shop.messages(lead.id) == [
                    "whatsapp → +79123456789: Здравствуйте, Анна! Спасибо за заявку. Менеджер свяжется с вами в течение часа."
                ])
            _ = try await shop.deals.move(lead.id, to: "contact_made", actor: Self.user)
            #expect(try await shop.openTitles(lead.id) == ["Анна. Выяснить потребность, бюджет, срок покупки и ЛПР"])
            await #expect(throws: (any Error).self, "the need, the budget and the decision maker first") {
                _ = try await shop.deals.move(lead.id, to: "need_confirmed", actor: Self.user)
            }
            _ = try await shop.deals.move(
                lead.id, to: "need_confirmed",
                input: DealInput(
                    amount: .init(value: "250000", currency: "RUB"),
                    fields: ["requirements": .string("Кухня 3 м, через месяц"), "decision_maker": .string("Анна, владелица")]),
                actor: Self.user)
            #expect(try await shop.openTitles(lead.id) == ["Анна. Договориться о звонке продавца и передать лид в продажи"])

            let won = try await shop.deals.close(lead.id, won: true, reason: nil, comment: nil, actor: Self.user)
            #expect(won.status == .won && won.stage == "qualified")
            let sale = try await shop.copy(of: lead.id, in: "sales_000")
            #expect(sale.stage == "request_received" && sale.lineage == lead.lineage && sale.status == .open)
            #expect(sale.responsible == shop.id("seller1@example.com"), "the first seller in turn")
            #expect(sale.fields["decision_maker"] == .string("Анна, владелица") && sale.amount == won.amount, "the copy keeps the card")
            let saleTasks = try await shop.openTasks(sale.id)
            #expect(saleTasks.map(\.title) == ["Анна. Связаться с клиентом и выявить потребности"])
            #expect(saleTasks.first?.assignee == shop.id("seller1@example.com") && saleTasks.first?.creator == t.head.id)
            let log = try await t.services.store.read { s in try await s.stageLog(deal: lead.id) }
            #expect(log.last?.to == "qualified" && log.last?.responsible == t.manager.id, "the qualifier keeps the credit for the win")

            let second = try await shop.deals.create(
                pipeline: "qualification", stage: "need_confirmed",
                input: shop.input(
                    "Шкаф", boris, responsible: t.manager.id, amount: "60000",
                    fields: ["requirements": .string("Шкаф-купе 2,4 м"), "decision_maker": .string("Борис")]),
                actor: Self.user)
            _ = try await shop.deals.close(second.id, won: true, reason: nil, comment: nil, actor: Self.user)
            #expect(try await shop.copy(of: second.id, in: "sales_000").responsible == shop.id("seller2@example.com"), "then the next one")
        }
    }

    // MARK: - Telemarketing

    @Test(arguments: StoreTarget.available)
    func telemarketingRoutesLeadsByInterestScore(target: StoreTarget) async throws {
        try await TestServices.with(target, sales: false) { t in
            let shop = try await Shop.open(t)
            /// A cold-base company reached: the telemarketer got through to the decision maker.
            func reached(_ name: String, phone: String) async throws -> Deal {
                let contact = try await shop.contact(name, phone: phone)
                let deal = try await shop.deals.create(
                    pipeline: "telemarketing", stage: nil, input: shop.input("Обзвон: \(name)", contact, responsible: t.manager.id), actor: Self.user)
                #expect(try await shop.openTitles(deal.id) == ["\(name). Позвонить в компанию и выйти на ЛПР"])
                #expect(try await shop.messages(deal.id).isEmpty, "nothing is sent to a cold base")
                _ = try await shop.deals.move(deal.id, to: "processed", actor: Self.user)
                return try await shop.deals.move(deal.id, to: "feedback_received", actor: Self.user)
            }
            func score(_ deal: Deal, _ value: Double) async throws -> Deal {
                try await shop.deals.update(deal.id, input: DealInput(fields: ["interest_score": .number(value)]), actor: Self.user)
            }

            let hot = try await reached("Борис", phone: "+7 903 000-00-10")
            #expect(try await shop.openTitles(hot.id) == ["Борис. Узнать интерес от 1 до 10 и согласовать созвон или демонстрацию"])
            let closedHot = try await score(hot, 10)
            #expect(closedHot.status == .won && closedHot.stage == "handed_to_sales")
            let hotSale = try await shop.copy(of: hot.id, in: "sales_000")
            #expect(hotSale.responsible == shop.id("senior.seller@example.com"), "9–10: the senior seller takes the customer at once")
            let hotLog = try await t.services.store.read { s in try await s.stageLog(deal: hot.id) }
            #expect(hotLog.last?.responsible == t.manager.id, "the telemarketer keeps the credit for the win")

            let warm = try await reached("Вера", phone: "+7 903 000-00-07")
            _ = try await score(warm, 7)
            #expect(try await shop.copy(of: warm.id, in: "sales_000").responsible == shop.id("seller1@example.com"), "7–8: the next seller in turn")

            let neutral = try await reached("Глеб", phone: "+7 903 000-00-04")
            let kept = try await score(neutral, 4)
            #expect(kept.status == .open && kept.stage == "feedback_received", "1–6: keep working")
            #expect(
                try await shop.openTitles(neutral.id) == [
                    "Глеб. Интерес нейтральный: продолжить работу и вернуться к клиенту позже",
                    "Глеб. Узнать интерес от 1 до 10 и согласовать созвон или демонстрацию",
                ])
            _ = try await shop.deals.move(neutral.id, to: "demo_agreed", actor: Self.user)
            #expect(
                try await shop.messages(neutral.id) == [
                    "whatsapp → +79030000004: Глеб, спасибо за разговор! Подтверждаю нашу договорённость о созвоне. Если время не подходит — напишите сюда, перенесём. Менеджер"
                ])
            #expect(try await shop.openTitles(neutral.id) == ["Глеб. Провести созвон или демонстрацию"])
            _ = try await shop.deals.move(neutral.id, to: "demo_held", actor: Self.user)
            #expect(try await shop.openTitles(neutral.id) == ["Глеб. Узнать решение и передать клиента в продажи"])
            _ = try await shop.deals.close(neutral.id, won: true, reason: nil, comment: nil, actor: Self.user)
            #expect(
                try await shop.copy(of: neutral.id, in: "sales_000").responsible == shop.id("seller2@example.com"),
                "won by hand after the demo: handed to the next seller too")
            #expect(try await shop.all(in: "sales_000").count == 3)

            let silent = try await reached("Дарья", phone: "+7 903 000-00-01")
            try await shop.pass(14 * Self.day + Self.minute)
            let lost = try await shop.deal(silent.id)
            #expect(lost.status == .lost && lost.stage == "timed_out")
            #expect(
                try await shop.all(in: "nurturing").allSatisfy { $0.lineage != silent.lineage }, "000: cold deals are not mixed with warm ones")
        }
    }

    // MARK: - Sales (000)

    @Test(arguments: StoreTarget.available)
    func salesGoesOnlyForwardAndPaymentHandsTheOrderToProduction(target: StoreTarget) async throws {
        try await TestServices.with(target, sales: false) { t in
            let shop = try await Shop.open(t)
            let seller = try #require(shop.id("seller1@example.com"))
            let anna = try await shop.contact("Анна", phone: "+7 912 345-67-89")
            let deal = try await shop.deals.create(
                pipeline: "sales_000", stage: nil,
                input: shop.input("Кухня на заказ", anna, responsible: seller, fields: ["requirements": .string("Кухня 3 м, фасады МДФ")]),
                actor: Self.user)
            #expect(try await shop.openTitles(deal.id) == ["Анна. Связаться с клиентом и выявить потребности"])
            #expect(
                try await shop.messages(deal.id) == [
                    "whatsapp → +79123456789: Здравствуйте, Анна! Я seller1@example.com, ваш менеджер. Позвоню сегодня, чтобы обсудить вашу задачу."
                ])

            _ = try await shop.deals.move(deal.id, to: "needs_identified", actor: Self.user)
            #expect(try await shop.openTitles(deal.id) == ["Анна. Пригласить клиента на встречу в шоу-рум"])
            await #expect(throws: (any Error).self, "the amount, the subject and the delivery method before the key stage") {
                _ = try await shop.deals.move(deal.id, to: "meeting_held", actor: Self.user)
            }
            _ = try await shop.deals.move(
                deal.id, to: "meeting_held",
                input: DealInput(
                    amount: .init(value: "250000", currency: "RUB"),
                    fields: ["subject": .string("Кухня"), "delivery_method": .string("delivery")]), actor: Self.user)
            #expect(try await shop.openTitles(deal.id) == ["Анна. Отправить КП по итогам встречи"])
            let documents = try await shop.documents(deal.id)
            #expect(documents.map(\.name) == ["КП — Анна"])
            #expect(documents.first?.body.contains("<p>Кухня</p>") == true && documents.first?.body.contains("Стоимость: 250000.00 RUB") == true)

            _ = try await shop.deals.move(deal.id, to: "proposal_sent", actor: Self.user)
            await #expect(throws: (any Error).self, "000: comments on the proposal are a stage ahead, never a move back") {
                _ = try await shop.deals.move(deal.id, to: "meeting_held", actor: Self.user)
            }
            try await shop.pass(2 * Self.day + Self.minute)
            #expect(
                try await shop.messages(deal.id).last
                    == "whatsapp → +79123456789: Анна, удалось посмотреть наше предложение? Если есть вопросы или правки — напишите, всё учтём.",
                "a deal that stalls on the proposal gets a warming message")

            _ = try await shop.deals.move(deal.id, to: "comments_received", actor: Self.user)
            #expect(try await shop.openTitles(deal.id) == ["Анна. Учесть комментарии, отправить исправленное КП и согласовать договор"])
            await #expect(throws: (any Error).self, "the decision maker before the contract") {
                _ = try await shop.deals.move(deal.id, to: "contract_signed", actor: Self.user)
            }
            _ = try await shop.deals.move(
                deal.id, to: "contract_signed", input: DealInput(fields: ["decision_maker": .string("Анна")]), actor: Self.user)
            #expect(try await shop.openTitles(deal.id) == ["Анна. Выставить счёт на оплату"])

            let invoiced = try await shop.deals.move(deal.id, to: "invoice_issued", actor: Self.user)
            let accountant = try #require(shop.id("accountant@example.com"))
            #expect(invoiced.responsible == accountant, "000 mistake 7: the accountant owns the payment stage")
            let invoiceTasks = try await shop.openTasks(deal.id)
            #expect(invoiceTasks.map(\.title) == ["Анна. Проверить поступление оплаты по счёту"] && invoiceTasks.first?.assignee == accountant)
            try await shop.pass(2 * Self.day + Self.minute)
            #expect(
                try await shop.messages(deal.id).last
                    == "whatsapp → +79123456789: Анна, напоминаем об оплате счёта по заказу «Кухня на заказ». Если уже оплатили — спасибо!")

            let paid = try await shop.deals.close(deal.id, won: true, reason: nil, comment: nil, actor: Self.user)
            #expect(paid.status == .won && paid.stage == "payment_received")
            let order = try await shop.copy(of: deal.id, in: "production")
            #expect(order.stage == "order_received" && order.lineage == deal.lineage && order.amount == paid.amount)
            #expect(order.responsible == shop.id("production@example.com"), "production takes the copy")
            let orderTasks = try await shop.openTasks(order.id)
            #expect(orderTasks.map(\.title) == ["Заказ «Кухня на заказ»: проверить ТЗ и материалы"])
            #expect(orderTasks.first?.assignee == shop.id("production@example.com"))
        }
    }

    @Test(arguments: StoreTarget.available)
    func salesLossesGoToNurturingOrToLostCustomers(target: StoreTarget) async throws {
        try await TestServices.with(target, sales: false) { t in
            let shop = try await Shop.open(t)
            let seller = try #require(shop.id("seller1@example.com"))
            func sale(_ name: String, phone: String) async throws -> Deal {
                let contact = try await shop.contact(name, phone: phone, email: "\(phone.filter(\.isNumber))@client.example")
                return try await shop.deals.create(
                    pipeline: "sales_000", stage: nil,
                    input: shop.input("Гардеробная", contact, responsible: seller, fields: ["requirements": .string("Гардеробная 2×3 м")]),
                    actor: Self.user)
            }

            let thinking = try await sale("Жанна", phone: "+7 921 555-01-02")
            _ = try await shop.deals.close(thinking.id, won: false, reason: "postponed", comment: nil, actor: Self.user)
            let warming = try await shop.copy(of: thinking.id, in: "nurturing")
            #expect(warming.stage == "warming" && warming.responsible == seller)
            #expect(warming.fields["return_pipeline"] == .string("sales_000"), "it will come back to this pipeline")
            #expect(try await shop.openTitles(warming.id) == ["Жанна. Напомнить о себе: полезный материал"])
            #expect(try await shop.messages(warming.id).count == 1)

            let expensive = try await sale("Пётр", phone: "+7 926 222-33-44")
            await #expect(throws: (any Error).self, "'Too expensive' needs a comment") {
                _ = try await shop.deals.close(expensive.id, won: false, reason: "too_expensive", comment: nil, actor: Self.user)
            }
            _ = try await shop.deals.close(expensive.id, won: false, reason: "too_expensive", comment: "Нашёл дешевле", actor: Self.user)
            let lostCustomer = try await shop.copy(of: expensive.id, in: "lost_customers")
            #expect(lostCustomer.stage == "did_not_buy" && lostCustomer.responsible == seller)
            #expect(try await shop.openTitles(lostCustomer.id) == ["Пётр. Указать примерную дату следующей покупки"])
            #expect(
                try await shop.messages(lostCustomer.id) == [
                    "email → 79262223344@client.example: Пётр, спасибо, что рассматривали нас. Если задача снова станет актуальной — просто ответьте на это письмо."
                ])

            let silent = try await sale("Ольга", phone: "+7 921 555-01-03")
            try await shop.pass(Self.day + Self.minute)
            let timedOut = try await shop.deal(silent.id)
            #expect(timedOut.status == .lost && timedOut.stage == "timed_out", "000 mistake 2: over the stage's time the deal is lost")
            let nurtured = try await shop.copy(of: silent.id, in: "nurturing")
            #expect(nurtured.stage == "warming" && nurtured.fields["return_pipeline"] == .string("sales_000"))
        }
    }

    // MARK: - Production

    @Test(arguments: StoreTarget.available)
    func productionTakesTheOrderThroughPurchasingToTheWarehouseAndOnToDelivery(target: StoreTarget) async throws {
        try await TestServices.with(target, sales: false) { t in
            let shop = try await Shop.open(t)
            let production = try #require(shop.id("production@example.com"))
            let anna = try await shop.contact("Анна", phone: "+7 912 345-67-89")
            let card: [String: JSONValue] = ["requirements": .string("Шкаф-купе 2,4 м, зеркало"), "delivery_method": .string("delivery")]
            let order = try await shop.deals.create(
                pipeline: "production", stage: nil, input: shop.input("Шкаф-купе", anna, amount: "48500", fields: card), actor: Self.user)
            #expect(order.responsible == production)
            #expect(
                try await shop.messages(order.id) == [
                    "whatsapp → +79123456789: Анна, ваш заказ «Шкаф-купе» передан в производство. Будем сообщать о ходе работ."
                ])

            let purchasing = try await shop.deals.move(order.id, to: "supplier_paid", actor: Self.user)
            #expect(purchasing.responsible == shop.id("purchaser@example.com"), "000: the purchaser works the supplier payment")
            #expect(try await shop.openTitles(order.id) == ["Заказ «Шкаф-купе»: получить материалы и назначить срок изготовления"])
            await #expect(throws: (any Error).self, "no order is accepted without a due date") {
                _ = try await shop.deals.move(order.id, to: "order_accepted", actor: Self.user)
            }
            let accepted = try await shop.deals.move(
                order.id, to: "order_accepted", input: DealInput(fields: ["production_due": .string("2026-11-25")]), actor: Self.user)
            #expect(accepted.responsible == production)
            #expect(try await shop.openTitles(order.id) == ["Заказ «Шкаф-купе»: изготовить к 2026-11-25"])
            #expect(
                try await shop.messages(order.id).last
                    == "whatsapp → +79123456789: Анна, ваш заказ «Шкаф-купе» принят в работу. Плановая дата готовности — 2026-11-25.")

            // t0 is 2026-11-18; a day before the due date the CRM asks to check readiness.
            try await shop.passUntil(try #require(CalendarText.millis("2026-11-24")))
            #expect(
                try await shop.openTitles(order.id) == [
                    "Заказ «Шкаф-купе»: завтра срок изготовления — проверить готовность", "Заказ «Шкаф-купе»: изготовить к 2026-11-25",
                ])

            _ = try await shop.deals.move(order.id, to: "order_completed", actor: Self.user)
            #expect(try await shop.openTitles(order.id) == ["Заказ «Шкаф-купе»: доставить на склад"])
            #expect(
                try await shop.messages(order.id).last
                    == "whatsapp → +79123456789: Анна, ваш заказ «Шкаф-купе» изготовлен! Готовим его к отгрузке.")
            let stored = try await shop.deals.close(order.id, won: true, reason: nil, comment: nil, actor: Self.user)
            #expect(stored.stage == "delivered_to_warehouse")
            let delivery = try await shop.copy(of: order.id, in: "delivery")
            #expect(delivery.stage == "ready_for_shipment" && delivery.responsible == shop.id("logistics@example.com"))
            #expect(delivery.fields["delivery_method"] == .string("delivery"))
            #expect(try await shop.openTitles(delivery.id) == ["Анна. Согласовать способ и дату получения заказа"])

            let boris = try await shop.contact("Борис", phone: "+7 903 111-22-33")
            let late = try await shop.deals.create(
                pipeline: "production", stage: nil, input: shop.input("Стеллажи", boris, fields: card), actor: Self.user)
            try await shop.pass(2 * Self.day + Self.minute)
            #expect(try await shop.deal(late.id).status == .open, "a paid order is never lost for being late")
            let escalated = try await shop.openTasks(late.id).filter { $0.assignee == t.head.id }
            #expect(escalated.map(\.title) == ["Заказ «Стеллажи» дольше срока на этапе — разобраться с производством"])
        }
    }

    // MARK: - Delivery

    @Test(arguments: StoreTarget.available)
    func deliveryBranchesAsksForAScoreAndALowScoreSetsATask(target: StoreTarget) async throws {
        try await TestServices.with(target, sales: false) { t in
            let shop = try await Shop.open(t)
            let logistics = try #require(shop.id("logistics@example.com"))
            func order(_ name: String, phone: String, _ method: String) async throws -> (Contact, Deal) {
                let contact = try await shop.contact(name, phone: phone)
                let deal = try await shop.deals.create(
                    pipeline: "delivery", stage: nil,
                    input: shop.input("Кухня", contact, amount: "250000", fields: ["delivery_method": .string(method)]), actor: Self.user)
                return (contact, deal)
            }

            let (anna, courier) = try await order("Анна", phone: "+7 912 345-67-89", "delivery")
            #expect(courier.responsible == logistics)
            #expect(
                try await shop.messages(courier.id) == [
                    "whatsapp → +79123456789: Анна, ваш заказ «Кухня» готов к отгрузке! Свяжемся, чтобы согласовать доставку или самовывоз."
                ])
            try await shop.complete(courier.id, "Анна. Согласовать способ и дату получения заказа")
            #expect(try await shop.deal(courier.id).stage == "order_shipped", "a delivery goes to the courier")
            #expect(try await shop.openTitles(courier.id) == ["Анна. Убедиться, что заказ доставлен"])
            _ = try await shop.deals.move(courier.id, to: "order_delivered", actor: Self.user)
            #expect(
                try await shop.messages(courier.id).last
                    == "whatsapp → +79123456789: Анна, вы получили заказ «Кухня». Оцените, пожалуйста, нашу работу от 1 до 10 — просто ответьте цифрой."
            )

            let received = try await shop.reply(from: anna.phones[0], " 3 ")
            #expect(received.deals == [courier.id])
            let scored = try await shop.deal(courier.id)
            #expect(scored.status == .won && scored.stage == "feedback_collected" && scored.fields["feedback_score"] == .number(3))
            let followUp = try await shop.openTasks(courier.id)
            #expect(followUp.map(\.title) == ["Анна: оценка 3 из 10 — связаться и выяснить, что пошло не так"])
            #expect(followUp.first?.assignee == t.head.id, "a low score: the head of sales finds out what went wrong")
            let regular = try await shop.copy(of: courier.id, in: "regular_customers")
            #expect(regular.stage == "recently_bought" && regular.responsible == shop.id("account.manager@example.com"))

            let (boris, pickup) = try await order("Борис", phone: "+7 903 111-22-33", "pickup")
            try await shop.complete(pickup.id, "Борис. Согласовать способ и дату получения заказа")
            #expect(try await shop.deal(pickup.id).stage == "order_delivered", "a pickup is handed over here")
            try await shop.reply(from: boris.phones[0], "9")
            #expect(try await shop.deal(pickup.id).status == .won)
            #expect(try await shop.openTasks(pickup.id).isEmpty, "a good score sets no task")

            let (_, refused) = try await order("Вера", phone: "+7 903 000-00-07", "delivery")
            _ = try await shop.deals.close(refused.id, won: false, reason: "refused_on_delivery", comment: "Не тот цвет фасадов", actor: Self.user)
            let claim = try await shop.copy(of: refused.id, in: "claims")
            #expect(claim.stage == "claim_received" && claim.responsible == shop.id("claims@example.com"))
        }
    }

    // MARK: - Claims

    @Test(arguments: StoreTarget.available)
    func claimsEndInARefundAReplacementOrARefusalExplainedByPhone(target: StoreTarget) async throws {
        try await TestServices.with(target, sales: false) { t in
            let shop = try await Shop.open(t)
            let claimsManager = try #require(shop.id("claims@example.com"))
            let egor = try await shop.contact("Егор", phone: "+7 916 100-20-30")
            func claim(_ decision: String) async throws -> Deal {
                let deal = try await shop.deals.create(
                    pipeline: "claims", stage: nil,
                    input: shop.input("Рекламация: шкаф", egor, fields: ["requirements": .string("Шкаф-купе 2,4 м")]), actor: Self.user)
                #expect(deal.responsible == claimsManager)
                #expect(try await shop.openTitles(deal.id) == ["Егор. Связаться с клиентом и записать суть рекламации"])
                await #expect(throws: (any Error).self, "what the claim is about first") {
                    _ = try await shop.deals.move(deal.id, to: "claim_in_work", actor: Self.user)
                }
                _ = try await shop.deals.move(
                    deal.id, to: "claim_in_work", input: DealInput(fields: ["claim_description": .string("Скол на двери")]), actor: Self.user)
                #expect(try await shop.openTitles(deal.id) == ["Егор. Вынести решение по рекламации: возврат, замена или отказ"])
                return try await shop.deals.move(
                    deal.id, to: "decision_made", input: DealInput(fields: ["claim_decision": .string(decision)]), actor: Self.user)
            }

            let replacement = try await claim("replacement")
            #expect(
                try await shop.messages(replacement.id) == [
                    "whatsapp → +79161002030: Егор, мы получили вашу рекламацию и ответим в течение двух рабочих дней.",
                    "whatsapp → +79161002030: Егор, по вашей рекламации принято решение о замене. Сообщим сроки, как только заказ на замену примут в работу.",
                ])
            #expect(try await shop.openTitles(replacement.id) == ["Егор. Оформить замену по рекламации"])
            try await shop.complete(replacement.id, "Егор. Оформить замену по рекламации")
            #expect(try await shop.deal(replacement.id).stage == "claim_closed", "the done task closes the claim as won")
            let remake = try await shop.copy(of: replacement.id, in: "production")
            #expect(remake.stage == "order_received" && remake.responsible == shop.id("production@example.com"))

            let refund = try await claim("refund")
            let accountant = try #require(shop.id("accountant@example.com"))
            #expect(refund.responsible == accountant, "the accountant returns the money")
            let refundTasks = try await shop.openTasks(refund.id)
            #expect(refundTasks.map(\.title) == ["Егор. Вернуть деньги по рекламации"] && refundTasks.first?.assignee == accountant)
            try await shop.complete(refund.id, "Егор. Вернуть деньги по рекламации")
            #expect(try await shop.deal(refund.id).status == .won)

            let refused = try await claim("refused")
            #expect(
                try await shop.messages(refused.id).last
                    == "whatsapp → +79161002030: Егор, по вашей рекламации принято решение отказать. Менеджер позвонит вам и объяснит причину.")
            #expect(
                try await shop.openTitles(refused.id) == ["Егор. Позвонить клиенту и объяснить, почему в рекламации отказано"],
                "000: a refusal is always explained by phone")
            try await shop.complete(refused.id, "Егор. Позвонить клиенту и объяснить, почему в рекламации отказано")
            #expect(try await shop.deal(refused.id).status == .won)
            #expect(try await shop.all(in: "production").count == 1, "only the replacement goes back to production")
        }
    }

    // MARK: - Nurturing

    @Test(arguments: StoreTarget.available)
    func nurturingWarmsForNinetyDaysMakesASpecialOfferAndReturnsTheDealToItsSalesPipeline(target: StoreTarget) async throws {
        try await TestServices.with(target, sales: false) { t in
            let shop = try await Shop.open(t)
            let seller = try #require(shop.id("seller1@example.com"))
            let zhanna = try await shop.contact("Жанна", phone: "+7 921 555-01-02", email: "zhanna@client.example")
            let sale = try await shop.deals.create(
                pipeline: "sales_000", stage: nil,
                input: shop.input("Гардеробная", zhanna, responsible: seller, fields: ["requirements": .string("Гардеробная 2×3 м")]),
                actor: Self.user)
            try await shop.pass(Self.day + Self.minute)
            let warming = try await shop.copy(of: sale.id, in: "nurturing")
            #expect(
                try await shop.messages(warming.id) == [
                    "whatsapp → +79215550102: Жанна, спасибо за интерес к нам! Будем иногда присылать полезное. Ответьте 1, когда будете готовы обсудить покупку, или 0 — чтобы не получать сообщений."
                ])

            try await shop.pass(30 * Self.day + Self.minute)
            let afterMonth = try await shop.messages(warming.id)
            #expect(afterMonth.count == 2 && afterMonth.last?.hasPrefix("email → zhanna@client.example: Жанна, собрали для вас подборку") == true)
            try await shop.pass(30 * Self.day + Self.minute)
            let afterTwoMonths = try await shop.messages(warming.id)
            #expect(afterTwoMonths.count == 3 && afterTwoMonths.last?.hasPrefix("whatsapp → +79215550102: Жанна, у нас новинки") == true)
            #expect(try await shop.deal(warming.id).stage == "warming")

            try await shop.pass(30 * Self.day + Self.minute)
            let warmed = try await shop.deal(warming.id)
            #expect(warmed.stage == "warmed_90_days" && warmed.status == .open, "after 90 days of warming")
            #expect(try await shop.openTitles(warming.id) == ["Жанна. Позвонить и предложить специальные условия"])
            try await shop.complete(warming.id, "Жанна. Позвонить и предложить специальные условия")
            let offered = try await shop.deal(warming.id)
            #expect(offered.stage == "special_offer_made" && offered.fields["special_offer"] == .bool(true))
            #expect(
                try await shop.messages(warming.id).last
                    == "whatsapp → +79215550102: Жанна, как договорились: для вас специальные условия на первый заказ. Ответьте 1, чтобы ими воспользоваться."
            )
            #expect(try await shop.openTitles(warming.id) == ["Жанна. Получить ответ на специальное предложение"])

            try await shop.reply(from: zhanna.phones[0], "1")
            #expect(try await shop.deal(warming.id).stage == "ready")
            let back = try await shop.copy(of: warming.id, in: "sales_000")
            #expect(back.stage == "request_received" && back.lineage == sale.lineage && back.responsible == seller)
            #expect(
                try await shop.openTitles(back.id) == [
                    "Жанна. Клиент вернулся со специальными условиями из утепления — применить их в КП",
                    "Жанна. Связаться с клиентом и выявить потребности",
                ])

            // A deal nurtured from the 002 sales pipeline (no return_pipeline) goes back there.
            let zoya = try await shop.contact("Зоя", phone: "+7 921 555-09-09")
            let from002 = try await shop.deals.create(
                pipeline: "nurturing", stage: nil, input: shop.input("Прихожая", zoya, responsible: seller), actor: Self.user)
            try await shop.reply(from: zoya.phones[0], "1")
            #expect(try await shop.copy(of: from002.id, in: "sales").stage == "new_lead")

            // "0" unsubscribes the contact and loses the deal.
            let ira = try await shop.contact("Ирина", phone: "+7 921 555-07-07")
            let quiet = try await shop.deals.create(
                pipeline: "nurturing", stage: nil, input: shop.input("Кухня", ira, responsible: seller), actor: Self.user)
            #expect(try await shop.reply(from: ira.phones[0], "0").unsubscribed)
            let unsubscribed = try await shop.deal(quiet.id)
            #expect(unsubscribed.status == .lost && unsubscribed.stage == "unsubscribed")

            // The last hope runs out: no answer to the special offer in 14 days.
            let lev = try await shop.contact("Лев", phone: "+7 921 555-08-08")
            let hope = try await shop.deals.create(
                pipeline: "nurturing", stage: "special_offer_made", input: shop.input("Стол", lev, responsible: seller), actor: Self.user)
            try await shop.pass(14 * Self.day + Self.minute)
            let gone = try await shop.deal(hope.id)
            #expect(gone.status == .lost && gone.stage == "timed_out")
        }
    }

    // MARK: - Regular customers

    @Test(arguments: StoreTarget.available)
    func regularCustomersAreRemindedBeforeTheNextPurchaseAndTheCycleStartsAgain(target: StoreTarget) async throws {
        try await TestServices.with(target, sales: false) { t in
            let shop = try await Shop.open(t)
            let accountManager = try #require(shop.id("account.manager@example.com"))
            let olga = try await shop.contact("Ольга", phone: "+7 921 555-01-03")
            let regular = try await shop.deals.create(
                pipeline: "regular_customers", stage: nil, input: shop.input("Обслуживание кухни", olga, amount: "12000"), actor: Self.user)
            #expect(regular.responsible == accountManager)
            #expect(try await shop.openTitles(regular.id) == ["Ольга. Указать дату следующей покупки"])
            #expect(
                try await shop.messages(regular.id) == ["whatsapp → +79215550103: Ольга, спасибо за покупку! Если понадобится помощь — пишите сюда."])
            _ = try await shop.deals.update(
                regular.id, input: DealInput(fields: ["next_purchase_date": .string("2027-01-31")]), actor: Self.user)

            try await shop.passUntil(try #require(CalendarText.millis("2027-01-01")))
            #expect(try await shop.deal(regular.id).stage == "reminder_sent", "30 days before the next purchase")
            #expect(
                try await shop.messages(regular.id).last
                    == "whatsapp → +79215550103: Ольга, напоминаем: 2027-01-31 — время следующей покупки. Подготовить для вас заказ?")
            #expect(try await shop.openTitles(regular.id) == ["Ольга. Уточнить объём и сумму следующей покупки"])

            try await shop.passUntil(try #require(CalendarText.millis("2027-01-24")))
            #expect(try await shop.deal(regular.id).stage == "invoice_sent", "7 days before it")
            #expect(try await shop.documents(regular.id).map(\.name) == ["Счёт — Ольга"])
            #expect(try await shop.openTitles(regular.id) == ["Ольга. Обговорить следующий платёж и отправить счёт"])

            _ = try await shop.deals.close(regular.id, won: true, reason: nil, comment: nil, actor: Self.user)
            let next = try await shop.all(in: "regular_customers").filter { $0.id != regular.id }
            #expect(next.count == 1, "the cycle goes on")
            let cycle = try #require(next.first)
            #expect(cycle.stage == "recently_bought" && cycle.title == "Ольга: следующая покупка" && cycle.source == "follow_up")
            #expect(cycle.contact == olga.id && cycle.responsible == accountManager)
            #expect(try await shop.openTitles(cycle.id) == ["Ольга. Указать дату следующей покупки"])

            try await shop.pass(365 * Self.day + Self.minute)
            let gone = try await shop.deal(cycle.id)
            #expect(gone.status == .lost && gone.stage == "timed_out", "a customer who never comes back is lost")
            let winBack = try await shop.copy(of: cycle.id, in: "lost_customers")
            #expect(winBack.stage == "did_not_buy" && winBack.contact == olga.id)
        }
    }

    // MARK: - Lost customers

    @Test(arguments: StoreTarget.available)
    func lostCustomersGetAnOfferByTheNextPurchaseDateAndAgreeingSendsThemBackToSales(target: StoreTarget) async throws {
        try await TestServices.with(target, sales: false) { t in
            let shop = try await Shop.open(t)
            let seller = try #require(shop.id("seller1@example.com"))
            func lostSale(_ name: String, phone: String) async throws -> (Contact, Deal) {
                let contact = try await shop.contact(name, phone: phone, email: "\(phone.filter(\.isNumber))@client.example")
                let sale = try await shop.deals.create(
                    pipeline: "sales_000", stage: nil,
                    input: shop.input("Диван", contact, responsible: seller, fields: ["requirements": .string("Диван угловой")]),
                    actor: Self.user)
                _ = try await shop.deals.close(sale.id, won: false, reason: "chose_competitor", comment: "Купил в салоне рядом", actor: Self.user)
                return (contact, sale)
            }

            let (petr, sale) = try await lostSale("Пётр", phone: "+7 926 222-33-44")
            let lost = try await shop.copy(of: sale.id, in: "lost_customers")
            #expect(lost.stage == "did_not_buy" && lost.responsible == seller)
            _ = try await shop.deals.update(lost.id, input: DealInput(fields: ["next_purchase_date": .string("2027-03-10")]), actor: Self.user)

            try await shop.passUntil(try #require(CalendarText.millis("2027-03-03")))
            #expect(try await shop.deal(lost.id).stage == "offer_sent", "7 days before the expected purchase")
            #expect(
                try await shop.messages(lost.id).last
                    == "whatsapp → +79262223344: Пётр, давно не общались! У нас новые решения и условия — ответьте 1, если интересно, или 0, чтобы не получать сообщений."
            )
            #expect(try await shop.openTitles(lost.id) == ["Пётр. Позвонить и предложить следующую покупку"])

            try await shop.reply(from: petr.phones[0], "1")
            #expect(try await shop.deal(lost.id).stage == "customer_agreed")
            #expect(try await shop.openTitles(lost.id) == ["Пётр. Уточнить потребность и передать клиента в продажи"])
            let won = try await shop.deals.close(lost.id, won: true, reason: nil, comment: nil, actor: Self.user)
            #expect(won.stage == "returned_to_sales")
            let back = try await shop.copy(of: lost.id, in: "sales_000")
            #expect(back.stage == "request_received" && back.lineage == sale.lineage && back.responsible == seller)

            // No date: the offer goes after 180 days anyway.
            let (_, another) = try await lostSale("Лидия", phone: "+7 926 222-00-11")
            let undated = try await shop.copy(of: another.id, in: "lost_customers")
            try await shop.pass(180 * Self.day + Self.minute)
            #expect(try await shop.deal(undated.id).stage == "offer_sent")
        }
    }
}
