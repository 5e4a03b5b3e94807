import Foundation
import Postgres
import PostgresTesting
import Testing

@Suite("Postgres types round trip (integration)")
struct TypeRoundTripTests {
    struct Payload: Codable, Equatable, Sendable {
        var name: String
        var tags: [String]
        var score: Double
    }

    @Test func everyTypeRoundTripsWithNulls() async throws {
        try await TestDatabase.withDatabase { client, _ in
            try await client.query(
                """
                CREATE TABLE everything (
                    id serial PRIMARY KEY, b boolean, i bigint, small integer, d double precision,
                    n numeric, t text, ts timestamptz, u uuid, j jsonb, bin bytea, arr text[]
                )
                """
            )
            let uuid = UUID()
            let date = Date(timeIntervalSince1970: 1_795_000_000.123456)
            let payload = Payload(name: "Niño 🚸", tags: ["a", "b \"c\""], score: 0.25)
            let bytes = Data([0, 1, 2, 254, 255])
            let decimal = Decimal(string: "12345678901234567890.0123456789")!
            let texts = ["", "héllo wörld — ñandú", "emoji 👩‍👧‍👦🎒", "'); DROP TABLE everything; --"]
            let array = ["plain", "", "with,comma", "with \"quotes\" and \\ backslash", "NULL", "{braces}", "ñ 🎒"]
            for text in texts {
                try await client.query(
                    """
                    INSERT INTO everything (b, i, small, d, n, t, ts, u, j, bin, arr)
                    VALUES (\(true), \(Int.max), \(Int32(-7)), \(3.141592653589793), \(decimal), \(text), \(date),
                            \(uuid), \(PostgresJSON(payload)), \(bytes), \(array))
                    """
                )
            }
            let nothing: String? = nil
            try await client.query("INSERT INTO everything (t) VALUES (\(nothing))")

            let rows = try await client.query("SELECT b, i, small, d, n, t, ts, u, j, bin, arr FROM everything ORDER BY id")
            #expect(rows.count == texts.count + 1)
            for (row, text) in zip(rows, texts) {
                #expect(try row.decode(Bool.self, column: "b") == true)
                #expect(try row.decode(Int.self, column: "i") == Int.max)
                #expect(try row.decode(Int64.self, column: "i") == Int64.max)
                #expect(try row.decode(Int32.self, column: "small") == -7)
                #expect(try row.decode(Double.self, column: "d") == 3.141592653589793)
                #expect(try row.decode(Decimal.self, column: "n") == decimal)
                #expect(try row.decode(String.self, column: "t") == text)
                let decodedDate = try row.decode(Date.self, column: "ts")
                #expect(abs(decodedDate.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
                #expect(try row.decode(UUID.self, column: "u") == uuid)
                #expect(try row.decode(PostgresJSON<Payload>.self, column: "j").value == payload)
                #expect(try row.decode(Data.self, column: "bin") == bytes)
                #expect(try row.decode([String].self, column: "arr") == array)
            }
            let nullRow = try #require(Array(rows).last)
            #expect(try nullRow.decode(String?.self, column: "t") == nil)
            #expect(try nullRow.decode(Int?.self, column: "i") == nil)
            #expect(try nullRow.decode(Bool?.self, column: "b") == nil)
            #expect(try nullRow.decode(Date?.self, column: "ts") == nil)
            #expect(try nullRow.decode(UUID?.self, column: "u") == nil)
            #expect(try nullRow.decode(Data?.self, column: "bin") == nil)
            #expect(try nullRow.decode([String]?.self, column: "arr") == nil)
            #expect(try nullRow.decode(PostgresJSON<Payload>?.self, column: "j") == nil)
            #expect(throws: PostgresError.self) { try nullRow.decode(String.self, column: "t") }
        }
    }

    @Test func injectionTextIsStoredVerbatim() async throws {
        try await TestDatabase.withDatabase { client, _ in
            try await client.query("CREATE TABLE x (v text)")
            let hostile = "'); DROP TABLE x; --"
            try await client.query("INSERT INTO x (v) VALUES (\(hostile))")
            let rows = try await client.query("SELECT v FROM x WHERE v = \(hostile)")
            #expect(try rows.first?.decode(String.self, at: 0) == hostile)
            #expect(try await client.query("SELECT count(*) FROM x").first?.decode(Int.self, at: 0) == 1)
        }
    }

    @Test func specialDoublesAndDates() async throws {
        try await TestDatabase.withDatabase { client, _ in
            let row = try #require(
                try await client.query(
                    "SELECT \(Double.infinity)::float8, \(-Double.infinity)::float8, \(Double.nan)::float8, \(Date(timeIntervalSince1970: -86_400 * 365.25 * 30))::timestamptz, '2026-02-03'::date"
                ).first
            )
            #expect(try row.decode(Double.self, at: 0) == .infinity)
            #expect(try row.decode(Double.self, at: 1) == -.infinity)
            #expect(try row.decode(Double.self, at: 2).isNaN)
            #expect(try row.decode(Date.self, at: 3).timeIntervalSince1970 == -86_400 * 365.25 * 30)
            #expect(try row.decode(Date.self, at: 4) == Date(timeIntervalSince1970: 1_770_076_800))
        }
    }

    @Test func typeMismatchNamesTheColumn() async throws {
        try await TestDatabase.withDatabase { client, _ in
            let row = try #require(try await client.query("SELECT 'abc'::text AS school_code, 5 AS n").first)
            let error = try #require(throws: PostgresError.self) { try row.decode(Int.self, column: "school_code") }
            #expect(error.code == .decoding)
            #expect(error.column == "school_code")
            #expect(error.description.contains("school_code"))
            #expect(throws: PostgresError.self) { try row.decode(String.self, column: "n") }
            #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "missing") }
        }
    }

    @Test func tupleDecoding() async throws {
        try await TestDatabase.withDatabase { client, _ in
            let row = try #require(try await client.query("SELECT 1::int, 'two', NULL::text").first)
            let (one, two, three) = try row.decode((Int, String, String?).self)
            #expect(one == 1 && two == "two" && three == nil)
        }
    }

    @Test func nulCharactersAreRefusedNotTruncated() async throws {
        try await TestDatabase.withDatabase { client, _ in
            let error = try await #require(throws: PostgresError.self) {
                try await client.query("SELECT \("abc\u{0}def")")
            }
            #expect(error.code == .invalidQuery)
            // The connection stays usable.
            #expect(try await client.query("SELECT 1").count == 1)
        }
    }
}

@Suite("PostgresQuery composition")
struct PostgresQueryCompositionTests {
    @Test func fragmentsAreRenumbered() {
        let low = 3
        let high = 9
        let range: PostgresQuery = "n BETWEEN \(low) AND \(high)"
        let name = "x"
        let query: PostgresQuery = "SELECT * FROM t WHERE name = \(name) AND \(range) AND id > \(10)"
        #expect(query.sql == "SELECT * FROM t WHERE name = $1 AND n BETWEEN $2 AND $3 AND id > $4")
        #expect(query.binds.count == 4)
        #expect(query.binds[1] == low.postgresBind && query.binds[3] == 10.postgresBind)
    }
}
