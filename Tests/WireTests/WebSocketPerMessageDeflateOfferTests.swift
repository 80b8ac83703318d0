import Testing

@testable import Wire

@Suite struct WebSocketPerMessageDeflateOfferTests {
    func answer(_ values: [String]) -> String? {
        PerMessageDeflateOffer.accept(values)?.response
    }

    static let plain = "permessage-deflate; server_no_context_takeover"

    @Test func noOfferNoAnswer() {
        #expect(answer([]) == nil)
        #expect(answer([""]) == nil)
        #expect(answer(["x-webkit-deflate-frame"]) == nil)
        #expect(answer(["permessage-deflate-x"]) == nil)
    }

    @Test func answersWhatItTakesWithoutCompressingItself() {
        #expect(answer(["permessage-deflate"]) == Self.plain)
        #expect(answer(["Permessage-Deflate; Client_Max_Window_Bits"]) == Self.plain)
        #expect(answer(["permessage-deflate; client_max_window_bits=9; server_no_context_takeover"]) == Self.plain)
        #expect(
            answer(["permessage-deflate; client_no_context_takeover; server_max_window_bits=10"])
                == Self.plain + "; client_no_context_takeover; server_max_window_bits=10")
        #expect(answer(["permessage-deflate; server_max_window_bits=\"12\""]) == Self.plain + "; server_max_window_bits=12")
        #expect(PerMessageDeflateOffer.accept(["permessage-deflate; client_no_context_takeover"])?.clientResets == true)
        #expect(PerMessageDeflateOffer.accept(["permessage-deflate"])?.clientResets == false)
    }

    /// RFC 7692 §7.1: an offer with an unknown, repeated or invalid parameter is declined,
    /// and the next one (in the same value or a later field) is tried.
    @Test func declinesBadOffersAndTriesTheNext() {
        for bad in [
            "permessage-deflate; bogus=1", "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=7", "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=010", "permessage-deflate; server_max_window_bits=1x",
            "permessage-deflate; server_max_window_bits=10\r\nX-Injected: 1", "permessage-deflate; client_max_window_bits=99",
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            "permessage-deflate; server_no_context_takeover=1", "permessage-deflate; client_no_context_takeover=\"\"",
        ] {
            #expect(answer([bad]) == nil, "\(bad.debugDescription)")
            #expect(answer([bad + ", permessage-deflate; client_no_context_takeover"]) == Self.plain + "; client_no_context_takeover", "\(bad)")
            #expect(answer([bad, "permessage-deflate"]) == Self.plain, "\(bad)")
        }
        // An unterminated quote runs to the end of its field value.
        #expect(answer(["permessage-deflate; server_max_window_bits=\"10, permessage-deflate"]) == nil)
        #expect(answer(["permessage-deflate; server_max_window_bits=\"10", "permessage-deflate"]) == Self.plain)
    }

    /// A comma inside a quoted value does not start a new offer.
    @Test func quotedCommasStayInsideTheirOffer() {
        #expect(answer(["x-other; p=\"a, permessage-deflate\""]) == nil)
        #expect(answer(["x-other; p=\"a, b\", permessage-deflate"]) == Self.plain)
    }
}
