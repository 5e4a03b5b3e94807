import Engagement
import Foundation
import FoundationXML
import HTTPTypes
import Postgres
import Testing

@testable import Server

/// Issue 17, A4 (without the browser part): the public initiative page shows milestones, updates
/// with their linked themes and published comments, suppresses small figures, and its Atom feed
/// parses; followers are emailed an update; bad slugs are a friendly 404.
@Suite("Public initiative pages and their feed (HTTP + PostgreSQL)")
struct InitiativePageTests {
    @Test func youSaidWeDidWithSuppressionAndAValidFeed() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let actor = Audit.Actor.command("test")
            let receipt = try await api.database.withTransaction {
                try await Submissions().submitFeedback(
                    .init(
                        initiativeID: seed.initiative,
                        schoolID: nil,
                        group: .families,
                        language: "es",
                        comment: "El wifi <no> funciona en la biblioteca",
                        contact: .init(email: "sigue@example.org", consent: true),
                        followUpdates: true
                    ),
                    on: $0
                )
            }
            let caseID = try await api.database.query("SELECT id FROM cases WHERE source_id = \(receipt.id) AND source = 'feedback'").one()
                .decode(Int64.self, at: 0)
            let reports = InitiativeReports()
            try await api.database.withTransaction { db in
                _ = try await Cases().reply(caseID, "Cambiamos los routers en marzo.", publish: true, scope: .everything, actor: actor, on: db)
                let milestone = try await reports.addMilestone(
                    initiativeID: seed.initiative,
                    title: Translated(["en": "New routers", "es": "Routers nuevos"]),
                    dueOn: "2027-03-01",
                    percent: 40,
                    actor: actor,
                    on: db
                )
                #expect(try await reports.progress(milestone, initiativeID: seed.initiative, percent: 40, actor: actor, on: db) == 0)
                #expect(try await reports.progress(milestone, initiativeID: seed.initiative, percent: 60, actor: actor, on: db) == 1)
                try await reports.post(
                    initiativeID: seed.initiative,
                    title: Translated(["en": "Faster wifi", "es": "Wifi más rápido"]),
                    body: Translated(["en": "Every library has new routers & cables.", "es": "Cada biblioteca tiene routers nuevos."]),
                    themes: ["wifi"],
                    caseIDs: [caseID],
                    actor: actor,
                    on: db
                )
                // A case not published, or of another initiative, cannot be linked.
                await #expect(throws: EngagementError.self) {
                    try await reports.post(
                        initiativeID: seed.initiative,
                        title: Translated(["en": "x"]),
                        body: Translated(["en": "y"]),
                        themes: [],
                        caseIDs: [999_999],
                        actor: actor,
                        on: db
                    )
                }
            }
            // The follower hears of the milestone and the update, in Spanish.
            #expect(try await api.count("outbox WHERE purpose = 'updates' AND language = 'es'") == 2)
            let slug = try await api.database.query("SELECT slug FROM initiatives WHERE id = \(seed.initiative)").one().decode(String.self, at: 0)
            var visitor = Visitor(api: api)
            let page = try await visitor.get("/initiatives/\(slug)?lang=es")
            #expect(page.status == .ok)
            let html = page.html
            #expect(html.contains("Routers nuevos") && html.contains("60%") && html.contains("value=\"60\""))
            #expect(html.contains("Wifi más rápido") && html.contains("href=\"#theme-wifi\""))
            #expect(html.contains("El wifi &lt;no&gt; funciona") && html.contains("Cambiamos los routers en marzo."))
            // One person, one comment: reach, sentiment and response time are not shown.
            #expect(html.contains("<dd id=\"summary-reach\">No se muestra (menos de 10)</dd>"))
            #expect(html.contains("<dd id=\"summary-median\">No se muestra (menos de 10)</dd>"))
            #expect(!html.contains("sigue@example.org"))

            let feed = try await visitor.get("/initiatives/\(slug)/updates.atom?lang=en")
            #expect(feed.status == .ok)
            let parsed = try FeedReader.parse(Data(feed.html.utf8))
            #expect(parsed.titles == ["Faster wifi"] && parsed.contents == ["Every library has new routers & cables."])
            #expect(parsed.categories == ["wifi"] && parsed.root == "feed")

            #expect(try await visitor.get("/initiatives/no-such-thing?lang=en").status == .notFound)
            #expect(try await visitor.get("/initiatives/%00%27;DROP?lang=en").status == .notFound)
            #expect(try await visitor.get("/initiatives/\(String(repeating: "a", count: 5000))/updates.atom").status == .notFound)
        }
    }
}

/// Reads an Atom document with Foundation's XML parser: the feed must be well-formed XML.
final class FeedReader: NSObject, XMLParserDelegate {
    var root: String?
    var titles: [String] = []
    var contents: [String] = []
    var categories: [String] = []
    var path: [String] = []
    var text = ""

    static func parse(_ data: Data) throws -> FeedReader {
        let reader = FeedReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.coderReadCorrupt) }
        return reader
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:])
    {
        if root == nil { root = name }
        if name == "category", let term = attributes["term"] { categories.append(term) }
        path.append(name)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if path.suffix(2) == ["entry", "title"] { titles.append(text) }
        if path.suffix(2) == ["entry", "content"] { contents.append(text) }
        path.removeLast()
    }
}
