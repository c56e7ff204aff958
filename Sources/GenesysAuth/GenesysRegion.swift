/// A Genesys Cloud region: the API host is `api.<domain>`, the login host `login.<domain>`.
package struct GenesysRegion: Sendable, Equatable {
    package let domain: String
    package let awsRegion: String

    package var apiBaseURL: String { "https://api.\(domain)" }
    package var loginBaseURL: String { "https://login.\(domain)" }

    /// Every region the official Python SDK knows (release 269).
    package static let all: [GenesysRegion] = [
        .init(domain: "mypurecloud.com", awsRegion: "us-east-1"),
        .init(domain: "mypurecloud.ie", awsRegion: "eu-west-1"),
        .init(domain: "mypurecloud.com.au", awsRegion: "ap-southeast-2"),
        .init(domain: "mypurecloud.jp", awsRegion: "ap-northeast-1"),
        .init(domain: "mypurecloud.de", awsRegion: "eu-central-1"),
        .init(domain: "usw2.pure.cloud", awsRegion: "us-west-2"),
        .init(domain: "cac1.pure.cloud", awsRegion: "ca-central-1"),
        .init(domain: "apne2.pure.cloud", awsRegion: "ap-northeast-2"),
        .init(domain: "euw2.pure.cloud", awsRegion: "eu-west-2"),
        .init(domain: "aps1.pure.cloud", awsRegion: "ap-south-1"),
        .init(domain: "use2.us-gov-pure.cloud", awsRegion: "us-east-2"),
        .init(domain: "sae1.pure.cloud", awsRegion: "sa-east-1"),
        .init(domain: "mec1.pure.cloud", awsRegion: "me-central-1"),
        .init(domain: "apne3.pure.cloud", awsRegion: "ap-northeast-3"),
        .init(domain: "euc2.pure.cloud", awsRegion: "eu-central-2"),
        .init(domain: "mxc1.pure.cloud", awsRegion: "mx-central-1"),
        .init(domain: "apse1.pure.cloud", awsRegion: "ap-southeast-1"),
        .init(domain: "edee1.eusc-pure.cloud", awsRegion: "eusc-de-east-1"),
    ]

    /// Looks a region up by its domain (`mypurecloud.ie`), its AWS name (`eu-west-1`) or an API host.
    package static func named(_ name: String) -> GenesysRegion? {
        var key = name.lowercased()
        for prefix in ["https://", "http://", "api.", "login."] where key.hasPrefix(prefix) {
            key.removeFirst(prefix.count)
        }
        while key.hasSuffix("/") { key.removeLast() }
        return all.first { $0.domain == key || $0.awsRegion == key }
    }
}
