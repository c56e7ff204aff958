// The libFuzzer driver: built only with GENESYS_FUZZ=1 and `-sanitize=fuzzer` (libFuzzer supplies `main`).
// GENESYS_FUZZ_TARGET names the target (see `FuzzTargets.all`); scripts/fuzz runs each in turn.
import GenesysFuzzTargets

#if canImport(Glibc)
import Glibc
#endif

let selectedTarget: FuzzTarget = {
    let name = getenv("GENESYS_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: " ")
        fputs("genesys-fuzz: set GENESYS_FUZZ_TARGET to one of: \(names)\n", stderr)
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerInitialize")
func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    _ = selectedTarget
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
