/// Conversation totals of one queue and media type over an interval, as the aggregates query counts them.
package struct SimulatedAggregate: Sendable, Equatable {
    /// `nOffered`: conversations offered to the queue (also `tWait`'s count).
    package var offered: Int
    /// `tAnswered`'s count.
    package var answered: Int
    /// `tAbandon`'s count.
    package var abandoned: Int
    /// `tShortAbandon`'s count (a part of `abandoned`).
    package var shortAbandoned: Int
    /// `nOverSla`: answered after the service-level threshold (a part of `answered`).
    package var overSla: Int
    /// `tHandle`'s count: handling that ended in the interval.
    package var handled: Int
    /// `tAnswered`'s sum in milliseconds.
    package var answerMillis: Int64
    /// `tHandle`'s sum in milliseconds.
    package var handleMillis: Int64
    /// `tWait`'s sum in milliseconds.
    package var waitMillis: Int64
    /// `tAbandon`'s sum in milliseconds.
    package var abandonMillis: Int64
    /// `tShortAbandon`'s sum in milliseconds.
    package var shortAbandonMillis: Int64

    /// Creates totals; every field defaults to zero.
    package init(
        offered: Int = 0, answered: Int = 0, abandoned: Int = 0, shortAbandoned: Int = 0, overSla: Int = 0,
        handled: Int = 0, answerMillis: Int64 = 0, handleMillis: Int64 = 0, waitMillis: Int64 = 0,
        abandonMillis: Int64 = 0, shortAbandonMillis: Int64 = 0
    ) {
        self.offered = offered
        self.answered = answered
        self.abandoned = abandoned
        self.shortAbandoned = shortAbandoned
        self.overSla = overSla
        self.handled = handled
        self.answerMillis = answerMillis
        self.handleMillis = handleMillis
        self.waitMillis = waitMillis
        self.abandonMillis = abandonMillis
        self.shortAbandonMillis = shortAbandonMillis
    }
}

/// The event-time model behind the conversation aggregates: every count is a cumulative, monotone
/// non-decreasing function of the event time (integer Unix milliseconds) in closed form, and an interval's
/// total is `C(end) - C(start)`. Consecutive intervals therefore add up exactly to one query over their union,
/// however long they are, and a query costs the same for a minute as for a week.
///
/// - offered `O(t) = (t - epoch) * rate / 1_000_000` (rate: offered per 1000 s, per queue and media type).
/// - Every other count is a per-mille share of a monotone parent: answered of offered, abandoned of the
///   unanswered rest, short abandons of abandoned, over-SLA of answered. A share `floor(P * s / 1000)` of a
///   monotone `P` grows by at most what `P` grows by, so over any interval answered + abandoned <= offered,
///   shortAbandoned <= abandoned and overSla <= answered.
/// - handled `H(t) = A(t - handleLag)`: handling ends one average handle time after the answer.
/// - A timer's sum over its first `N` events is `S(N) = N * avg + f(N)` with `0 <= f < 1000 < avg` (f(0) = 0),
///   so every single duration `S(n) - S(n-1)` lies in `(avg - 1000, avg + 1000)`: sums are monotone and additive.
///
/// Times are clamped to `epoch...horizon` first. The epoch (2026-01-01) and the horizon (2100-01-01, the last
/// year an interval may name) keep every product small: at most 2.4e12 ms * rate 200 = 4.7e14, and at most
/// 4.7e8 events * avg 600,000 ms = 2.8e14, far below Int64's 9.2e18.
struct AggregateModel: Sendable {
    /// 2026-01-01T00:00:00Z: nothing happened before it.
    static let epochMillis: Int64 = 1_767_225_600_000
    /// 2100-01-01T00:00:00Z: the clamp that bounds every product (see the type's comment).
    static let horizonMillis: Int64 = 4_102_444_800_000
    /// Rates are offered conversations per this many milliseconds (1000 s).
    static let rateUnitMillis: Int64 = 1_000_000
    /// Offered per 1000 s, by media type (voice, chat, email, callback, message): voice 0.005–0.2 per second.
    static let offeredRates: [ClosedRange<Int64>] = [5...200, 2...60, 1...40, 1...20, 2...50]
    /// Service-level targets a queue draws from (0.8 twice as likely).
    static let serviceTargets: [Double] = [0.8, 0.8, 0.9, 0.7]

    /// The constants of one queue and media type, all drawn from `StableHash`.
    struct Profile: Sendable {
        let queueIndex: Int
        let media: Int
        let offeredRate: Int64
        let answeredPerMille: Int64
        let abandonedPerMille: Int64
        let shortPerMille: Int64
        let overSlaPerMille: Int64
        let answerAverage: Int64
        let abandonAverage: Int64
        let shortAverage: Int64
        let handleAverage: Int64
        let waitAverage: Int64

        init(queueIndex: Int, media: Int) {
            func draw(_ seed: Int, _ range: ClosedRange<Int64>) -> Int64 {
                let width = UInt64(range.upperBound - range.lowerBound + 1)
                return range.lowerBound + Int64(StableHash.value(queueIndex, media, 0xA0 + seed) % width)
            }
            self.queueIndex = queueIndex
            self.media = media
            offeredRate = draw(0, AggregateModel.offeredRates[media])
            answeredPerMille = draw(1, 820...970)
            abandonedPerMille = draw(2, 700...1000)
            shortPerMille = draw(3, 100...400)
            overSlaPerMille = draw(4, 30...300)
            answerAverage = draw(5, 4_000...45_000)
            abandonAverage = draw(6, 15_000...120_000)
            shortAverage = draw(7, 2_500...4_000)
            handleAverage = draw(8, 120_000...600_000)
            waitAverage = draw(9, 5_000...60_000)
        }
    }

