import Engagement
import Foundation

/// CSV sign-in sheets, uploaded or pasted by liaisons and imported by `chorus import`.
extension FuzzTarget {
    static let sheet = FuzzTarget(name: "sheet") { bytes in
        _ = try? SignInSheet(stream: InputStream(data: Data(bytes)))
    }
}
