import Testing
@testable import Wire

@Suite("HTTP headers")
struct HTTPHeadersTests {
    @Test func editing() {
        var headers = HTTPHeaders([("Host", "a"), ("X", "1"), ("x", "2"), ("Y", "3")])
        #expect(headers.count == 4)
        headers.replaceOrAdd("X", "9")
        #expect(headers.map(\.name) == ["Host", "X", "Y"])
        #expect(headers["x"] == "9")
        headers.replaceOrAdd("New", "n")
        #expect(headers.map(\.name) == ["Host", "X", "Y", "New"])
        headers.add("y", "4")
        #expect(headers.values("Y") == ["3", "4"])
        headers.remove("Y")
        #expect(!headers.contains("y"))
        #expect(headers.count == 3)
        headers.remove("absent")
        #expect(headers.count == 3)
    }

    @Test func lookupsFromAnIndexByPrefixAndInPlace() {
        let headers = HTTPHeaders([("A", "1"), ("Grip-Hold", "stream"), ("a", "3")])
        #expect(headers.firstIndex(of: "a") == 0)
        #expect(headers.firstIndex(of: "A", from: 1) == 2)
        #expect(headers.firstIndex(of: "a", from: 3) == nil)
        #expect(headers.value(at: 2) == "3")
        #expect(headers.containsName(withPrefix: "grip-"))
        #expect(!HTTPHeaders([("Gri", "x"), ("X-Grip-Hold", "y")]).containsName(withPrefix: "grip-"))
        var seen: [String] = []
        headers.forEachField { name, value in seen.append(name + "=" + value) }
        #expect(seen == ["A=1", "Grip-Hold=stream", "a=3"])
    }

    @Test func containsToken() {
        let headers = HTTPHeaders([("Connection", "keep-alive,Upgrade"), ("Connection", " , TE ,"), ("X", "close")])
        #expect(headers.containsToken("upgrade", in: "connection"))
        #expect(headers.containsToken("KEEP-ALIVE", in: "Connection"))
        #expect(headers.containsToken("te", in: "Connection"))
        #expect(!headers.containsToken("close", in: "Connection"))
        #expect(!headers.containsToken("upgrad", in: "Connection"))
        #expect(!headers.containsToken("", in: "Missing"))
        #expect(HTTPHeaders([("A", "")]).containsToken("", in: "A"))
    }

    @Test func iterationYieldsNamedPairsInOrder() {
        let headers: HTTPHeaders = ["A": "1", "B": "2"]
        var seen: [String] = []
        for (name, value) in headers { seen.append(name + "=" + value) }
        #expect(seen == ["A=1", "B=2"])
        #expect(headers[position: 1].name == "B")
        #expect(HTTPHeaders().isEmpty)
    }
}
