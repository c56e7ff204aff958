/// The conversation counters queue_performance adds on request (`--collector.queue_performance.conversation-metrics`),
/// in groups an operator picks by name. They come from the same windowed aggregates queries as the service counters,
/// grouped by direction as well, and carry a `direction` label (inbound, outbound; anything else Genesys names
/// becomes `unknown`). A timer metric gives a count and a seconds total, as the service counters do.
enum ConversationCounterGroups {
    static let all: [(group: String, sources: [CounterSource])] = [
        (
            "transfers",
            [
                count("transferred", "Conversations transferred (nTransferred).", "nTransferred"),
                count(
                    "blind_transferred", "Conversations blind-transferred, a part of transferred (nBlindTransferred).",
                    "nBlindTransferred"),
                count(
                    "consult_transferred",
                    "Conversations transferred after a consult, a part of transferred (nConsultTransferred).",
                    "nConsultTransferred"),
                count("consults", "Consult calls made by agents (nConsult).", "nConsult"),
            ]
        ),
        (
            "handling",
            timer("held", "hold", "Conversations put on hold", "tHeld")
                + timer("after_call_work", "after_call_work", "After-call work periods", "tAcw")
                + timer("talks", "talk", "Talk periods", "tTalk")
                + timer("alerts", "alert", "Offers alerting an agent", "tAlert")
                + timer("not_responding", "not_responding", "Offers an agent did not answer in time", "tNotResponding")
        ),
        (
            "flow",
            timer("flow_outs", "flow_out", "Conversations that left the queue for a flow", "tFlowOut")
                + timer("voicemails", "voicemail", "Conversations sent to voicemail", "tVoicemail")
        ),
        ("errors", [count("errors", "Conversations that ended in an error (nError).", "nError")]),
        (
            "callbacks",
            [
                count("callbacks_scheduled", "Callbacks scheduled (nCallbackScheduled).", "nCallbackScheduled"),
                count("callback_attempts", "Callback dialing attempts (nCallbackAttempts).", "nCallbackAttempts"),
            ]
        ),
        (
            "outbound",
            [
                count("outbound", "Outbound conversations (nOutbound).", "nOutbound"),
                count("outbound_attempted", "Outbound dialing attempts (nOutboundAttempted).", "nOutboundAttempted"),
                count(
                    "outbound_connected", "Outbound attempts that connected (nOutboundConnected).", "nOutboundConnected"
                ),
                count(
                    "outbound_abandoned", "Outbound conversations abandoned (nOutboundAbandoned).", "nOutboundAbandoned"
                ),
            ]
        ),
        ("bots", [count("bot_interactions", "Conversations with a bot (nBotInteractions).", "nBotInteractions")]),
    ]

    static let names = all.map(\.group)

    /// The counters of `groups`, in the order of `all`.
    static func sources(_ groups: [String]) -> [CounterSource] {
        all.filter { groups.contains($0.group) }.flatMap(\.sources)
    }

    /// The directions every queue and media type gets series for from the first poll.
    static let directions = ["inbound", "outbound"]

    private static func count(_ stem: String, _ help: String, _ metric: String) -> CounterSource {
        CounterSource(
            name: "genesys_queue_\(stem)_total", help: help + " By direction.", metric: metric, field: .count,
            byDirection: true)
    }

    private static func timer(
        _ countStem: String, _ secondsStem: String, _ what: String, _ metric: String
    )
        -> [CounterSource]
    {
        [
            CounterSource(
                name: "genesys_queue_\(countStem)_total", help: "\(what) (\(metric) count). By direction.",
                metric: metric, field: .count, byDirection: true),
            CounterSource(
                name: "genesys_queue_\(secondsStem)_seconds_total",
                help: "\(what): their durations summed (\(metric) sum). By direction.", metric: metric,
                field: .sumSeconds, byDirection: true),
        ]
    }
}
