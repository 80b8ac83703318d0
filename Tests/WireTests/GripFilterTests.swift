import Testing
@testable import Wire

@Suite("GRIP filters")
struct GripFilterTests {
    func context(
        meta: [(String, String)] = [], publish: [String: String] = [:], channels: [(String, String?)] = [("c", nil)]
    ) -> GripFilterContext {
        GripFilterContext(
            subscriptionMeta: meta.map { (name: $0.0, value: $0.1) }, publishMeta: publish,
            channels: channels.map { (name: $0.0, id: $0.1) })
    }

    func apply(_ names: [String], _ content: String, _ context: GripFilterContext) -> GripFilterOutcome {
        GripFilterStack.apply(GripFilter.parse(names), to: Array(content.utf8), context)
    }

    func sent(_ text: String) -> GripFilterOutcome { .send(Array(text.utf8)) }

    @Test func namesAndContentFilters() {
        #expect(GripFilter.parse(["skip-self", "nope", "build-id", "var-subst", "require-sub", "skip-users"])
            == [.skipSelf, .buildID, .varSubst, .requireSub, .skipUsers])
        #expect(GripFilter.contentFilterNames([.skipUsers, .buildID, .skipSelf, .varSubst]) == ["build-id", "var-subst"])
    }

    // MARK: delivery filters

    @Test func skipSelfDropsTheSendersOwnItem() {
        let alice = context(meta: [("user", "alice")], publish: ["sender": "alice"])
        #expect(apply(["skip-self"], "x", alice) == .drop)
        #expect(apply(["skip-self"], "x", context(meta: [("user", "bob")], publish: ["sender": "alice"])) == sent("x"))
        #expect(apply(["skip-self"], "x", context(publish: ["sender": "alice"])) == sent("x"))
        #expect(apply(["skip-self"], "x", context(meta: [("user", "")], publish: ["sender": ""])) == sent("x"))
        #expect(apply([], "x", alice) == sent("x"))
    }

    @Test func skipUsersReadsATrimmedCommaList() {
        let skip = ["skip_users": " bob , alice,,"]
        #expect(apply(["skip-users"], "x", context(meta: [("user", "alice")], publish: skip)) == .drop)
        #expect(apply(["skip-users"], "x", context(meta: [("user", "bob")], publish: skip)) == .drop)
        #expect(apply(["skip-users"], "x", context(meta: [("user", "carol")], publish: skip)) == sent("x"))
        #expect(apply(["skip-users"], "x", context(meta: [("user", "ali")], publish: skip)) == sent("x"))
        #expect(apply(["skip-users"], "x", context(publish: skip)) == sent("x"))
    }

    @Test func requireSubNeedsTheNamedChannel() {
        let kick = ["require_sub": "events-a"]
        #expect(apply(["require-sub"], "x", context(publish: kick, channels: [("user-1", nil), ("events-a", nil)])) == sent("x"))
        #expect(apply(["require-sub"], "x", context(publish: kick, channels: [("user-1", nil), ("events-b", nil)])) == .drop)
        #expect(apply(["require-sub"], "x", context(publish: ["require_sub": ""], channels: [("user-1", nil)])) == sent("x"))
        #expect(apply(["require-sub"], "x", context(channels: [("user-1", nil)])) == sent("x"))
    }

    @Test func aDropWinsOverAContentError() {
        // No id_format: build-id would fail, but skip-self drops first.
        #expect(apply(["build-id", "skip-self"], "%I", context(meta: [("user", "a")], publish: ["sender": "a"])) == .drop)
    }

    // MARK: build-id

    @Test func buildIDRendersTheIDFromTheChannelsIDs() {
        let eventstream = context(
            meta: [("id_format", "a:%(events-a)s,b:%(events-b)s"), ("user", "1")],
            channels: [("events-a", "7"), ("events-b", "3"), ("user-1", nil)])
        #expect(apply(["build-id"], "event: m\nid: %I\ndata: 100%% sure\n\n", eventstream)
            == sent("event: m\nid: a:7,b:3\ndata: 100% sure\n\n"))
        #expect(apply(["build-id"], "id: %(explicit)I", eventstream) == sent("id: explicit"))
        #expect(apply(["build-id"], "plain", context(meta: [("id_format", "fixed%%")])) == sent("plain"))
        #expect(apply(["build-id"], "%I", context(meta: [("id_format", "fixed%%")])) == sent("fixed%"))
    }

    @Test func buildIDHexEncodes() {
        let hex = context(meta: [("id_format", "%(c)s"), ("id_encoding", "hex")], channels: [("c", "A/1")])
        #expect(apply(["build-id"], "%I|%(zz)I", hex) == sent("412f31|7a7a"))
    }

    @Test func buildIDErrors() {
        func failed(_ outcome: GripFilterOutcome) -> Bool {
            if case .failed = outcome { return true }
            return false
        }
        #expect(failed(apply(["build-id"], "%I", context())))  // no id_format
        #expect(failed(apply(["build-id"], "%I", context(meta: [("id_format", "%(other)s")]))))  // unknown channel
        #expect(failed(apply(["build-id"], "%I", context(meta: [("id_format", "%(c)s")]))))  // channel without an id
        #expect(failed(apply(["build-id"], "x", context(meta: [("id_format", "x"), ("id_encoding", "b64")]))))
        #expect(failed(apply(["build-id"], "%s", context(meta: [("id_format", "x")]))))  // not %I
        #expect(failed(apply(["build-id"], "50%", context(meta: [("id_format", "x")]))))  // lone %
        #expect(failed(apply(["build-id"], "%!", context(meta: [("id_format", "x")]))))
        #expect(failed(apply(["build-id"], "%(x", context(meta: [("id_format", "x")]))))
        #expect(failed(apply(["build-id"], "%(x)", context(meta: [("id_format", "x")]))))
    }

    // MARK: var-subst

    @Test func varSubstReplacesMetaValues() {
        let meta = context(meta: [("user", "alice"), ("room", "a)b")])
        #expect(apply(["var-subst"], "hi %(user)s in %(room)s, 5%%", meta) == sent("hi alice in a)b, 5%"))
        #expect(apply(["var-subst"], #"%(us\er)s"#, meta) == sent("alice"))  // `\` escapes inside ()
        #expect(apply(["var-subst"], "%(nobody)s", meta) == .failed(GripFilterError("var-subst: no variable 'nobody' at position 9")))
        #expect(apply(["var-subst"], "%(user)d", meta) == .failed(GripFilterError("var-subst: unknown directive 'd' at position 7")))
    }

    @Test func contentFiltersRunInOrder() {
        // var-subst first puts a %I into the content for build-id to render.
        let both = context(meta: [("id_format", "ID"), ("tag", "%I")])
        #expect(apply(["var-subst", "build-id"], "%(tag)s", both) == sent("ID"))
        #expect(apply(["build-id", "var-subst"], "%%(tag)s", both) == sent("%I"))
    }

    // MARK: initial response

    @Test func initialResponseGetsBuildIDOnlyWhenAChannelHasIt() throws {
        let meta = context(meta: [("id_format", "%(c)s")], channels: [("c", "5")])
        #expect(GripFilterStack.applyToResponse([[.skipUsers], [.varSubst]], to: Array("%%".utf8), meta) == nil)
        #expect(try GripFilterStack.applyToResponse([[.skipUsers], [.buildID]], to: Array("id: %I 100%%".utf8), meta)?.get()
            == Array("id: 5 100%".utf8))
        #expect(GripFilterStack.applyToResponse([[.buildID]], to: Array("%".utf8), meta) != nil)
    }

    // MARK: the template language

    @Test func templateEscapes() throws {
        let upper: GripFilterTemplate.Expand = { directive, argument in
            .success([directive] + (argument ?? []))
        }
        #expect(try GripFilterTemplate.render(Array("a%%b%X%(1\\)2)Y".utf8), upper).get() == Array("a%bXY1)2".utf8))
        #expect(try GripFilterTemplate.render([], upper).get() == [])
    }
}
