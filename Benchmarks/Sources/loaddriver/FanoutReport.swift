/// Every figure of one run, printed for people or as one JSON object for scripts.
struct FanoutReport {
    var kind = ""
    var target = ""
    var subscribers = 0
    var channels = 0
    var messages = 0
    var size = 0
    var rate: Double?
    var threads = 1

    var subscribed = 0
    var subscribeFailed = 0
    var subscribeSeconds = 0.0
    var subscribeRate = 0.0

    var rssBaselineBytes: Int?
    var rssHeldBytes: Int?
    var bytesPerConnection: Double?

    var publishedItems = 0
    var failedItems = 0
    var publishRequests = 0
    var publishErrors = 0
    var publishSeconds = 0.0

    var expectedDeliveries = 0
    var delivered = 0
    var lost = 0
    var duplicated = 0
    var foreign = 0
    var unexpectedMessages = 0
    var closedEarly = 0
    var deliverySeconds = 0.0
    var deliveriesPerSecond = 0.0

    var latencyP50Millis = 0.0
    var latencyP99Millis = 0.0
    var latencyP999Millis = 0.0
    var latencyMaxMillis = 0.0

    var timedOut: [String] = []
    var errors: [String: Int] = [:]

    var text: String {
        var lines: [String] = []
        lines.append("fanout \(kind) → \(target): \(subscribers) subscribers on \(channels) channels, \(messages) messages each, \(size) B"
            + (rate.map { ", \(format($0)) items/s" } ?? ", flat out") + (threads > 1 ? ", \(threads) threads" : ""))
        lines.append("subscribe    \(subscribed) held, \(subscribeFailed) failed in \(format(subscribeSeconds)) s = \(format(subscribeRate)) conn/s")
        if let baseline = rssBaselineBytes, let held = rssHeldBytes, let perConnection = bytesPerConnection {
            lines.append("memory       RSS \(baseline / 1024) KiB → \(held / 1024) KiB = \(format(perConnection)) B per held connection")
        }
        lines.append("publish      \(publishedItems) items in \(publishRequests) requests, \(publishErrors) errors (\(failedItems) items lost) in \(format(publishSeconds)) s")
        lines.append("deliver      \(delivered)/\(expectedDeliveries) in \(format(deliverySeconds)) s = \(format(deliveriesPerSecond)) deliveries/s")
        lines.append("             lost \(lost), duplicated \(duplicated), foreign \(foreign), unexpected \(unexpectedMessages), closed early \(closedEarly)")
        lines.append("latency ms   p50 \(format(latencyP50Millis))  p99 \(format(latencyP99Millis))  p99.9 \(format(latencyP999Millis))  max \(format(latencyMaxMillis))")
        if !timedOut.isEmpty { lines.append("timed out    \(timedOut.joined(separator: ", "))") }
        for (reason, count) in errors.sorted(by: { $0.value > $1.value }) { lines.append("error        \(count) × \(reason)") }
        return lines.joined(separator: "\n")
    }

    var json: String {
        var fields: [(String, String)] = [
            ("kind", quoted(kind)), ("target", quoted(target)), ("subscribers", "\(subscribers)"), ("channels", "\(channels)"),
            ("messages", "\(messages)"), ("size", "\(size)"), ("rate", rate.map { number($0) } ?? "null"), ("threads", "\(threads)"),
            ("subscribed", "\(subscribed)"), ("subscribe_failed", "\(subscribeFailed)"),
            ("subscribe_seconds", number(subscribeSeconds)), ("subscribe_rate", number(subscribeRate)),
            ("rss_baseline_bytes", rssBaselineBytes.map { "\($0)" } ?? "null"), ("rss_held_bytes", rssHeldBytes.map { "\($0)" } ?? "null"),
            ("bytes_per_connection", bytesPerConnection.map { number($0) } ?? "null"),
            ("published_items", "\(publishedItems)"), ("failed_items", "\(failedItems)"), ("publish_requests", "\(publishRequests)"),
            ("publish_errors", "\(publishErrors)"), ("publish_seconds", number(publishSeconds)),
            ("expected_deliveries", "\(expectedDeliveries)"), ("delivered", "\(delivered)"), ("lost", "\(lost)"),
            ("duplicated", "\(duplicated)"), ("foreign", "\(foreign)"), ("unexpected_messages", "\(unexpectedMessages)"),
            ("closed_early", "\(closedEarly)"), ("delivery_seconds", number(deliverySeconds)),
            ("deliveries_per_sec", number(deliveriesPerSecond)),
            ("latency_ms_p50", number(latencyP50Millis)), ("latency_ms_p99", number(latencyP99Millis)),
            ("latency_ms_p999", number(latencyP999Millis)), ("latency_ms_max", number(latencyMaxMillis)),
        ]
        fields.append(("timed_out", "[" + timedOut.map(quoted).joined(separator: ",") + "]"))
        fields.append(("errors", "{" + errors.sorted(by: { $0.key < $1.key }).map { "\(quoted($0.key)):\($0.value)" }.joined(separator: ",") + "}"))
        return "{" + fields.map { "\(quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    private func format(_ value: Double) -> String {
        if value >= 100 { return String(Int(value.rounded())) }
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }

    private func number(_ value: Double) -> String {
        value.isFinite ? "\((value * 1000).rounded() / 1000)" : "null"
    }

    private func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