    /// Which timer a sum belongs to; each has its own `f`.
    enum Timer: Int, Sendable {
        case answer = 1
        case abandon
        case shortAbandon
        case handle
        case wait
    }

    /// The cumulative counts up to one instant.
    struct Cumulative: Sendable {
        var offered: Int64 = 0
        var answered: Int64 = 0
        var abandoned: Int64 = 0
        var shortAbandoned: Int64 = 0
        var overSla: Int64 = 0
        var handled: Int64 = 0
    }

    static func mediaIndex(_ mediaType: String) -> Int? {
        ObservationModel.mediaTypes.firstIndex(of: mediaType == "call" ? "voice" : mediaType)
    }

    /// The queue's service-level target.
    static func serviceTarget(queueIndex: Int) -> Double {
        serviceTargets[Int(StableHash.value(queueIndex, 0xB0) % UInt64(serviceTargets.count))]
    }

    private static func clamp(_ t: Int64) -> Int64 {
        min(max(t, epochMillis), horizonMillis)
    }

    private static func share(_ parent: Int64, _ perMille: Int64) -> Int64 {
        parent * perMille / 1000
    }

    private static func answered(at t: Int64, _ profile: Profile) -> (offered: Int64, answered: Int64) {
        let offered = (clamp(t) - epochMillis) * profile.offeredRate / rateUnitMillis
        return (offered, share(offered, profile.answeredPerMille))
    }

    /// Every count up to `t` (events at or before `t`).
    static func cumulative(at t: Int64, _ profile: Profile) -> Cumulative {
        var c = Cumulative()
        (c.offered, c.answered) = answered(at: t, profile)
        c.abandoned = share(c.offered - c.answered, profile.abandonedPerMille)
        c.shortAbandoned = share(c.abandoned, profile.shortPerMille)
        c.overSla = share(c.answered, profile.overSlaPerMille)
        // `clamp` keeps `t - lag` from overflowing for any Int64 `t` before subtracting.
        c.handled = answered(at: clamp(t) - profile.handleAverage, profile).answered
        return c
    }

    /// `S(N)`: the sum of a timer's first `count` durations in milliseconds.
    static func timerSum(_ timer: Timer, count: Int64, _ profile: Profile) -> Int64 {
        count * average(timer, profile) + jitter(timer, count, profile)
    }

    /// The smallest and largest single duration among events `first...last` (1-based): exact for up to 256
    /// events, otherwise the model's bounds `avg - 999...avg + 999` (a query stays O(1)).
    static func timerRange(_ timer: Timer, events: ClosedRange<Int64>, _ profile: Profile) -> (min: Int64, max: Int64) {
        let average = average(timer, profile)
        guard events.count <= 256 else { return (average - 999, average + 999) }
        var low = Int64.max
        var high = Int64.min
        var previous = jitter(timer, events.lowerBound - 1, profile)
        for n in events {
            let current = jitter(timer, n, profile)
            let duration = average + current - previous
            low = min(low, duration)
            high = max(high, duration)
            previous = current
        }
        return (low, high)
    }

    private static func average(_ timer: Timer, _ profile: Profile) -> Int64 {
        switch timer {
        case .answer: profile.answerAverage
        case .abandon: profile.abandonAverage
        case .shortAbandon: profile.shortAverage
        case .handle: profile.handleAverage
        case .wait: profile.waitAverage
        }
    }

    /// `f(N)` in `0..<1000`, 0 for N = 0.
    private static func jitter(_ timer: Timer, _ count: Int64, _ profile: Profile) -> Int64 {
        guard count > 0 else { return 0 }
        return Int64(StableHash.value(profile.queueIndex, profile.media, 0xC0 + timer.rawValue, Int(count)) % 1000)
    }

    /// Totals over `[from, to)` (counts of `cumulative(to) - cumulative(from)`) with the timer sums.
    static func totals(from: Int64, to: Int64, _ profile: Profile) -> SimulatedAggregate {
        let a = cumulative(at: from, profile)
        let b = cumulative(at: max(from, to), profile)
        func sum(_ timer: Timer, _ keyPath: KeyPath<Cumulative, Int64>) -> Int64 {
            timerSum(timer, count: b[keyPath: keyPath], profile) - timerSum(timer, count: a[keyPath: keyPath], profile)
        }
        return SimulatedAggregate(
            offered: Int(b.offered - a.offered),
            answered: Int(b.answered - a.answered),
            abandoned: Int(b.abandoned - a.abandoned),
            shortAbandoned: Int(b.shortAbandoned - a.shortAbandoned),
            overSla: Int(b.overSla - a.overSla),
            handled: Int(b.handled - a.handled),
            answerMillis: sum(.answer, \.answered),
            handleMillis: sum(.handle, \.handled),
            waitMillis: sum(.wait, \.offered),
            abandonMillis: sum(.abandon, \.abandoned),
            shortAbandonMillis: sum(.shortAbandon, \.shortAbandoned))
    }

    /// The instant up to which events are visible: the wall clock minus the settle delay, in Unix ms.
    static func visibleUntil(wallSeconds: Double, settleDelay: Duration) -> Int64 {
        let wall = wallSeconds.isFinite ? min(max(wallSeconds, 0), Double(horizonMillis) / 1000) : 0
        let (seconds, attoseconds) = settleDelay.components
        // A negative delay counts as zero; anything past a year is treated as a year.
        let delayMillis = seconds < 0 ? 0 : min(seconds, 366 * 86_400) * 1000 + attoseconds / 1_000_000_000_000_000
        return max(0, Int64((wall * 1000).rounded(.down)) - delayMillis)
    }
}
