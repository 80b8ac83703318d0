import Hub
import Testing
import Wire

@testable import Shard

@Suite struct GripSignerTests {
    @Test func tokensVerifyWithTheKeyAndCarryIssuerAndAnHourOfLife() throws {
        let signer = GripSigner()
        let key = Array("changeme".utf8)
        let now = Clock.wallSeconds()
        let token = signer.token(issuer: "pushpin", key: key)
        let claims = try JWT.verifyHS256(token, key: key, now: now).get()
        #expect(claims["iss"] == .string("pushpin"))
        let expiry = try #require(claims["exp"]?.intValue)
        #expect((now + GripSigner.lifetimeSeconds...now + GripSigner.lifetimeSeconds + 2).contains(expiry))
    }

    @Test func aTokenIsReusedForTheSameIssuerAndKey() {
        let signer = GripSigner()
        let key = Array("k".utf8)
        #expect(signer.token(issuer: "a", key: key) == signer.token(issuer: "a", key: key))
    }

    @Test func issuersAndKeysGetTheirOwnTokens() {
        let signer = GripSigner()
        let now = Clock.wallSeconds()
        let one = signer.token(issuer: "a", key: Array("k1".utf8))
        let other = signer.token(issuer: "b", key: Array("k1".utf8))
        let third = signer.token(issuer: "a", key: Array("k2".utf8))
        #expect(Set([one, other, third]).count == 3)
        #expect((try? JWT.verifyHS256(third, key: Array("k2".utf8), now: now).get()) != nil)
    }

    @Test func manyIssuersDoNotBreakTheCache() {
        let signer = GripSigner()
        let key = Array("k".utf8)
        let now = Clock.wallSeconds()
        for index in 0..<200 {
            let token = signer.token(issuer: "iss\(index)", key: key)
            #expect((try? JWT.verifyHS256(token, key: key, now: now).get())?["iss"] == .string("iss\(index)"))
        }
    }

    /// Keys from `base64:` sig_key values are arbitrary bytes; the cache key decodes them as
    /// UTF-8, so two keys that differ only in invalid bytes share one cache entry.
    @Test func binaryKeysThatAreNotUTF8GetTheirOwnTokens() {
        let signer = GripSigner()
        let first: [UInt8] = [0x80, 0x61]
        let second: [UInt8] = [0x81, 0x61]
        _ = signer.token(issuer: "a", key: first)
        let token = signer.token(issuer: "a", key: second)
        #expect((try? JWT.verifyHS256(token, key: second, now: Clock.wallSeconds()).get()) != nil)
    }
}
