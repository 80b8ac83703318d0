/// The command socket's RPC (publish.md §5, Pushpin's zrpc): a request is a tnetstring
/// dictionary `{id?, method, args?}`; the reply has `success`, a `condition` when it
/// failed, the request's `id`, and `value` (null on a success without one), in the order
/// Pushpin 1.36 writes them.
public enum CommandRPC {
    public struct Request: Equatable, Sendable {
        public var id: TnetValue?
        public var method: String
        /// The `args` dictionary; empty when absent.
        public var args: TnetValue
    }

    public enum Reply: Equatable, Sendable {
        case success(value: TnetValue?)
        case failure(condition: String, value: TnetValue? = nil)
    }

    /// A malformed request's error keeps its `id` when one was readable, so the
    /// `bad-request` reply can carry it.
    public static func parseRequest(_ bytes: [UInt8]) -> Result<Request, CommandRPCError> {
        let value: TnetValue
        do {
            value = try TnetstringDecoder.decode(bytes)
        } catch {
            return .failure(CommandRPCError(id: nil, reason: error.description))
        }
        guard case .dict = value else { return .failure(CommandRPCError(id: nil, reason: "request is not a dictionary")) }
        let id = value["id"]
        guard let method = value["method"]?.stringValue else {
            return .failure(CommandRPCError(id: id, reason: "request has no 'method' string"))
        }
        let args = value["args"] ?? .emptyDict
        guard case .dict = args else { return .failure(CommandRPCError(id: id, reason: "'args' is not a dictionary")) }
        return .success(Request(id: id, method: method, args: args))
    }

    public static func encodeReply(_ reply: Reply, id: TnetValue?) -> [UInt8] {
        var members: [(String, TnetValue)] = []
        let value: TnetValue?
        switch reply {
        case .success(let result):
            members.append(("success", .bool(true)))
            value = result ?? .null
        case .failure(let condition, let detail):
            members.append(("success", .bool(false)))
            members.append(("condition", .string(condition)))
            value = detail
        }
        if let id { members.append(("id", id)) }
        if let value { members.append(("value", value)) }
        return TnetstringEncoder.encode(.dict(members))
    }
}

/// A request the command socket cannot serve; answered with condition `bad-request`.
public struct CommandRPCError: Error, Equatable, Sendable {
    public var id: TnetValue?
    public var reason: String
}
