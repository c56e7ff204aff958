import Testing

@testable import GenesysAPI
@testable import GenesysAuth
@testable import GenesysBase
@testable import GenesysCollectors
@testable import GenesysTelemetry

@Suite("Collector registry: instances match their definitions")
struct CollectorInstanceTests {
    /// An instance declares its definition's endpoints, in order, except those an option leaves off (each declared
    /// endpoint has series in every org): with default options queue_performance's wrap-up code listing; in poll
    /// mode the notification channel calls of observations and agents.
    @Test func test_instances_declareTheirDefinitionsEndpoints_butThoseAnOptionLeavesOff() throws {
        for grant in OAuthGrant.allCases {
            let collectors = CollectorRegistry.make(
                Set(CollectorRegistry.names), store: MetricStore(), grant: grant)
            #expect(collectors.map(\.name) == CollectorRegistry.names, "polling order is the registry's")
            for collector in collectors {
                let defined = type(of: collector).endpoints(grant: grant)
                let leftOff: [Endpoint] =
                    switch collector.name {
                    case "queue_performance": [.wrapupCodes]
                    default: []
                    }
                #expect(collector.endpoints == defined.filter { !leftOff.contains($0) }, "\(collector.name)")
            }
            let performance = try #require(CollectorRegistry.named("queue_performance"))
            let withCodes = performance.make(store: MetricStore(), grant: grant, options: ["wrapup-codes": "3"])
            #expect(withCodes.endpoints == performance.endpoints(grant: grant))
            for name in ["observations", "agents"] {
                let collector = try #require(CollectorRegistry.named(name))
                let polling = collector.make(store: MetricStore(), grant: grant, options: ["mode": "poll"])
                #expect(
                    polling.endpoints
                        == collector.endpoints(grant: grant).filter { !NotificationCheck.endpoints.contains($0) },
                    "\(collector.name)")
            }
        }
    }
}

@Suite("Collector options: each collector refuses values it cannot use, naming the flag")
struct CollectorOptionTests {
    @Test(arguments: [
        ("queue_performance", "lag", "2h", "--collector.queue_performance.lag"),
        ("queue_performance", "lag", "-1s", "--collector.queue_performance.lag"),
        ("queue_performance", "time-zone", "Mars/Olympus_Mons", "--collector.queue_performance.time-zone"),
        ("estimated_wait", "media-types", "voice,fax", "--collector.estimated_wait.media-types"),
        ("estimated_wait", "media-types", "", "--collector.estimated_wait.media-types"),
        ("estimated_wait", "interval", "5s", "--collector.estimated_wait.interval"),
        ("queues", "max", "-3", "--collector.queues.max"),
        ("queues", "listing-interval", "soon", "--collector.queues.listing-interval"),
        ("queue_performance", "service-level-interval", "-5m", "--collector.queue_performance.service-level-interval"),
        ("api_usage", "interval", "500ms", "--collector.api_usage.interval"),
        ("telephony", "phones-interval", "0s", "--collector.telephony.phones-interval"),
        ("api_usage", "clients-max", "many", "--collector.api_usage.clients-max"),
        ("api_usage", "result-timeout", "11m", "--collector.api_usage.result-timeout"),
        (
            "queue_performance", "conversation-metrics", "transfers,fax",
            "--collector.queue_performance.conversation-metrics"
        ),
        ("queue_performance", "conversation-metrics", "all,bots", "--collector.queue_performance.conversation-metrics"),
    ])
    func test_badOptionValue_isRefused(collector: String, option: String, value: String, flag: String) throws {
        let definition = try #require(CollectorRegistry.named(collector))
        let error = #expect(throws: ConfigurationError.self) { try definition.validate(options: [option: value]) }
        #expect(error?.description.hasPrefix(flag) == true, "\(error?.description ?? "")")
    }

    @Test func test_goodOptionValues_areAccepted_andTheIntervalIsTheCollectorsOwn() throws {
        let performance = try #require(CollectorRegistry.named("queue_performance"))
        try performance.validate(options: ["lag": "90s", "time-zone": "Europe/Berlin", "service-level-interval": "0s"])
        for groups in ["all", "none", "transfers, bots", "handling,flow,errors,callbacks,outbound"] {
            try performance.validate(options: ["conversation-metrics": groups])
        }
        try #require(CollectorRegistry.named("queues")).validate(options: ["listing-interval": "0s"])
        let wait = try #require(CollectorRegistry.named("estimated_wait"))
        try wait.validate(options: ["media-types": "chat,voice,chat", "interval": "5m"])
        let made = wait.make(store: MetricStore(), grant: .clientCredentials, options: ["interval": "30s"])
        #expect(made.pollInterval == .seconds(30))
        #expect(performance.make(store: MetricStore(), grant: .clientCredentials, options: [:]).pollInterval == nil)
        let usage = try #require(CollectorRegistry.named("api_usage"))
        #expect(usage.make(store: MetricStore(), grant: .clientCredentials, options: [:]).pollInterval == .seconds(300))
    }
}
