import Crypto
import Engagement
import Foundation
import OpenAPIRuntime

extension API {
    /// The query from the common parameters: a named period (default: this school year) unless
    /// from/to are given; both bounds are needed together.
    static func scorecardQuery(
        initiativeID: Int64?,
        period: String?,
        from: Date?,
        to: Date?,
        schoolID: Int64?,
        cluster: String?,
        group: Components.Schemas.StakeholderGroup?,
        clock: DistrictClock
    ) throws -> ScorecardQuery {
        var range = try ScorecardQuery.period(named: period, clock: clock)
        if from != nil || to != nil {
            guard let from, let to else { throw EngagementError.invalid(from == nil ? "from" : "to", "give both from and to") }
            range = (from, to)
        }
        return ScorecardQuery(
            initiativeID: initiativeID,
            from: range.from,
            to: range.to,
            schoolID: schoolID,
            cluster: cluster,
            group: group?.domain,
            clock: clock
        )
    }

    /// The scorecard JSON exactly as the CLI prints it, and its ETag.
    static func scorecardBody<T: Encodable>(_ value: T) throws -> (Data, String) {
        let data = try Scorecard.encoder.encode(value)
        let etag = "\"" + SHA256.hash(data: data).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        return (data, etag)
    }

    func getScorecard(_ input: Operations.GetScorecard.Input) async throws -> Operations.GetScorecard.Output {
        let query = input.query
        let request = try Self.scorecardQuery(
            initiativeID: input.path.initiativeId,
            period: query.period?.rawValue,
            from: query.from,
            to: query.to,
            schoolID: query.schoolId,
            cluster: query.cluster,
            group: query.group,
            clock: try await scorecardDatabase.snapshot { try await DistrictClock.current(on: $0) }
        )
        let (data, etag) = try await scorecardJSON(request) {
            try Self.scorecardBody(try await Scorecards().scorecard(request, on: $0))
        }
        if input.headers.ifNoneMatch == etag { return .notModified(.init()) }
        let body = try JSONDecoder().decode(Components.Schemas.Scorecard.self, from: data)
        return .ok(.init(headers: .init(eTag: etag), body: .json(body)))
    }

    /// The scorecard JSON, computed in one REPEATABLE READ snapshot and handed to
    /// ScorecardCacheMiddleware, which answers with these bytes; a rollup scorecard is marked for
    /// it to keep until something it is computed from changes.
    func scorecardJSON(
        _ request: ScorecardQuery,
        compute: @Sendable @escaping (Store.Connection) async throws -> (Data, String)
    ) async throws -> (Data, String) {
        // Read only by the middleware, which has no cache when scorecards come from a replica.
        if Scorecards().usesRollups(request) { CacheMark.current?.markCacheable() }
        let (data, etag) = try await scorecardDatabase.snapshot(compute)
        CacheMark.current?.answer(data)
        return (data, etag)
    }

    func listScorecards(_ input: Operations.ListScorecards.Input) async throws -> Operations.ListScorecards.Output {
        let query = input.query
        let request = try Self.scorecardQuery(
            initiativeID: nil,
            period: query.period?.rawValue,
            from: query.from,
            to: query.to,
            schoolID: query.schoolId,
            cluster: query.cluster,
            group: query.group,
            clock: try await scorecardDatabase.snapshot { try await DistrictClock.current(on: $0) }
        )
        let ascending = query.sort == .indexAsc
        let (data, etag) = try await scorecardJSON(request) {
            try Self.scorecardBody(["items": try await Scorecards().all(request, ascending: ascending, on: $0)])
        }
        if input.headers.ifNoneMatch == etag { return .notModified(.init()) }
        let items = try JSONDecoder().decode(Operations.ListScorecards.Output.Ok.Body.JsonPayload.self, from: data)
        return .ok(.init(headers: .init(eTag: etag), body: .json(items)))
    }
}
