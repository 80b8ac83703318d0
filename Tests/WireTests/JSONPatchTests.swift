import Testing
@testable import Wire

@Suite("JSON Patch (body-patch)")
struct JSONPatchTests {
    func patch(_ body: String, _ operations: String) -> Result<String, JSONPatch.Failure> {
        let ops = (try? JSONValue.parse(operations))?.arrayValue ?? []
        return JSONPatch.patchedBody(Array(body.utf8), ops).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func everyOperation() throws {
        #expect(try patch(#"{"a":1,"b":[1,2]}"#, #"[{"op":"replace","path":"/a","value":2}]"#).get() == #"{"a":2,"b":[1,2]}"#)
        #expect(try patch(#"{"b":[1,2]}"#, #"[{"op":"add","path":"/b/-","value":3},{"op":"add","path":"/b/0","value":0}]"#).get()
            == #"{"b":[0,1,2,3]}"#)
        #expect(try patch(#"{"a":1,"b":2}"#, #"[{"op":"remove","path":"/a"}]"#).get() == #"{"b":2}"#)
        #expect(try patch(#"{"a":{"x":1},"b":{}}"#, #"[{"op":"move","from":"/a/x","path":"/b/y"}]"#).get() == #"{"a":{},"b":{"y":1}}"#)
        #expect(try patch(#"{"a":[1]}"#, #"[{"op":"copy","from":"/a","path":"/c"},{"op":"test","path":"/c/0","value":1}]"#).get()
            == #"{"a":[1],"c":[1]}"#)
        #expect(try patch(#"{"a/b":1,"m~n":2}"#, #"[{"op":"remove","path":"/a~1b"},{"op":"replace","path":"/m~0n","value":3}]"#).get()
            == #"{"m~n":3}"#)
    }

    @Test func keysComeOutSortedAndTheLineBreakStays() throws {
        #expect(try patch("{\"z\":1,\"a\":{\"y\":1,\"b\":2}}\n", "[]").get() == "{\"a\":{\"b\":2,\"y\":1},\"z\":1}\n")
        #expect(try patch("[1]\r\n", #"[{"op":"add","path":"/-","value":2}]"#).get() == "[1,2]\r\n")
    }

    @Test func failures() {
        func fails(_ body: String, _ operations: String) -> Bool {
            if case .failure = patch(body, operations) { return true }
            return false
        }
        #expect(fails("not json", "[]"))
        #expect(fails("5", "[]"))
        #expect(fails(#"{"a":1}"#, #"[{"op":"remove","path":"/b"}]"#))
        #expect(fails(#"{"a":1}"#, #"[{"op":"test","path":"/a","value":2}]"#))
        #expect(fails(#"{"a":1}"#, #"[{"op":"jump","path":"/a"}]"#))
        #expect(fails(#"{"a":1}"#, #"[{"op":"add","path":"a","value":2}]"#))
        #expect(fails(#"{"a":[1]}"#, #"[{"op":"add","path":"/a/5","value":2}]"#))
        #expect(fails(#"{"a":1}"#, #"[{"op":"add","path":"/a/b","value":2}]"#))
        #expect(fails(#"{"a":1}"#, #"[{"op":"remove","path":""}]"#))
    }
}
