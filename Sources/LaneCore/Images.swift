/// The analysis copy of a frame: three 8-bit planes (Y, U, V) of the same size,
/// BT.601 limited range as FFmpeg's swscale writes them.
public struct PlanarYUV: Sendable {
    public let width: Int
    public let height: Int
    public var y: [UInt8]
    public var u: [UInt8]
    public var v: [UInt8]

    public init(width: Int, height: Int, y: [UInt8], u: [UInt8], v: [UInt8]) {
        precondition(y.count == width * height && u.count == y.count && v.count == y.count)
        self.width = width
        self.height = height
        self.y = y
        self.u = u
        self.v = v
    }

    public init(width: Int, height: Int, fillY: UInt8 = 16, fillU: UInt8 = 128, fillV: UInt8 = 128) {
        self.width = width
        self.height = height
        let n = width * height
        y = [UInt8](repeating: fillY, count: n)
        u = [UInt8](repeating: fillU, count: n)
        v = [UInt8](repeating: fillV, count: n)
    }
}

/// Packed 8-bit RGB, rows without padding.
public struct RGBImage: Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        self.width = width
        self.height = height
        var p = [UInt8](repeating: 0, count: width * height * 3)
        if fill != (0, 0, 0) {
            for i in stride(from: 0, to: p.count, by: 3) {
                p[i] = fill.0; p[i + 1] = fill.1; p[i + 2] = fill.2
            }
        }
        pixels = p
    }
}

/// BT.601 limited-range conversions, the ones swscale uses by default, so that
/// colours computed from reference images and from decoded video agree.
public enum ColorConversion {
    @inline(__always)
    public static func yuv(r: Int, g: Int, b: Int) -> (y: UInt8, u: UInt8, v: UInt8) {
        let y = (66 * r + 129 * g + 25 * b + 128) >> 8 + 16
        let u = (-38 * r - 74 * g + 112 * b + 128) >> 8 + 128
        let v = (112 * r - 94 * g - 18 * b + 128) >> 8 + 128
        return (UInt8(clamping: y), UInt8(clamping: u), UInt8(clamping: v))
    }

    @inline(__always)
    public static func rgb(y: Int, u: Int, v: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let c = y - 16, d = u - 128, e = v - 128
        let r = (298 * c + 409 * e + 128) >> 8
        let g = (298 * c - 100 * d - 208 * e + 128) >> 8
        let b = (298 * c + 516 * d + 128) >> 8
        return (UInt8(clamping: r), UInt8(clamping: g), UInt8(clamping: b))
    }
}
