import CLaneCV
import Contract
import Foundation
import LaneCore

public struct ZoneOverlay: Sendable {
    public var name: String
    public var role: ZoneRole
    public var polygon: [NormalizedPoint]
    public init(name: String, role: ZoneRole, polygon: [NormalizedPoint]) {
        self.name = name; self.role = role; self.polygon = polygon
    }
    public init(_ zone: Zone) { self.init(name: zone.name, role: zone.role, polygon: zone.polygon) }
}

public struct BoxOverlay: Sendable {
    public var rect: NormalizedRect
    public var label: String
    public init(rect: NormalizedRect, label: String) { self.rect = rect; self.label = label }
}

public struct KeyframeAnnotation: Sendable {
    public var zones: [ZoneOverlay]
    public var boxes: [BoxOverlay]
    /// Top banner, e.g. "fake_scan 09:03:26.697 conf 0.91".
    public var caption: String
    public init(zones: [ZoneOverlay] = [], boxes: [BoxOverlay] = [], caption: String = "") {
        self.zones = zones; self.boxes = boxes; self.caption = caption
    }
}

public struct EvidenceError: Error, CustomStringConvertible, Sendable {
    /// The file concerned, when there is one.
    public var path: String?
    public var message: String
    public init(path: String? = nil, message: String) { self.path = path; self.message = message }
    public var description: String { path.map { "\($0): \(message)" } ?? message }
}

public protocol KeyframeRenderer: Sendable {
    func jpeg(_ image: RGBImage, annotation: KeyframeAnnotation, quality: Int) throws -> Data
}

/// Draws zones as translucent polygons coloured by role, item boxes with labels, and the
/// caption in a banner along the top, then encodes a JPEG at the image's own size.
/// Text is ASCII (OpenCV's Hershey font): other characters become '?'.
public struct OpenCVKeyframeRenderer: KeyframeRenderer {
    /// Opacity of the zone fills.
    public var zoneFill: Double = 0.18

    public init() {}

    public static func colour(_ role: ZoneRole) -> (UInt8, UInt8, UInt8) {
        switch role {
        case .pickup: return (66, 135, 245)    // blue
        case .scan: return (250, 204, 21)      // yellow
        case .bagging: return (34, 197, 94)    // green
        case .customer: return (34, 211, 238)  // cyan
        case .cashier: return (217, 70, 239)   // magenta
        case .drawer: return (249, 115, 22)    // orange
        case .ignore: return (148, 148, 148)   // grey
        }
    }

    static let boxColour: (UInt8, UInt8, UInt8) = (239, 68, 68)  // red

    public func jpeg(_ image: RGBImage, annotation: KeyframeAnnotation, quality: Int) throws -> Data {
        guard image.width > 0, image.height > 0, image.pixels.count == image.width * image.height * 3 else {
            throw EvidenceError(message: "keyframe: empty or malformed image \(image.width)x\(image.height)")
        }
        guard (1...100).contains(quality) else { throw EvidenceError(message: "keyframe: JPEG quality must be 1…100, got \(quality)") }
        let canvas = try Canvas(image)
        try draw(annotation, on: canvas)
        return try canvas.jpeg(quality: quality)
    }

    /// The annotated pixels, without encoding (for tests and previews).
    public func render(_ image: RGBImage, annotation: KeyframeAnnotation) throws -> RGBImage {
        let canvas = try Canvas(image)
        try draw(annotation, on: canvas)
        return try canvas.rgb()
    }

