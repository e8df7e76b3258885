import CFFmpeg
import LaneCore

/// A decoded frame kept for later, by reference: the decoder's buffer stays alive (and is
/// never written again: FFmpeg only reuses a pooled buffer once every reference is gone),
/// so holding one costs a reference, not a copy. Converted to RGB only when asked, which
/// for evidence is a handful of frames out of thousands.
///
/// Sendable: the frame is immutable once held, and each conversion uses its own scaler
/// (crops use their caller's, which belongs to one lane).
public final class HeldFrame: @unchecked Sendable {
    let frame: UnsafeMutablePointer<AVFrame>

    init?(referencing source: UnsafeMutablePointer<AVFrame>) {
        guard let f = av_frame_alloc() else { return nil }
        guard av_frame_ref(f, source) >= 0 else {
            var o: UnsafeMutablePointer<AVFrame>? = f
            av_frame_free(&o)
            return nil
        }
        frame = f
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
    }

    public var width: Int { Int(frame.pointee.width) }
    public var height: Int { Int(frame.pointee.height) }

    /// As RGB, scaled down (aspect kept) only when wider than `maxWidth`; the same
    /// conversion as `VideoSource.snapshot(maxWidth:)`.
    public func rgb(maxWidth: Int) -> RGBImage? {
        let (ow, oh) = snapshotSize(width: width, height: height, maxWidth: maxWidth)
        var context: OpaquePointer? = nil
        defer { sws_freeContext(context) }
        return convertToRGB(frame, width: ow, height: oh, context: &context)
    }
}

extension HeldFrame {
    /// A square of the frame (top-left `x`, `y` and `side` in frame pixels) scaled to
    /// `size` × `size` RGB by swscale's area filter: what FFmpeg's
    /// `crop=side:side:x:y,scale=size:size:flags=area` gives, which the learned
    /// counter was trained on. Like that filter, the corner and side are rounded
    /// down to the chroma grid. Nil when the square is not inside the frame.
    public func squareRGB(x: Int, y: Int, side: Int, size: Int, scaler: SquareScaler) -> RGBImage? {
        guard let desc = av_pix_fmt_desc_get(AVPixelFormat(frame.pointee.format)) else { return nil }
        let hmask = ~((1 << Int(desc.pointee.log2_chroma_w)) - 1), vmask = ~((1 << Int(desc.pointee.log2_chroma_h)) - 1)
        let x0 = x & hmask, y0 = y & vmask, w = side & hmask, h = side & vmask
        guard size > 0, w > 0, h > 0, x0 >= 0, y0 >= 0, x0 + w <= width, y0 + h <= height,
              let cut = av_frame_alloc() else { return nil }
        var cutOpt: UnsafeMutablePointer<AVFrame>? = cut
        defer { av_frame_free(&cutOpt) }
        guard av_frame_ref(cut, frame) >= 0 else { return nil }
        cut.pointee.crop_left = x0
        cut.pointee.crop_top = y0
        cut.pointee.crop_right = width - x0 - w
        cut.pointee.crop_bottom = height - y0 - h
        // Unaligned: the plane pointers move to the exact corner (swscale does not need alignment).
        guard av_frame_apply_cropping(cut, Int32(AV_FRAME_CROP_UNALIGNED)) >= 0 else { return nil }
        return convertToRGB(cut, width: size, height: size, context: &scaler.context, flags: SWS_AREA)
    }
}

/// An swscale context kept between crops of one size (making one per crop costs
/// more than the scaling). One lane's, used from one thread.
public final class SquareScaler {
    var context: OpaquePointer?
    public init() {}
    deinit { sws_freeContext(context) }
}

/// Only ever scales down, keeping the aspect ratio.
func snapshotSize(width w: Int, height h: Int, maxWidth: Int) -> (Int, Int) {
    guard maxWidth > 0 && w > maxWidth else { return (w, h) }
    return (maxWidth, max(1, Int((Double(h) * Double(maxWidth) / Double(w)).rounded())))
}
