import Foundation
import Contract
import LaneCore
import MediaIO
import Rules
import Vision

/// Appearance descriptors of catalog products from their reference images
/// (top views). The product is separated from its background by the alpha
/// channel when there is one, else by how far each pixel is from the border colour.
public enum CatalogAppearance {
    public struct Loaded: Sendable {
        /// Per product, one descriptor per picture.
        public var descriptors: [String: [AppearanceDescriptor]] = [:]
        /// Per product, its pixel area in its (first) picture.
        public var areas: [String: Double] = [:]
        /// All products' colours.
        public var palette = ItemPalette()

        public var counter: ItemCounter {
            ItemCounter(references: descriptors.compactMapValues(\.first), referenceAreas: areas)
        }
    }

    public static func load(_ catalog: Catalog) throws -> Loaded {
        var out = Loaded()
        for item in catalog.items {
            for url in item.images {
                let (rgb, alpha) = try ImageFile.read(url)
                let mask = productMask(rgb: rgb, alpha: alpha)
                if let d = AppearanceAccumulator.descriptor(rgb: rgb, mask: mask) { out.descriptors[item.sku, default: []].append(d) }
                if out.areas[item.sku] == nil { out.areas[item.sku] = Double(mask.reduce(0) { $0 + ($1 ? 1 : 0) }) }
                out.palette.add(rgb: rgb, mask: mask)
            }
        }
        return out
    }

    public static func descriptor(rgb: RGBImage, alpha: [UInt8]?) -> AppearanceDescriptor? {
        AppearanceAccumulator.descriptor(rgb: rgb, mask: productMask(rgb: rgb, alpha: alpha))
    }

    /// The product's pixels: opaque ones, or those unlike the border colour.
    public static func productMask(rgb: RGBImage, alpha: [UInt8]?) -> [Bool] {
        let n = rgb.width * rgb.height
        var mask = [Bool](repeating: false, count: n)
        if let alpha, alpha.contains(where: { $0 < 128 }) {
            for i in 0..<n { mask[i] = alpha[i] >= 128 }
        } else {
            // Border colour = the median of the outermost pixels.
            var border: [(Int, Int, Int)] = []
            let p = rgb.pixels
            func px(_ x: Int, _ y: Int) -> (Int, Int, Int) {
                let i = (y * rgb.width + x) * 3
                return (Int(p[i]), Int(p[i + 1]), Int(p[i + 2]))
            }
            for x in 0..<rgb.width { border.append(px(x, 0)); border.append(px(x, rgb.height - 1)) }
            for y in 0..<rgb.height { border.append(px(0, y)); border.append(px(rgb.width - 1, y)) }
            let r = border.map(\.0).sorted()[border.count / 2]
            let g = border.map(\.1).sorted()[border.count / 2]
            let b = border.map(\.2).sorted()[border.count / 2]
            for y in 0..<rgb.height {
                for x in 0..<rgb.width {
                    let c = px(x, y)
                    mask[y * rgb.width + x] = abs(c.0 - r) + abs(c.1 - g) + abs(c.2 - b) > 40
                }
            }
        }
        return mask
    }

    /// A short fingerprint of the catalog (products, descriptions, image bytes),
    /// so learned appearance is only reused with the catalog it was learned under.
    public static func fingerprint(_ catalog: Catalog?) -> String {
        guard let catalog else { return "nocatalog" }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        for item in catalog.items.sorted(by: { $0.sku < $1.sku }) {
            mix(item.sku.utf8); mix([0])
            mix((item.description ?? "").utf8); mix([0])
            for url in item.images {
                if let data = try? Data(contentsOf: url) { mix(data) }
            }
        }
        return String(h, radix: 16)
    }
}
