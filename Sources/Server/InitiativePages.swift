import Engagement
import Foundation
import Hummingbird

/// The public page of an initiative, "you said, we did" (issue 17, build 6): no sign-in, in
/// every language. Its goal and status, milestones, the updates staff posted (each with the
/// themes and published comments it answers), the comments published with their replies, and a
/// summary of the scorecard with the same small-cell suppression (response time too: fewer
/// than ten cases show no figure). An Atom feed carries the updates.
extension WebPages {
    func addInitiativePageRoutes(to router: Router<ChorusContext>) {
        let pages = router.group().add(middleware: PageHeadersMiddleware())
        pages.get("/initiatives/:slug") { request, context in
            try await initiativePage(request, slug: try context.parameters.require("slug"))
        }
        pages.get("/initiatives/:slug/updates.atom") { request, context in
            try await initiativeFeed(request, slug: try context.parameters.require("slug"))
        }
    }

    func publicInitiative(_ slug: String) async throws -> Initiative? {
        // Only shapes a slug can have reach the database.
        guard (1...100).contains(slug.utf8.count), slug.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }) else {
            return nil
        }
        return try await database.connection { try await ReferenceData().allInitiatives(on: $0) }.first { $0.slug == slug }
    }

    func initiativePage(_ request: Request, slug: String) async throws -> Response {
        let language = try await pageLanguage(request)
        let t = language.strings
        guard let initiative = try await publicInitiative(slug) else { return try await notFound(request, language) }
        let (milestones, updates, comments, goals, card) = try await database.snapshot { db in
            let clock = try await DistrictClock.current(on: db)
            let year = clock.schoolYear(containing: Date())
            return (
                try await InitiativeReports().milestones(initiativeID: initiative.id, on: db),
                try await InitiativeReports().updates(initiativeID: initiative.id, on: db),
                try await InitiativeReports().publishedComments(initiativeID: initiative.id, on: db),
                try await ReferenceData().goals(on: db),
                try await Scorecards().scorecard(.init(initiativeID: initiative.id, from: year.from, to: year.to), on: db)
            )
        }
        let minimum = Scorecard.minimumCell
        let fewer = t[text: "public_fewer_than"].replacingOccurrences(of: "{n}", with: language.number(minimum))
        let themes = card.themes.filter { $0.count >= minimum }.prefix(5)
        let responsiveness = card.responsiveness?.overall
        let respondedEnough = (responsiveness?.cases ?? 0) >= minimum
        func themeAnchor(_ name: String) -> String { "theme-" + name.filter { $0.isLetter || $0.isNumber || $0 == "-" } }
        let view: [String: Any] = [
            "title": language.text(initiative.title).text, "initiativeTitle": language.view(initiative.title),
            "description": initiative.description.texts.isEmpty ? false : language.view(initiative.description),
            "goal": goals.first { $0.id == initiative.goalID }.map { language.view($0.title) } ?? false,
            "status": t[text: "status_\(initiative.status)"], "slug": initiative.slug,
            "milestones": milestones.map { milestone -> [String: Any] in
                [
                    "title": language.view(milestone.title), "percent": milestone.percentComplete,
                    "due": milestone.dueOn.map { language.day($0) } ?? false,
                ]
            },
            "hasMilestones": !milestones.isEmpty,
            "updates": updates.map { update -> [String: Any] in
                [
                    "id": update.id, "title": language.view(update.title), "body": language.view(update.body),
                    "posted": language.day(update.postedAt),
                    "themes": update.themes.map { ["name": $0, "anchor": themeAnchor($0)] },
                    "hasThemes": !update.themes.isEmpty,
                    "comments": comments.filter { update.caseIDs.contains($0.caseID) }.map { ["comment": $0.comment, "lang": $0.language] },
                ]
            },
            "hasUpdates": !updates.isEmpty,
            "published": comments.map {
                ["id": $0.caseID, "comment": $0.comment, "lang": $0.language, "reply": $0.reply, "when": language.day($0.repliedAt)]
            },
            "hasPublished": !comments.isEmpty,
            "reach": card.reach.participants.map { language.number($0) } ?? fewer,
            "voice": language.number(card.voice.responses + card.voice.feedback),
            "sentiment": card.sentiment.overall.meanCompound.map { String(format: "%+.2f", $0) } ?? fewer,
            "topThemes": themes.map { ["name": $0.name, "count": language.number($0.count), "anchor": themeAnchor($0.name)] },
            "hasThemes": !themes.isEmpty,
            "themesNone": fewer,
            "median": respondedEnough ? responsiveness?.medianHoursToFirstResponse.map { String(format: "%.0f h", $0) } ?? "—" : fewer,
            "within": respondedEnough
                ? responsiveness?.withinTargetShare.map { String(format: "%.0f%%", $0 * 100) } ?? "—" : fewer,
            "targetHours": language.number(card.responsiveness?.targetHours ?? 48),
        ]
        return try await page("initiative-public", view, request: request, language: language)
    }

    /// Atom (RFC 4287) of the initiative's updates in the page's language.
    func initiativeFeed(_ request: Request, slug: String) async throws -> Response {
        let language = try await pageLanguage(request)
        guard let initiative = try await publicInitiative(slug) else { return try await notFound(request, language) }
        let updates = try await database.connection { try await InitiativeReports().updates(initiativeID: initiative.id, on: $0) }
        let base = "\(request.head.scheme ?? "http")://\(request.head.authority ?? "localhost")"
        let page = "\(base)/initiatives/\(initiative.slug)?lang=\(language.code)"
        let stamp = ISO8601DateFormatter()
        func x(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(x(language.code))">
            <id>\(x(page))</id>
            <title>\(x(language.text(initiative.title).text))</title>
            <updated>\(stamp.string(from: updates.first?.postedAt ?? Date(timeIntervalSince1970: 0)))</updated>
            <author><name>\(x(language.district.name))</name></author>
            <link rel="alternate" type="text/html" href="\(x(page))"/>
            <link rel="self" type="application/atom+xml" href="\(x("\(base)/initiatives/\(initiative.slug)/updates.atom?lang=\(language.code)"))"/>

            """
        for update in updates {
            xml += """
                <entry>
                <id>\(x("\(page)#update-\(update.id)"))</id>
                <title>\(x(language.text(update.title).text))</title>
                <updated>\(stamp.string(from: update.postedAt))</updated>
                <link rel="alternate" type="text/html" href="\(x("\(page)#update-\(update.id)"))"/>
                \(update.themes.map { "<category term=\"\(x($0))\"/>" }.joined())
                <content type="text">\(x(language.text(update.body).text))</content>
                </entry>

                """
        }
        xml += "</feed>\n"
        var headers = HTTPFields()
        headers[.contentType] = "application/atom+xml; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: xml)))
    }
}
