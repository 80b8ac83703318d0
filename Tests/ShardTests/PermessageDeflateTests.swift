@testable import Shard
import Testing

@Suite struct PermessageDeflateTests {
    /// "hello hello hello" then "hello again", compressed by Python's zlib (raw deflate,
    /// sync flush, the 00 00 FF FF tail removed) with context kept between the two.
    static let first: [UInt8] = [202, 72, 205, 201, 201, 87, 200, 64, 144, 0, 0]
    static let second: [UInt8] = [130, 48, 19, 211, 19, 51, 243, 0, 0]

    @Test func inflatesMessagesThatShareContext() throws {
        let inflater = try #require(MessageInflater(resetEachMessage: false))
        #expect(inflater.inflate(Self.first, maxBytes: 1000) == Array("hello hello hello".utf8))
        #expect(inflater.inflate(Self.second, maxBytes: 1000) == Array("hello again".utf8))
    }

    @Test func refusesGarbageAndOversizedOutput() throws {
        let inflater = try #require(MessageInflater(resetEachMessage: true))
        #expect(inflater.inflate([0xFF, 0xFF, 0xFF], maxBytes: 1000) == nil)
        #expect(inflater.inflate(Self.first, maxBytes: 5) == nil)
        #expect(inflater.inflate(Self.first, maxBytes: 1000) == Array("hello hello hello".utf8))  // usable again
    }
}
