import Testing
import Wire

@Suite("Command socket RPC")
struct CommandRPCTests {
    @Test func parsesARequest() throws {
        let bytes = TnetstringEncoder.encode(.dict([
            ("id", .string("r1")), ("method", .string("get-zmq-uris")), ("args", .dict([("x", .int(1))])),
        ]))
        let request = try CommandRPC.parseRequest(bytes).get()
        #expect(request.id == .string("r1"))
        #expect(request.method == "get-zmq-uris")
        #expect(request.args["x"] == .int(1))
        let bare = try CommandRPC.parseRequest(TnetstringEncoder.encode(.dict([("method", .string("recover"))]))).get()
        #expect(bare.id == nil)
        #expect(bare.args == .emptyDict)
    }

    @Test func rejectsWhatIsNotARequest() {
        func failure(_ bytes: [UInt8]) -> CommandRPCError? {
            if case .failure(let error) = CommandRPC.parseRequest(bytes) { return error }
            return nil
        }
        #expect(failure(Array("junk".utf8))?.id == nil)
        #expect(failure(TnetstringEncoder.encode(.list([])))?.reason == "request is not a dictionary")
        let noMethod = failure(TnetstringEncoder.encode(.dict([("id", .string("7"))])))
        #expect(noMethod?.id == .string("7"))
        #expect(noMethod?.reason == "request has no 'method' string")
        #expect(failure(TnetstringEncoder.encode(.dict([("method", .string("m")), ("args", .int(1))])))?.reason == "'args' is not a dictionary")
    }

    @Test func encodesReplies() throws {
        let success = CommandRPC.encodeReply(.success(value: .list([.string("a")])), id: .string("1"))
        #expect(try TnetstringDecoder.decode(success) == .dict([("success", .bool(true)), ("id", .string("1")), ("value", .list([.string("a")]))]))
        // Byte for byte what Pushpin 1.36 answers.
        let failure = CommandRPC.encodeReply(.failure(condition: "method-not-found"), id: .string("6"))
        #expect(String(decoding: failure, as: UTF8.self) == "59:7:success,5:false!9:condition,16:method-not-found,2:id,1:6,}")
        let empty = CommandRPC.encodeReply(.success(value: nil), id: .string("2"))
        #expect(String(decoding: empty, as: UTF8.self) == "37:7:success,4:true!2:id,1:2,5:value,0:~}")
        let bad = CommandRPC.encodeReply(.failure(condition: "bad-request", value: .string("Invalid format: no formats specified")), id: .string("3"))
        #expect(String(decoding: bad, as: UTF8.self) == "102:7:success,5:false!9:condition,11:bad-request,2:id,1:3,5:value,36:Invalid format: no formats specified,}")
    }
}
