import HTTPTypes
import Hummingbird

/// Echoes the request id (Hummingbird puts it on every log line of the request as
/// `hb.request.id`) in an `X-Request-ID` response header, errors included, so a report from a
/// user can be matched to the logs.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        return response
    }
}
