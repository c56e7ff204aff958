import Foundation
import SimulatorTestSupport
import Testing

@testable import GenesysBase

/// The exporter's own zoneinfo reader against full Foundation (ICU's zone data), which the tests may still use:
/// the UTC offset and the start of the local day over 1990–2045, in zones with daylight time in either
/// hemisphere, half- and quarter-hour offsets, midnight transitions and a skipped day.
@Suite("Time zone rules")
struct TimeZoneRulesTests {
    static let zones = [
        "Europe/Berlin", "America/New_York", "America/Santiago", "Asia/Kolkata", "Australia/Lord_Howe",
        "Pacific/Chatham", "America/St_Johns", "Asia/Tehran", "Pacific/Apia", "America/Havana", "Africa/Cairo",
        "Europe/London", "Australia/Sydney", "Asia/Tokyo",
    ]

    @Test(arguments: zones)
    func test_offsetsAndStartsOfDay_matchFoundation(_ name: String) throws {
        let rules = try #require(TimeZoneRules.named(name), "\(name) is in Debian's tzdata")
        let zone = try #require(TimeZone(identifier: name))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        // Every 77 h 0 min 1 s from 1990 to 2045: every hour of the day in turn (77 and 24 share no factor), both
        // sides of the changes. (Every 25 h cost 14 zones × 19,000 Foundation calendar calls, a tenth of the suite's
        // CPU on two cores.)
        var mismatches: [String] = []
        for instant in stride(from: Int64(631_152_000), to: 2_366_841_600, by: 277_201) {
            let date = Date(timeIntervalSince1970: Double(instant))
            let offset = Int32(zone.secondsFromGMT(for: date))
            let start = Int64(calendar.startOfDay(for: date).timeIntervalSince1970)
            if rules.offset(at: instant) != offset || rules.startOfDay(containing: instant) != start {
                mismatches.append(
                    "\(instant): offset \(rules.offset(at: instant)) vs \(offset), "
                        + "start \(rules.startOfDay(containing: instant)) vs \(start)")
            }
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches.prefix(5))")
    }

    @Test func test_utcAndItsAliases_needNoFile() {
        for name in ["UTC", "Etc/UTC", "GMT"] {
            #expect(TimeZoneRules.named(name, directory: "/nonexistent")?.offset(at: 1_795_751_400) == 0)
        }
        #expect(TimeZoneRules.utc.startOfDay(containing: 1_795_751_400) == 1_795_737_600)
    }

    @Test(arguments: ["Mars/Olympus_Mons", "../etc/passwd", "/etc/localtime", "Europe/../Europe/Berlin", "", "Europe/"])
    func test_unknownOrUnsafeNames_areRefused(_ name: String) {
        #expect(TimeZoneRules.named(name) == nil)
    }

    @Test func test_aFileThatIsNotTZif_isRefused() {
        // /usr/share/zoneinfo/tzdata.zi is the zone source text, not a compiled zone.
        #expect(TimeZoneRules.named("tzdata.zi") == nil)
    }

    /// Zones compiled "slim" keep few transitions and leave the rest to the footer's rule, so the rule decides
    /// every instant here: compared against the same zones compiled "fat".
    @Test func test_slimZones_followTheirFooterRule() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-slim-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = """
            Rule Test 2000 max - Mar lastSun 2:00 1:00 S
            Rule Test 2000 max - Oct Sun>=1 3:00 0 -
            Zone Test/North 1:00 Test CE%sT
            Rule South 2000 max - Apr Sun>=1 3:00 0 -
            Rule South 2000 max - Oct Sun>=1 2:00 1:00 -
            Zone Test/South 10:00 South AE%sT
            Zone Test/Fixed 5:30 - IST
            """
        let sourcePath = directory + ".zi"
        try (source + "\n").write(toFile: sourcePath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: sourcePath) }
        for (layout, folder) in [("slim", directory + "/slim"), ("fat", directory + "/fat")] {
            let zic = try SpawnedProcess.capture(
                "/usr/sbin/zic", ["-b", layout, "-d", folder, sourcePath], environment: [:], stream: 2)
            #expect(zic.termination == .success, "zic: \(zic.output)")
        }
        for name in ["Test/North", "Test/South", "Test/Fixed"] {
            let slim = try #require(TimeZoneRules.named(name, directory: directory + "/slim"))
            let fat = try #require(TimeZoneRules.named(name, directory: directory + "/fat"))
            #expect(slim.transitions.count < fat.transitions.count || fat.transitions.isEmpty, "\(name)")
            // 2001 to 2050: every 3 days and a second before, at and after each of the fat zone's transitions (the
            // slim zone computes those from its rule). Mismatches are collected: an `#expect` per instant cost more
            // than the comparisons.
            let range = Int64(978_307_200)..<2_524_608_000
            let instants =
                Array(stride(from: range.lowerBound, to: range.upperBound, by: 259_201))
                + fat.transitions.filter { range.contains($0.at) }.flatMap { [$0.at - 1, $0.at, $0.at + 1] }
            let mismatches = instants.filter { instant in
                slim.offset(at: instant) != fat.offset(at: instant)
                    || slim.startOfDay(containing: instant) != fat.startOfDay(containing: instant)
            }
            #expect(mismatches.isEmpty, "\(name) differs at \(mismatches.prefix(5))")
        }
    }
}
