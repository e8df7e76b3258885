import LaneCore

extension LaneVision {
    /// What the vision saw in the last frame, side by side at analysis size:
    /// the frame with zones and tracks; foreground (white) and shadow (grey);
    /// item pixels (red) against the customer's colours (blue). For `lanesight inspect`.
    public func debugView(frame: PlanarYUV) -> RGBImage {
        let w = width, h = height
        var img = RGBImage(width: w * 3, height: h)
        func put(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
            guard x >= 0, y >= 0, x < w * 3, y < h else { return }
            let i = (y * w * 3 + x) * 3
            img.pixels[i] = c.0; img.pixels[i + 1] = c.1; img.pixels[i + 2] = c.2
        }
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let c = ColorConversion.rgb(y: Int(frame.y[i]), u: Int(frame.u[i]), v: Int(frame.v[i]))
                put(x, y, (c.r, c.g, c.b))
                let l = model.labels[i]
                let g: UInt8 = l == 1 ? 255 : (l == 2 ? 90 : 0)
                put(w + x, y, (g, g, g))
                var c3: (UInt8, UInt8, UInt8) = (0, 0, 0)
                if itemMask[i] != 0 { c3 = (255, 40, 40) } else if l == 1 { c3 = (40, 60, 200) }
                put(2 * w + x, y, c3)
                let m = zones.membership[i]
                let edge = x + 1 < w && zones.membership[i + 1] != m || y + 1 < h && zones.membership[i + w] != m
                if edge && m & scanBits != 0 { put(x, y, (0, 255, 0)) } else if edge && m != 0 { put(x, y, (255, 0, 255)) }
            }
        }
        for t in tracks {
            let (x0, y0, x1, y1) = t.box
            let c: (UInt8, UInt8, UInt8) = t.emitted ? (0, 255, 255) : (255, 255, 0)
            for x in x0...max(x0, x1) { put(x, y0, c); put(x, y1, c); put(2 * w + x, y0, c); put(2 * w + x, y1, c) }
            for y in y0...max(y0, y1) { put(x0, y, c); put(x1, y, c); put(2 * w + x0, y, c); put(2 * w + x1, y, c) }
        }
        return img
    }

    /// For diagnosis: how the colour model sees the pixel at (x, y) of the analysis frame.
    public func explainPixel(x: Int, y: Int) -> String {
        let i = y * width + x
        let b = ArmColorModel.bin(y: model.normY[i], u: model.normU[i], v: model.normV[i])
        let e = palette.explain(bin: b)
        return String(format: "(%d,%d) yuv %.0f %.0f %.0f label %d prior %.2f presence %.3f recent %.3f item %.2f armness %d busy %d",
                      x, y, model.normY[i], model.normU[i], model.normV[i], model.labels[i], e.prior, e.presence, e.recent, e.item,
                      Int(e.armness), palette.busyFrames)
    }
}
