import AutofunnelCore
import AutofunnelTestSupport
import Testing

/// What counts as blank and what cannot be stored, for every text users send (issue 16, point 7).
@Suite("User text: blank and unstorable")
struct UserTextTests {
    /// Texts that show nothing: zero-width and other format characters, no-break and ideographic spaces.
    static let invisible = [
        "", " ", "\u{200B}", "\u{200B}\u{200B}\u{200B}", "\u{2060}\u{FEFF}", "\u{00A0}\u{200B}\u{3000}", "\u{200D}\u{180E}", "\t\r\n\u{2028}",
        "\u{3164}", "\u{034F}\u{00AD}",
    ]

    @Test(arguments: invisible)
    func invisibleTextIsBlank(text: String) {
        #expect(text.isBlank)
        #expect(text.trimmed.isEmpty)
    }

    @Test func trimmingRemovesInvisibleCharactersAtBothEnds() {
        #expect("\u{FEFF}\u{200B} Нашли дешевле\u{00A0}\u{2060}\u{3000}".trimmed == "Нашли дешевле")
        #expect("a\u{200B}b".trimmed == "a\u{200B}b", "only the ends are trimmed")
        #expect(!"\u{200B}x\u{200B}".isBlank)
    }

    @Test func trimmingKeepsWholeVisibleCharacters() {
        // The variation selector and a flag's tag characters are format or ignorable scalars, but belong to a visible character.
        for text in ["I ❤️", "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", "👩‍💻"] {
            #expect(text.trimmed == text)
            #expect(!text.isBlank)
        }
    }

    @Test func aNulCharacterCannotBeStored() throws {
        let v = try #require(UserText.unstorable("before\u{0}after", field: "title"))
        #expect(v.rule == .invalidValue && v.field == "title")
        #expect(v.message.en.contains("U+0000"))
        #expect(UserText.unstorable("before after \u{1F}", field: "title") == nil)
    }

    @Test(arguments: invisible)
    func anInvisibleLossCommentIsNoComment(comment: String) {
        let (pipeline, fields) = Fixtures.salesPipeline()
        let result = Transitions.transition(
            DealSnapshot(deal: Fixtures.deal()), .move(to: "too_expensive", lossComment: comment), actor: .user, pipeline: pipeline,
            fields: fields, now: Fixtures.t0)
        guard case .failure(let refusal) = result else {
            Issue.record("a loss comment \(comment.unicodeScalars.map { "U+\(String($0.value, radix: 16, uppercase: true))" }) was accepted")
            return
        }
        #expect(refusal.violations.map(\.rule) == [.lossCommentRequired])
    }

    @Test func aLossCommentIsStoredTrimmedAndWithoutNul() throws {
        let (pipeline, fields) = Fixtures.salesPipeline()
        func close(_ comment: String) -> Result<AcceptedTransition, Refusal> {
            Transitions.transition(
                DealSnapshot(deal: Fixtures.deal()), .move(to: "too_expensive", lossComment: comment), actor: .user, pipeline: pipeline,
                fields: fields, now: Fixtures.t0)
        }
        #expect(try close("\u{200B}Нашли дешевле\u{FEFF}").get().deal.lossComment == "Нашли дешевле")
        guard case .failure(let refusal) = close("Нашли\u{0}дешевле") else {
            Issue.record("a loss comment with NUL was accepted")
            return
        }
        #expect(refusal.violations.map(\.field) == ["lossComment"])
    }

    @Test func anInvisibleReopenReasonIsNoReason() {
        let (pipeline, _) = Fixtures.salesPipeline()
        var deal = Fixtures.deal(stage: "spam")
        deal.status = .lost
        let result = Transitions.transition(
            DealSnapshot(deal: deal), .reopen(reason: "\u{200B}\u{00A0}", to: "new_lead"), actor: .user, pipeline: pipeline, fields: FieldCatalog(),
            now: Fixtures.t0)
        guard case .failure(let refusal) = result else {
            Issue.record("an invisible reopen reason was accepted")
            return
        }
        #expect(refusal.violations.map(\.rule) == [.reasonRequired])
    }

    @Test func requiredTextFieldsMustNotBeBlank() {
        let (pipeline, fields) = Fixtures.salesPipeline()
        var deal = Fixtures.deal()
        deal.contact = Fixtures.contact.id
        deal.fields["requirements"] = .string("\u{200B}\u{2060}")
        let result = Transitions.transition(
            DealSnapshot(deal: deal, contact: Fixtures.contact), .move(to: "processing_request", lossComment: nil), actor: .user,
            pipeline: pipeline, fields: fields, now: Fixtures.t0)
        guard case .failure(let refusal) = result else {
            Issue.record("an invisible required field was accepted")
            return
        }
        #expect(refusal.violations.map(\.field) == ["requirements"])
    }

    @Test func aTextFieldValueWithNulIsRefused() throws {
        let (_, fields) = Fixtures.salesPipeline()
        guard case .failure(let refusal) = fields.validate(["subject": .string("Шкаф\u{0}")], entity: .deal) else {
            Issue.record("a text field with NUL was accepted")
            return
        }
        #expect(refusal.violations.map(\.field) == ["fields.subject"])
    }

    @Test func anEmailWithAControlCharacterIsNoEmail() {
        #expect(EmailAddress.normalize("anna\u{0}@example.com") == nil)
        #expect(EmailAddress.normalize(" Anna@Example.com\u{200B}") == "anna@example.com")
    }
}
