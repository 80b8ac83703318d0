import Testing

/// GRIP reliable mode, session side: items carry `id` and `prev-id`, holds carry the
/// `prev-id` they start from and a `Grip-Link: <…>; rel=next`; when a session misses an item
/// (a gap, a hint, an idle channel) it asks the origin (`ScriptedOrigin`) for what follows
/// its `Grip-Last` position, and the client sees every event once, in order.
extension EndToEnd {
    @Suite struct GripReliableTests {
        @Test func aGapIsFilledFromTheNextLinkAndEveryEventArrivesOnceInOrder() throws {
            try withScriptedOrigin { origin, _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream")
                #expect(try subscriber.read(expecting: "start\n") == "start\n")
                try pushpind.waitForHeld(stream: 1)
                let one = origin.append("one\n")
                try pushpind.publish(ScriptedOrigin.streamItem(one, "one\n"))
                #expect(try subscriber.read(expecting: "start\none\n") == "start\none\n")
                origin.append("two\n")  // its publish never reaches pushpind
                let three = origin.append("three\n")
                try pushpind.publish(ScriptedOrigin.streamItem(three, "three\n"))
                let recovered = "start\none\ntwo\nthree\n"
                #expect(try subscriber.read(expecting: recovered) == recovered)
                #expect(origin.gripLasts == ["ch; last-id=1"])
                // The next link's hold carries on from three.
                let four = origin.append("four\n")
                try pushpind.publish(ScriptedOrigin.streamItem(four, "four\n"))
                #expect(try subscriber.read(expecting: recovered + "four\n") == recovered + "four\n")
                #expect(subscriber.staysQuiet(for: .milliseconds(200)), "more than every event once: \(subscriber.bodyText.debugDescription)")
                #expect(origin.nextRequests == 1)
                try pushpind.expectMetrics { $0.expectTotal("pushpind_next_link_fetches_total", equals: 1) }
            }
        }

        @Test func aHintFetchesTheNextLinkNow() throws {
            try withScriptedOrigin { origin, _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream")
                try pushpind.waitForHeld(stream: 1)
                origin.append("hinted\n")
                try pushpind.publish(["channel": ScriptedOrigin.channel, "formats": ["http-stream": ["action": "hint"]]])
                #expect(try subscriber.read(expecting: "start\nhinted\n") == "start\nhinted\n")
                #expect(origin.gripLasts == ["ch; last-id=0"])
            }
        }

        @Test func anIdleStreamFetchesItsNextLinkAfterTheLinksTimeout() throws {
            try withScriptedOrigin({ $0.handler.append(("update_on_first_subscription", "false")) }) { origin, _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?timeout=1")
                try pushpind.waitForHeld(stream: 1)
                origin.append("while idle\n")
                #expect(try subscriber.read(expecting: "start\nwhile idle\n") == "start\nwhile idle\n")
                #expect(origin.gripLasts.first == "ch; last-id=0")
                try pushpind.expectMetrics { $0.expectTotal("pushpind_next_link_idle_refreshes_total", atLeast: 1) }
            }
        }

        /// No hold but a next link: the response starts a stream that the next links continue
        /// until one holds.
        @Test func aResponseWithoutHoldPagesThroughNextLinksUntilOneHolds() throws {
            try withScriptedOrigin { origin, _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/page?n=0")
                let pages = "page 0\npage 1\npage 2\n"
                #expect(try subscriber.read(expecting: pages) == pages)
                try pushpind.waitForHeld(stream: 1)
                let one = origin.append("live\n")
                try pushpind.publish(ScriptedOrigin.streamItem(one, "live\n"))
                #expect(try subscriber.read(expecting: pages + "live\n") == pages + "live\n")
            }
        }

        /// A long-poll whose channel moved on past its prev-id is requested again, with
        /// `Grip-Last`, instead of getting the published item.
        @Test func aLongPollConflictRequestsAgainWithGripLast() throws {
            try withScriptedOrigin { origin, _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(.get("/poll"))
                try pushpind.waitForHeld(response: 1)
                origin.append("a\n")  // never published
                let second = origin.append("b\n")
                try pushpind.publish(ScriptedOrigin.responseItem(second, "b only\n"))
                let response = try client.readResponse()
                #expect(response.bodyText == "a\nb\n")
                #expect(origin.gripLasts == ["ch; last-id=0"])
                try pushpind.expectMetrics { $0.expectTotal("pushpind_long_poll_rerequests_total", equals: 1) }
            }
        }

        @Test func aLongPollHintRequestsAgainNow() throws {
            try withScriptedOrigin { origin, _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(.get("/poll"))
                try pushpind.waitForHeld(response: 1)
                origin.append("news\n")
                try pushpind.publish(["channel": ScriptedOrigin.channel, "formats": ["http-response": ["action": "hint"]]])
                #expect(try client.readResponse().bodyText == "news\n")
            }
        }
    }
}

