import Foundation
import GenesysFuzzTargets
import Testing

/// The committed fuzz corpus (seeds and regression inputs) as a regression suite without libFuzzer:
/// every file goes through the same entry function the fuzzer calls. A failure is a trap, which stops
/// the test run in the target's case; `scripts/fuzz 0` then names the file.
@Suite("Fuzz corpus replay")
struct FuzzCorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    static func inputs(of target: String) throws -> [URL] {
        let folder = corpus.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test func test_everyTargetHasASeedCorpus_andEveryCorpusATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        #expect(folders == FuzzTargets.all.map(\.name).sorted())
        for target in FuzzTargets.all {
            #expect(try Self.inputs(of: target.name).count >= 5, "\(target.name) has fewer than 5 seeds")
        }
    }

    @Test(arguments: FuzzTargets.all.map(\.name))
    func test_corpusInput_runsWithoutCrashing(target name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        for file in try Self.inputs(of: name) {
            target.run(Array(try Data(contentsOf: file)))
        }
    }
}
