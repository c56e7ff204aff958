import Testing

@testable import GenesysAuth
@testable import GenesysBase
@testable import GenesysCollectors
@testable import GenesysExporter
@testable import GenesysTelemetry
@testable import genesys_exporter

@Suite("Collector registry: every collector's flags, endpoints and check come from its definition")
struct CollectorRegistryTests {
    @Test func test_everyRegisteredCollector_hasANameHelpEndpointsAndFlags() throws {
        #expect(Set(CollectorRegistry.names).count == CollectorRegistry.all.count, "names are unique")
        for collector in CollectorRegistry.all {
            let name = collector.name
            #expect(name.wholeMatch(of: /[a-z][a-z_]*/) != nil, "\(name): a flag- and label-safe name")
            #expect(!collector.help.isEmpty && collector.help.count <= 72, "\(name): one short line of help")
            for grant in OAuthGrant.allCases {
                let endpoints = collector.endpoints(grant: grant)
                #expect(!endpoints.isEmpty, "\(name) calls no endpoint with \(grant)")
                #expect(Set(endpoints).isSubset(of: Set(CollectorRegistry.endpoints)), "\(name): endpoint label set")
            }
            // Its flags exist: in --help, and they parse.
            #expect(CollectorFlags.help.contains("--[no-]collector.\(name) "), "\(name) is missing from --help")
            let others = CollectorRegistry.enabledByDefault.subtracting([name])
            if !others.isEmpty {
                #expect(try CollectorFlags.parse(["--no-collector.\(name)"]).enabled == others)
            }
            #expect(
                try CollectorFlags.parse(["--collector.disable-defaults", "--collector.\(name)"]).enabled == [name])
            for option in collector.options {
                #expect(CollectorFlags.help.contains("--collector.\(name).\(option.name) <\(option.valueName)>"))
                #expect(!option.help.isEmpty && option.help.count <= 72)
            }
        }
    }

    @Test func test_flags_defaultsDisableDefaultsAndTheLastWordWins() throws {
        #expect(try CollectorFlags.parse([]) == .defaults)
        #expect(try CollectorFlags.parse([]).enabled == CollectorRegistry.enabledByDefault)
        for name in CollectorRegistry.names where !CollectorRegistry.enabledByDefault.contains(name) {
            #expect(try CollectorFlags.parse(["--collector.\(name)"]).enabled.contains(name))
        }
        #expect(try CollectorFlags.parse(["--no-collector.queues", "--collector.queues"]).enabled.contains("queues"))
        #expect(try !CollectorFlags.parse(["--collector.queues", "--no-collector.queues"]).enabled.contains("queues"))
        #expect(
            try CollectorFlags.parse(["--collector.identity", "--collector.disable-defaults"]).enabled == ["identity"],
            "explicit choices win over the defaults, wherever they stand")
    }

    @Test func test_flags_optionValues_inlineOrSeparate() throws {
        let flags = try CollectorFlags.parse([
            "--collector.queues.max=7", "--collector.queues.name-filter", "Sales.*",
        ])
        #expect(flags.options["queues"] == ["max": "7", "name-filter": "Sales.*"])
        #expect(try QueueCollector.selection(flags.options["queues"] ?? [:]).maxSeries == 7)
        #expect(
            try CollectorFlags.parse(["--collector.queues.name-filter=a=b"]).options["queues"]?["name-filter"] == "a=b")
    }

    @Test(arguments: [
        (
            ["--no-collector.bogus"],
            "--no-collector.bogus: no collector 'bogus'; there are " + CollectorRegistry.names.joined(separator: ", ")
        ),
        (["--collector.queues.maxx", "5"], "--collector.queues.maxx: unknown option; the queues collector has"),
        (["--collector.identity.x=1"], "--collector.identity.x: the identity collector has no options"),
        (["--collector.queues.max"], "--collector.queues.max: needs a value"),
        (["--collector.queues=1"], "--collector.queues: unknown flag"),
        (CollectorRegistry.enabledByDefault.sorted().map { "--no-collector.\($0)" }, "--no-collector.*"),
        (["--collector.disable-defaults"], "--no-collector.*: every collector is disabled"),
    ])
    func test_flags_mistakes_areConfigurationErrorsNamingTheFlag(arguments: [String], expected: String) {
        #expect(throws: ConfigurationError.self) { try CollectorFlags.parse(arguments) }
        do {
            _ = try CollectorFlags.parse(arguments)
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error)")
        }
    }

    /// A mistyped secret flag must not print the secret.
    @Test func test_unknownFlags_neverEchoTheirValue() {
        for arguments in [["--genesys.client-secrett=hunter2"], ["--genesys.client-secrett", "hunter2"], ["hunter2"]] {
            do {
                _ = try CollectorFlags.parse(arguments)
                Issue.record("\(arguments) parsed")
            } catch {
                #expect(!error.description.contains("hunter2"), "\(error)")
            }
        }
    }

    @Test func test_exporterOptions_handTheCollectorFlagsOver_inOrder() throws {
        let options = try ExporterOptions.parse([
            "--demo", "--no-collector.identity", "--collector.queues.max", "3", "--log.level", "warn",
        ])
        #expect(options.demo && options.logLevel == "warn")
        #expect(options.collectorArguments == ["--no-collector.identity", "--collector.queues.max", "3"])
    }
}
