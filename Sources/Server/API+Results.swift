import Crypto
import Engagement
import Foundation
import OpenAPIRuntime

extension API {
    static func resultsQuery(_ surveyID: Int64, _ query: Operations.GetSurveyResults.Input.Query) -> ResultsQuery {
        ResultsQuery(
            surveyID: surveyID,
            from: query.from,
            to: query.to,
            schoolID: query.schoolId,
            cluster: query.cluster,
            group: query.group?.domain,
            language: query.language,
            by: query.by.flatMap { ResultsQuery.Dimension(rawValue: $0.rawValue) }
        )
    }

    /// The results JSON exactly as the CLI prints it, and its ETag.
    static func resultsBody(_ results: SurveyResults) throws -> (Data, String) {
        let data = try SurveyResults.encoder.encode(results)
        return (data, "\"" + SHA256.hash(data: data).prefix(16).map { String(format: "%02x", $0) }.joined() + "\"")
    }

    func getSurveyResults(_ input: Operations.GetSurveyResults.Input) async throws -> Operations.GetSurveyResults.Output {
        let request = Self.resultsQuery(input.path.surveyId, input.query)
        let (data, etag) = try await scorecardDatabase.snapshot { db in
            try Self.resultsBody(try await Results().results(request, on: db))
        }
        if input.headers.ifNoneMatch == etag { return .notModified(.init()) }
        let body = try JSONDecoder().decode(Components.Schemas.SurveyResults.self, from: data)
        return .ok(.init(headers: .init(eTag: etag), body: .json(body)))
    }
}