    private func draw(_ a: KeyframeAnnotation, on c: Canvas) throws {
        let w = c.width, h = c.height
        // Line widths and text scale with the picture: 1 px at 320 wide, 3 px at 1280.
        let unit = max(1.0, Double(min(w, h * 16 / 9)) / 480)
        let line = max(1, Int(unit.rounded()))
        let textScale = 0.35 * unit
        let textThickness = max(1, Int((unit / 1.5).rounded()))
        func px(_ p: NormalizedPoint) -> (Int32, Int32) {
            (Int32((p.x * Double(w)).rounded()), Int32((p.y * Double(h)).rounded()))
        }

        for zone in a.zones where zone.polygon.count >= 2 {
            let col = Self.colour(zone.role)
            let points = zone.polygon.flatMap { p -> [Int32] in let q = px(p); return [q.0, q.1] }
            try c.check(lcv_draw_polygon(c.handle, points, Int32(zone.polygon.count), col.0, col.1, col.2,
                                         Int32(line), zone.role == .ignore ? 0.35 : zoneFill))
            if !zone.name.isEmpty {
                let top = zone.polygon.min { $0.y < $1.y || ($0.y == $1.y && $0.x < $1.x) }!
                let q = px(top)
                try c.label(zone.name, x: Int(q.0) + line + 1, y: Int(q.1) + line + 1, scale: textScale, thickness: textThickness,
                            fg: (255, 255, 255), bg: col, bgAlpha: 0.55)
            }
        }
        for box in a.boxes {
            let x = Int((box.rect.x * Double(w)).rounded()), y = Int((box.rect.y * Double(h)).rounded())
            let bw = Int((box.rect.width * Double(w)).rounded()), bh = Int((box.rect.height * Double(h)).rounded())
            let col = Self.boxColour
            try c.check(lcv_draw_rect(c.handle, Int32(x), Int32(y), Int32(max(bw, 1)), Int32(max(bh, 1)),
                                      col.0, col.1, col.2, Int32(line + 1)))
            if !box.label.isEmpty {
                let size = try c.textSize(box.label, scale: textScale, thickness: textThickness)
                let pad = line + 1
                // Above the box when there is room, else inside its top edge.
                let ly = y - size.height - size.baseline - 2 * pad >= 0 ? y - size.height - size.baseline - 2 * pad : y + line + 1
                try c.label(box.label, x: x, y: ly, scale: textScale, thickness: textThickness,
                            fg: (255, 255, 255), bg: col, bgAlpha: 0.85)
            }
        }
        if !a.caption.isEmpty {
            let scale = textScale * 1.3
            let thickness = max(textThickness, Int((unit / 1.2).rounded()))
            let size = try c.textSize(a.caption, scale: scale, thickness: thickness)
            let pad = max(3, Int(4 * unit))
            let bannerHeight = size.height + size.baseline + 2 * pad
            try c.check(lcv_fill_rect(c.handle, 0, 0, Int32(w), Int32(bannerHeight), 0, 0, 0, 0.65))
            try c.check(lcv_draw_text(c.handle, Canvas.ascii(a.caption), Int32(pad), Int32(pad), scale, Int32(thickness),
                                      255, 255, 255))
        }
    }
}

/// Owns one CLaneCV canvas.
final class Canvas {
    let handle: OpaquePointer
    let width: Int
    let height: Int

    init(_ image: RGBImage) throws {
        guard let h = image.pixels.withUnsafeBufferPointer({ lcv_canvas_create(Int32(image.width), Int32(image.height), $0.baseAddress) }) else {
            throw EvidenceError(message: "keyframe: " + String(cString: lcv_last_error()))
        }
        handle = h
        width = image.width
        height = image.height
    }

    deinit { lcv_canvas_free(handle) }

    func check(_ code: Int32) throws {
        if code != 0 { throw EvidenceError(message: "keyframe: " + String(cString: lcv_last_error())) }
    }

    /// Hershey fonts only have ASCII glyphs.
    static func ascii(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.isASCII && $0.value >= 32 && $0.value < 127 ? Character($0) : "?" })
    }

    func textSize(_ text: String, scale: Double, thickness: Int) throws -> (width: Int, height: Int, baseline: Int) {
        var w: Int32 = 0, h: Int32 = 0, b: Int32 = 0
        try check(lcv_text_size(Self.ascii(text), scale, Int32(thickness), &w, &h, &b))
        return (Int(w), Int(h), Int(b))
    }

    func label(_ text: String, x: Int, y: Int, scale: Double, thickness: Int, fg: (UInt8, UInt8, UInt8),
               bg: (UInt8, UInt8, UInt8), bgAlpha: Double) throws {
        let size = try textSize(text, scale: scale, thickness: thickness)
        let pad = max(2, thickness + 1)
        // Keep the label on the picture.
        let lx = min(max(0, x), max(0, width - size.width - 2 * pad))
        let ly = min(max(0, y), max(0, height - size.height - size.baseline - 2 * pad))
        try check(lcv_fill_rect(handle, Int32(lx), Int32(ly), Int32(size.width + 2 * pad),
                                Int32(size.height + size.baseline + 2 * pad), bg.0, bg.1, bg.2, bgAlpha))
        try check(lcv_draw_text(handle, Self.ascii(text), Int32(lx + pad), Int32(ly + pad), scale, Int32(thickness), fg.0, fg.1, fg.2))
    }

    func jpeg(quality: Int) throws -> Data {
        var bytes: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        try check(lcv_encode_jpeg(handle, Int32(quality), &bytes, &size))
        guard let bytes else { throw EvidenceError(message: "keyframe: the JPEG encoder returned nothing") }
        defer { lcv_free(bytes) }
        return Data(bytes: bytes, count: size)
    }

    func rgb() throws -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        try check(pixels.withUnsafeMutableBufferPointer { lcv_canvas_read_rgb(handle, $0.baseAddress) })
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
