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
                // nil: the shards are asked; the reply goes out when they answered.
                guard let answer = answer(request) else { return }
                if case .failure(let condition, let value) = answer {
                    controlStats.zeroMQRejected[.command, default: 0] += 1
                    let detail = value?.stringValue.map { ": \($0)" } ?? ""
                    logger.warning("zmq command: \(request.method): \(condition)\(detail)")
                }
                reply = CommandRPC.encodeReply(answer, id: request.id)
            }
        }
        sendCommandReply(socket, reply)
    }

    /// A REP socket must answer before it can read the next request.
    private func sendCommandReply(_ socket: ZMQSocket, _ reply: [UInt8]) {
        if !socket.send([reply]) { logger.warning("zmq command: reply could not be sent") }
    }

    private func answer(_ request: CommandRPC.Request) -> CommandRPC.Reply? {
        switch request.method {
        case "publish": return publishCommand(request.args)
        case "get-zmq-uris": return .success(value: zeroMQURIs)
        case "recover":
            recover()
            return .success(value: nil)
        case "conncheck": return connCheckCommand(request)
        case "refresh": return refreshCommand(request)
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

    /// `args.ids`: a list of connection ids; the reply lists those still connected.
    private func connCheckCommand(_ request: CommandRPC.Request) -> CommandRPC.Reply? {
        guard case .list(let entries)? = request.args["ids"] else { return .failure(condition: "bad-request") }
        var ids: [String] = []
        for entry in entries {
            guard let id = entry.stringValue else { return .failure(condition: "bad-request") }
            ids.append(id)
        }
        if ids.isEmpty { return .success(value: .list([])) }
        askShards(ids, purpose: .check, requestID: request.id)
        return nil
    }

    /// `args.cid`: that WebSocket-over-HTTP session asks its backend now (`item-not-found`
    /// when there is none); `args.channel`: every such session subscribed to the channel.
    private func refreshCommand(_ request: CommandRPC.Request) -> CommandRPC.Reply? {
        if let cid = request.args["cid"]?.stringValue {
            askShards([cid], purpose: .refresh, requestID: request.id)
            return nil
        }
        if let channel = request.args["channel"]?.stringValue {
            drainReports()
            for shard in interest.shards(for: channel).sorted() {
                broadcaster.send(.refreshChannel(channel), to: shard, ring: ring)
            }
            return .success(value: nil)
        }
        return .failure(condition: "bad-request")
    }

    private func askShards(_ ids: [String], purpose: ConnectionQuery.Purpose, requestID: TnetValue?) {
        connectionSequence += 1
        connectionQuery = ConnectionQuery(
            sequence: connectionSequence, purpose: purpose, requestID: requestID, ids: ids,
            shards: broadcaster.links.count, deadline: now + 1_000_000_000)
        broadcaster.broadcast(.findConnections(sequence: connectionSequence, ids: ids, refresh: purpose == .refresh), ring: ring)
    }

    /// Replies to the pending `conncheck`/`refresh` once every shard answered (or the bound
    /// passed), then lets the command socket be read again.
    func checkConnectionQuery() {
        guard let query = connectionQuery, query.complete || now >= query.deadline,
            let zeroMQ, let index = zeroMQ.index(.command)
        else { return }
        connectionQuery = nil
        if case .failure(let condition, _) = query.reply {
            controlStats.zeroMQRejected[.command, default: 0] += 1
            logger.warning("zmq command: refresh: \(condition)")
        }
        sendCommandReply(zeroMQ.sockets[index].socket, CommandRPC.encodeReply(query.reply, id: query.requestID))
        zeroMQ.pending.insert(index)
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
