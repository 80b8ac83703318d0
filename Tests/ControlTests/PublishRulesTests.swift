import Testing
import Wire

@testable import Control

@Suite struct ResponseFormatTests {
    @Test func absentAcceptMeansText() {
        #expect(ResponseFormat.negotiate(nil) == .text)
    }

    @Test(arguments: ["text/plain", "text/*", "*/*", "*", "TEXT/PLAIN", " text/plain ; q=0.5", "\ttext/*\t"])
    func textTypes(accept: String) {
        #expect(ResponseFormat.negotiate(accept) == .text)
    }

    @Test(arguments: ["application/json", "application/*", "Application/JSON", "application/json; charset=utf-8", " application/* "])
    func jsonTypes(accept: String) {
        #expect(ResponseFormat.negotiate(accept) == .json)
    }

    @Test(arguments: [
        ("text/plain, application/json", ResponseFormat.json),
        ("application/json, text/plain", .text),
        ("application/json, image/png", .json),
        ("text/html, */*;q=0.1", .text),
        ("application/json;q=0.9, text/html", .json),
        ("*/*, application/xml, application/*", .json),
        ("application/json,,text/plain,", .text),
    ])
    func theLastRecognisedTypeWins(accept: String, expected: ResponseFormat) {
        #expect(ResponseFormat.negotiate(accept) == expected)
    }

    @Test(arguments: ["", " ", "text/html", "image/png, application/xml", "text", "application", "text/plainx", ";q=1", ","])
    func nothingRecognisedIsNotAcceptable(accept: String) {
        #expect(ResponseFormat.negotiate(accept) == nil)
    }
}

@Suite struct PublishAuthorizationTests {
    static let key = Array("publish-secret".utf8)
    static let now = 1_700_000_000

    func token(_ claims: [(String, JSONValue)], key: [UInt8] = Self.key) -> String {
        JWT.signHS256(claims: JSONObject(claims), key: key)
    }

    func check(_ header: String?) -> String? {
        PublishAuthorization.check(header, key: Self.key, nowSeconds: Self.now)
    }

    @Test func aValidBearerTokenIsAuthorised() {
        let valid = token([("iss", .string("me")), ("exp", .int(Self.now + 60))])
        #expect(check("Bearer \(valid)") == nil)
        #expect(check("bearer \(valid)") == nil, "the scheme is case-insensitive")
        #expect(check("BEARER   \(valid) \t") == nil, "spaces around the token are ignored")
        #expect(check("Bearer \(token([("exp", .double(Double(Self.now) + 0.5))]))") == nil)
    }

    @Test func missingHeader() {
        #expect(check(nil) == "missing Authorization header")
    }

    @Test(arguments: ["", "Bearer", "Basic dXNlcjpwYXNz", "Token abc", "Bearerabc", "Bearer\tabc"])
    func notABearerToken(header: String) {
        #expect(check(header) == "expected a Bearer token")
    }

    @Test func expiredTokens() {
        #expect(check("Bearer \(token([("exp", .int(Self.now))]))") == "token expired", "exp must be after now")
        #expect(check("Bearer \(token([("exp", .int(Self.now - 1))]))") == "token expired")
    }

    @Test func aTokenWithoutExpiryIsRefused() {
        #expect(check("Bearer \(token([("iss", .string("me"))]))") == "token has no exp claim")
    }

    @Test func aTokenSignedWithAnotherKeyIsRefused() {
        let forged = token([("exp", .int(Self.now + 60))], key: Array("other".utf8))
        #expect(check("Bearer \(forged)") == "invalid token signature")
    }

    @Test func aTamperedPayloadIsRefused() {
        let valid = token([("exp", .int(Self.now + 60))])
        let parts = valid.split(separator: ".").map(String.init)
        let payload = Base64.encodeURL(Array(#"{"exp":99999999999}"#.utf8))
        #expect(check("Bearer \(parts[0]).\(payload).\(parts[2])") == "invalid token signature")
    }

    @Test(arguments: [#"{"alg":"none","typ":"JWT"}"#, #"{"alg":"HS512"}"#, #"{"alg":"RS256"}"#])
    func otherAlgorithmsAreRefused(header: String) {
        let claims = Base64.encodeURL(Array(#"{"exp":99999999999}"#.utf8))
        let unsigned = Base64.encodeURL(Array(header.utf8)) + "." + claims + "."
        #expect(check("Bearer \(unsigned)") == "token algorithm must be HS256")
    }

    @Test(arguments: ["abc", "a.b", "a.b.c.d", "!!.!!.!!", "..", "eyJhbGciOiJIUzI1NiJ9.e30"])
    func malformedTokens(bad: String) {
        #expect(check("Bearer \(bad)") == "malformed token")
    }

    @Test func aNonNumericExpiryIsMalformed() {
        #expect(check("Bearer \(token([("exp", .string("tomorrow"))]))") == "malformed token")
    }
}

@Suite struct TrimmingTests {
    @Test func trimsOnlyTheGivenCharactersAtBothEnds() {
        #expect(" \t a b \t ".trimmingCharacters(in: " \t") == "a b")
        #expect("xxaxx"[...].trimmingCharacters(in: "x") == "a")
        #expect("".trimmingCharacters(in: " ") == "")
        #expect("   ".trimmingCharacters(in: " ") == "")
        #expect("\na\n".trimmingCharacters(in: " \t") == "\na\n")
    }
}