extension EndToEnd.GripReliableTests {
    /// An event published between the backend's answer and the subscription reaches the
    /// client anyway: a second after the channel's first subscriber, its sessions catch up.
    /// Sessions wanting the same next link with the same `Grip-Last` share one request.
    @Test func theFirstSubscriptionBringsSessionsUpToDateWithSharedFetches() throws {
        try withScriptedOrigin { origin, _, pushpind in
            origin.append("raced\n")  // published before anyone was subscribed: nobody got it
            let subscribers = try (0..<8).map { _ in try StreamSubscriber(port: pushpind.clientPort, target: "/stream?stale=1") }
            for subscriber in subscribers {
                #expect(try subscriber.read(expecting: "start\nraced\n") == "start\nraced\n")
            }
            #expect(Set(origin.gripLasts) == ["ch; last-id=0"])
            // One request per shard, however many sessions (2 shards).
            #expect(origin.nextRequests <= 2, "\(origin.nextRequests) next-link requests for 8 sessions")
            try pushpind.expectMetrics {
                $0.expectTotal("pushpind_next_link_shared_fetches_total", equals: Double(8 - origin.nextRequests))
            }
        }
    }

    @Test func withoutUpdateOnFirstSubscriptionTheSessionWaitsForItsIdleRefresh() throws {
        try withScriptedOrigin({ $0.handler.append(("update_on_first_subscription", "false")) }) { origin, _, pushpind in
            origin.append("raced\n")
            let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?stale=1")
            #expect(try subscriber.read(expecting: "start\n") == "start\n")
            try pushpind.waitForHeld(stream: 1)
            #expect(subscriber.staysQuiet(for: .milliseconds(1500)), "caught up although update_on_first_subscription=false")
            #expect(origin.nextRequests == 0)
        }
    }
}

extension EndToEnd.GripReliableTests {
    /// `Grip-Link: </gone>; rel=gone`: the client leaves, the backend gets one empty POST.
    @Test func aClientThatGoesAwayIsReportedToTheGoneLinkOnce() throws {
        try withScriptedOrigin { origin, _, pushpind in
            let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?gone=1")
            #expect(try subscriber.read(expecting: "start\n") == "start\n")
            try pushpind.waitForHeld(stream: 1)
            #expect(origin.goneRequests.isEmpty)
            subscriber.close()
            let posts = eventually { origin.goneRequests.isEmpty ? nil : origin.goneRequests }
            #expect(posts?.count == 1)
            #expect(posts?.first?.method == "POST")
            #expect(posts?.first?.bodyLength == 0)
            #expect(posts?.first?.head.value("Grip-Sig") != nil, "the gone POST is not signed")
            try pushpind.expectMetrics { $0.expectTotal("pushpind_gone_link_posts_total", equals: 1) }
            #expect(origin.goneRequests.count == 1)
        }
    }

    /// A stream that ends because the publisher closed it is not "gone".
    @Test func aStreamClosedByAPublishDoesNotPostTheGoneLink() throws {
        try withScriptedOrigin { origin, _, pushpind in
            let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?gone=1")
            try pushpind.waitForHeld(stream: 1)
            try pushpind.publish(PublishJSON.streamClose(ScriptedOrigin.channel))
            _ = try subscriber.readToEnd()
            try pushpind.waitForHeld(stream: 0)
            subscriber.close()
            try pushpind.expectMetrics { $0.expectTotal("pushpind_gone_link_posts_total", equals: 0) }
            #expect(origin.goneRequests.isEmpty)
        }
    }
}

extension EndToEnd.GripReliableTests {
    /// A next link that fails is fetched again after a backoff (1 s plus up to 1 s), and
    /// nothing of the failed answer reaches the client.
    @Test func aFailedNextLinkIsRetried() throws {
        try withScriptedOrigin({ $0.handler.append(("update_on_first_subscription", "false")) }) { origin, _, pushpind in
            let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream")
            try pushpind.waitForHeld(stream: 1)
            origin.failNext(1)
            origin.append("after a retry\n")
            try pushpind.publish(["channel": ScriptedOrigin.channel, "formats": ["http-stream": ["action": "hint"]]])
            let expected = "start\nafter a retry\n"
            #expect(try subscriber.read(expecting: expected) == expected)
            #expect(origin.nextRequests == 2)
            try pushpind.expectMetrics {
                $0.expectTotal("pushpind_next_link_retries_total", equals: 1)
                $0.expectTotal("pushpind_next_link_failures_total", equals: 0)
            }
        }
    }

    /// A stream hold with `prev-id` but no next link could never recover what it misses:
    /// as Pushpin 1.36, the client gets the initial response, and the stream ends.
    @Test func aStreamHoldWithPrevIDButNoNextLinkIsNotHeld() throws {
        try withScriptedOrigin { _, _, pushpind in
            let client = try RawHTTPClient(port: pushpind.clientPort)
            try client.send(.get("/badhold"))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.bodyText == "start\n")
            #expect(response.head.headers.filter { $0.name.lowercased().hasPrefix("grip-") }.isEmpty)
            try pushpind.waitForHeld(stream: 0)
            try pushpind.expectMetrics { $0.expectTotal("pushpind_backend_errors_total", ["kind": "invalid"], equals: 1) }
        }
    }
}
