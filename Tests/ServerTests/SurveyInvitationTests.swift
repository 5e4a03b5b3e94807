import Engagement
import Foundation
import HTTPTypes
import Postgres
import PostgresTesting
import Testing

/// Issue 16, build 7 and A4: invitations to a survey from an uploaded contact list, each with its
/// own link (read from the email the loopback SMTP server received), answered through the web
/// form; reminders to those who have not answered; for an anonymous survey nothing links an
/// invitation to a response while the rate is right, for a named one the response is linked.
@Suite("Survey invitations (HTTP + PostgreSQL + msmtp + a loopback SMTP server)")
struct SurveyInvitationTests {
    static let texts = MessageTexts { template, language in
        let table: [String: MessageText] = [
            "survey_invitation": .init(subject: "Please answer {survey}", body: "{survey_link}"),
            "survey_reminder": .init(subject: "Reminder: {survey}", body: "{survey_link}"),
            "footer": .init(subject: "", body: "{district}. Stop: {unsubscribe_link}"),
        ]
        return language == "en" ? table[template] : nil
    }

    static let list = """
        Email,Name,Language,Consent
        ana@example.org,Ana,en,yes
        ben@example.org,Ben,,yes
        cy@example.org,Cy,en,no
        """

    /// Invites the list to the seed survey, delivers the invitations, and returns each person's link.
    func invite(_ api: APIFixture, _ sink: SMTPSink, survey: Int64) async throws -> [String: String] {
        let (contacts, withoutConsent) = try SurveyInvitations.contacts(csv: Self.list)
        #expect(contacts.map(\.email) == ["ana@example.org", "ben@example.org"] && withoutConsent == 1)
        let invited = try await api.database.withTransaction {
            try await SurveyInvitations().invite(surveyID: survey, contacts, defaultLanguage: "en", actor: .command("test"), on: $0)
        }
        #expect(invited == 2)
        // A second upload of the same list invites nobody twice.
        #expect(
            try await api.database.withTransaction {
                try await SurveyInvitations().invite(surveyID: survey, contacts, defaultLanguage: "en", actor: .command("test"), on: $0)
            } == 0
        )
        try await deliver(api, sink)
        var links: [String: String] = [:]
        for mail in try await sink.wait(for: 2) {
            links[mail.recipients[0]] = mail.link(startingWith: "https://chorus.district.example/surveys/\(survey)?invitation=")
        }
        #expect(links.count == 2 && links.values.allSatisfy { $0.contains("&lang=en") })
        return links
    }

    func deliver(_ api: APIFixture, _ sink: SMTPSink) async throws {
        let delivery = MessageDelivery(
            database: api.database,
            configuration: .init(
                mail: Msmtp(settings: try .init(url: sink.url, from: "chorus@district.example", replyTo: nil)),
                publicURL: "https://chorus.district.example",
                texts: Self.texts
            )
        )
        let ids = try await api.database.query("SELECT id FROM outbox WHERE state = 'pending' ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
        for id in ids { try await delivery.deliver(id) }
    }

    /// Answers the survey from an invitation's link, as a family's browser would.
    func answer(_ api: APIFixture, _ seed: APIFixture.Seed, link: String) async throws -> Visitor.Page {
        var visitor = Visitor(api: api)
        let path = String(link.dropFirst("https://chorus.district.example".count))
        let page = try await visitor.get(path)
        let token = String(path.split(separator: "invitation=")[1].split(separator: "&")[0])
        #expect(page.html.contains(#"<input type="hidden" name="invitation" value="\#(token)">"#))
        return try await visitor.post(
            "/surveys/\(seed.survey)?lang=en",
            [("csrf", try await visitor.token()), ("q\(seed.questions[0])", "4"), ("group", "families"), ("invitation", token)]
        )
    }

    func count(_ api: APIFixture, _ sql: PostgresQuery) async throws -> Int {
        try await api.database.query(sql).one().decode(Int.self, at: 0)
    }

    @Test func anAnonymousSurveyCountsWhoAnsweredButNothingLinksTheAnswers() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        try await withAPI { api in
            let seed = try await api.seed()
            try await api.database.query("UPDATE surveys SET anonymous = true WHERE id = \(seed.survey)")
            let links = try await invite(api, sink, survey: seed.survey)
            let ana = try #require(links["ana@example.org"])
            let reply = try await answer(api, seed, link: ana)
            #expect(reply.status == .ok && reply.html.contains(#"class="receipt""#))
            // The same link again: already answered, nothing stored.
            let again = try await answer(api, seed, link: ana)
            #expect(again.status == .conflict && again.html.contains("You have already answered"))
            #expect(try await count(api, "SELECT count(*) FROM responses") == 1)
            let rate = try await api.database.withConnection { try await SurveyInvitations().rate(surveyID: seed.survey, on: $0) }
            #expect(rate == .init(invited: 2, responded: 1))

            // A4: no column joins the two tables, either way; the invitation keeps no answer time;
            // the response names nobody; not even the rows' transaction ids match.
            let joining = try await count(
                api,
                """
                SELECT count(*) FROM information_schema.columns
                WHERE (table_name IN ('responses', 'answers') AND column_name LIKE '%invitation%')
                   OR (table_name = 'survey_invitations' AND (column_name LIKE '%response%' OR column_name LIKE '%answer%'))
                """
            )
            #expect(joining == 0)
            let keys = try await count(
                api,
                """
                SELECT count(*) FROM pg_constraint
                WHERE contype = 'f' AND ((conrelid = 'survey_invitations'::regclass AND confrelid IN ('responses'::regclass, 'answers'::regclass))
                   OR (confrelid = 'survey_invitations'::regclass))
                """
            )
            #expect(keys == 0)
            let times = try await api.database.query(
                """
                SELECT column_name::text FROM information_schema.columns
                WHERE table_name = 'survey_invitations' AND data_type LIKE 'timestamp%' ORDER BY 1
                """
            ).map { try $0.decode(String.self, at: 0) }
            #expect(times == ["created_at"])
            #expect(try await count(api, "SELECT count(*) FROM responses WHERE participant_id IS NOT NULL") == 0)
            #expect(try await count(api, "SELECT count(*) FROM responses r JOIN survey_invitations i ON r.xmin::text = i.xmin::text") == 0)

            // Reminders go to Ben only, at most three times.
            let remind = {
                try await api.database.withTransaction {
                    try await SurveyInvitations().remind(surveyID: seed.survey, actor: .command("test"), on: $0)
                }
            }
            #expect(try await remind() == 1)
            try await deliver(api, sink)
            let mails = try await sink.wait(for: 3)
            #expect(mails.last?.subject.hasPrefix("Reminder:") == true && mails.last?.recipients == ["ben@example.org"])
            #expect(try await remind() == 1)
            #expect(try await remind() == 1)
            #expect(try await remind() == 0)
        }
    }

    @Test func aNamedSurveysResponseIsLinkedToTheInvitedPerson() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        try await withAPI { api in
            let seed = try await api.seed()
            #expect(try await count(api, "SELECT count(*) FROM surveys WHERE NOT anonymous") == 1)  // the seed's is named
            let links = try await invite(api, sink, survey: seed.survey)
            #expect(try await answer(api, seed, link: try #require(links["ben@example.org"])).status == .ok)
            let linked = try await count(
                api,
                """
                SELECT count(*) FROM responses r JOIN participant_contacts c ON c.participant_id = r.participant_id
                WHERE c.email = 'ben@example.org'
                """
            )
            #expect(linked == 1)
            // A forged token is an open link: the response counts, linked to nobody.
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/surveys/\(seed.survey)")
            let forged = try await visitor.post(
                "/surveys/\(seed.survey)?lang=en",
                [
                    ("csrf", try await visitor.token()), ("q\(seed.questions[0])", "3"), ("group", "families"),
                    ("invitation", "1-AAAAAAAAAAAAAAAAAAAAAA"),
                ]
            )
            #expect(forged.status == .ok)
            #expect(try await count(api, "SELECT count(*) FROM responses WHERE participant_id IS NULL") == 1)
            #expect(try await api.database.withConnection { try await SurveyInvitations().rate(surveyID: seed.survey, on: $0) }.responded == 1)
        }
    }

    @Test func aListWithoutAConsentColumnOrWithABadRowIsRefusedWhole() {
        #expect(throws: SignInSheet.Rejected.self) { try SurveyInvitations.contacts(csv: "email\nana@example.org\n") }
        do {
            _ = try SurveyInvitations.contacts(csv: "email,consent\nana@example.org,yes\nnot-an-email,yes\n,yes\n")
            Issue.record("a bad row was accepted")
        } catch let rejected as SignInSheet.Rejected {
            #expect(rejected.errors.map(\.line) == [3, 4])
        } catch {
            Issue.record("\(error)")
        }
    }
}
