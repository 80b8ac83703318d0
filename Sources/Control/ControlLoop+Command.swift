import Wire

/// The command socket (REP at `command_spec`): Pushpin's handler RPC methods.
extension ControlLoop {
    func commandReceived(_ socket: ZMQSocket, _ parts: [[UInt8]], partCount: Int) {
        let reply: [UInt8]
        if partCount != 1 {
            controlStats.zeroMQRejected[.command, default: 0] += 1
            logger.warning("zmq command: bad request: message has \(partCount) parts, expected 1")
            reply = CommandRPC.encodeReply(.failure(condition: "bad-request"), id: nil)
        } else {
            switch CommandRPC.parseRequest(parts[0]) {
            case .failure(let error):
                controlStats.zeroMQRejected[.command, default: 0] += 1
                logger.warning("zmq command: bad request: \(error.reason)")
                reply = CommandRPC.encodeReply(.failure(condition: "bad-request"), id: error.id)
            case .success(let request):
                let answer = answer(request)
                if case .failure(let condition, let value) = answer {
                    controlStats.zeroMQRejected[.command, default: 0] += 1
                    let detail = value?.stringValue.map { ": \($0)" } ?? ""
                    logger.warning("zmq command: \(request.method): \(condition)\(detail)")
                }
                reply = CommandRPC.encodeReply(answer, id: request.id)
            }
        }
        // A REP socket must answer before it can read the next request.
        if !socket.send([reply]) { logger.warning("zmq command: reply could not be sent") }
    }

    private func answer(_ request: CommandRPC.Request) -> CommandRPC.Reply {
        switch request.method {
        case "publish": return publishCommand(request.args)
        case "get-zmq-uris": return .success(value: zeroMQURIs)
        case "recover":
            recover()
            return .success(value: nil)
        // These need connection state only the shards hold; not wired up yet.
        case "conncheck", "refresh": return .failure(condition: "not-implemented")
        default: return .failure(condition: "method-not-found")
        }
    }

    /// `args.items`: all valid, or nothing is published (as `POST /publish/`).
    private func publishCommand(_ args: TnetValue) -> CommandRPC.Reply {
        guard case .list(let entries)? = args["items"] else {
            return .failure(condition: "bad-request", value: .string("Invalid format: object does not contain 'items'"))
        }
        var items: [PublishItem] = []
        for entry in entries {
            switch PublishRequestParser.parseItem(entry.jsonValue) {
            case .success(let item): items.append(item)
            case .failure(let error): return .failure(condition: "bad-request", value: .string(error.message))
            }
        }
        drainReports()
        broadcastPublished(items)
        return .success(value: nil)
    }

    /// Where GRIP libraries connect (`get-zmq-uris`); the SUB input only when it binds.
    private var zeroMQURIs: TnetValue {
        let settings = configuration.zeroMQ
        var members: [(String, TnetValue)] = []
        if let spec = settings.commandSpec { members.append(("command", .string(spec))) }
        if let spec = settings.pushInSpec { members.append(("publish-pull", .string(spec))) }
        if !settings.subConnect, let spec = settings.pushInSubSpecs.first { members.append(("publish-sub", .string(spec))) }
        return .dict(members)
    }
}
