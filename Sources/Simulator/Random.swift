import Foundation

/// SplitMix64: small, fast, and the same sequence on every platform, so a
/// seed always renders the same lane.
struct SimRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// An independent stream for one purpose, so adding draws to one part of
    /// the simulator does not reshuffle another.
    init(seed: UInt64, stream: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in stream.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        state = seed &* 0x9E37_79B9_7F4A_7C15 ^ h
        _ = next(); _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.upperBound - r.lowerBound + 1)) }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
    mutating func sign() -> Double { chance(0.5) ? 1 : -1 }
    mutating func normal() -> Double {
        let u1 = max(unit(), 1e-12), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }
    mutating func shuffled<T>(_ a: [T]) -> [T] {
        var b = a
        if b.count > 1 {
            for i in stride(from: b.count - 1, to: 0, by: -1) {
                let j = Int(next() % UInt64(i + 1))
                b.swapAt(i, j)
            }
        }
        return b
    }
    /// Index drawn with the given weights.
    mutating func weighted(_ w: [Double]) -> Int {
        let total = w.reduce(0, +)
        var x = unit() * total
        for (i, v) in w.enumerated() {
            x -= v
            if x < 0 { return i }
        }
        return w.count - 1
    }
}

/// Seeded value noise for textures (counter grain, fabric, produce skins).
struct ValueNoise: Sendable {
    let seed: UInt64
    init(seed: UInt64) { self.seed = seed }

    @inline(__always)
    func lattice(_ ix: Int, _ iy: Int) -> Double {
        var h = seed ^ (UInt64(bitPattern: Int64(ix)) &* 0x9E37_79B1_85EB_CA87) ^ (UInt64(bitPattern: Int64(iy)) &* 0xC2B2_AE3D_27D4_EB4F)
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return Double(h >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Smooth noise in [0, 1].
    func value(_ x: Double, _ y: Double) -> Double {
        let fx = x.rounded(.down), fy = y.rounded(.down)
        let ix = Int(fx), iy = Int(fy)
        var tx = x - fx, ty = y - fy
        tx = tx * tx * (3 - 2 * tx)
        ty = ty * ty * (3 - 2 * ty)
        let a = lattice(ix, iy), b = lattice(ix + 1, iy)
        let c = lattice(ix, iy + 1), d = lattice(ix + 1, iy + 1)
        return mix(mix(a, b, tx), mix(c, d, tx), ty)
    }

    /// Fractal sum, roughly in [0, 1], centred on 0.5.
    func fbm(_ x: Double, _ y: Double, octaves: Int = 4, gain: Double = 0.5) -> Double {
        var s = 0.0, amp = 0.5, f = 1.0, norm = 0.0
        for o in 0..<octaves {
            s += amp * value(x * f + Double(o) * 17.3, y * f - Double(o) * 9.1)
            norm += amp
            amp *= gain
            f *= 2.03
        }
        return s / norm
    }

    /// Per-cell random in [0, 1): speckle, fibres.
    @inline(__always)
    func hash(_ x: Double, _ y: Double) -> Double { lattice(Int(x.rounded(.down)), Int(y.rounded(.down))) }
}
