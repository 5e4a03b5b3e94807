import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basics plus the peer address (per-IP limits).
public struct ChorusContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
