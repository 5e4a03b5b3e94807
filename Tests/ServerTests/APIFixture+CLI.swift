import Foundation
import Postgres
import PostgresTesting

extension APIFixture {
    /// Runs the `chorus` CLI on the fixture's database: its exit status and standard output.
    func chorus(_ arguments: [String]) async throws -> (Int32, Data) {
        let environment = ChildProcess.environment(databaseURL: try TestDatabase.url(database: configuration.database!))
        let finished = try await ChildProcess.run(arguments, environment: environment)
        return (finished.status, finished.output)
    }
}
