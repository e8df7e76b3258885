import Foundation

/// A minimal PNG writer (8-bit RGB or RGBA, stored deflate blocks): enough for
/// reference pictures and debug frames without another dependency.
enum PNGWriter {
    static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> Data {
        precondition(channels == 3 || channels == 4)
        precondition(pixels.count == width * height * channels)
        var raw = [UInt8]()
        raw.reserveCapacity((width * channels + 1) * height)
        for y in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(y * width * channels)..<((y + 1) * width * channels)])
        }
        var z: [UInt8] = [0x78, 0x01]
        var i = 0
        repeat {
            let n = min(65_535, raw.count - i)
            let last: UInt8 = i + n >= raw.count ? 1 : 0
            z.append(last)
            z.append(UInt8(n & 0xff)); z.append(UInt8(n >> 8))
            z.append(UInt8(~n & 0xff)); z.append(UInt8((~n >> 8) & 0xff))
            z.append(contentsOf: raw[i..<(i + n)])
            i += n
        } while i < raw.count
        let adler = adler32(raw)
        z += be32(adler)

        var out = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var ihdr = be32(UInt32(width)) + be32(UInt32(height))
        ihdr += [8, channels == 4 ? 6 : 2, 0, 0, 0]
        out.append(chunk("IHDR", ihdr))
        out.append(chunk("IDAT", z))
        out.append(chunk("IEND", []))
        return out
    }

    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

    private static func chunk(_ type: String, _ body: [UInt8]) -> Data {
        let t = Array(type.utf8)
        var d = Data(be32(UInt32(body.count)))
        d.append(contentsOf: t)
        d.append(contentsOf: body)
        d.append(contentsOf: be32(crc32(t + body)))
        return d
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xffff_ffff
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xffff_ffff
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + 5552)
            while i < end { a += UInt32(bytes[i]); b += a; i += 1 }
            a %= 65_521
            b %= 65_521
        }
        return (b << 16) | a
    }
}
