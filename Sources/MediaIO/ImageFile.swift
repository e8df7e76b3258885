import CFFmpeg
import Foundation
import LaneCore

/// PNG and JPEG files through libavcodec (catalog reference pictures, test fixtures).
public enum ImageFile {
    /// The picture as RGB, and its alpha plane when it has one that is not fully opaque.
    public static func read(_ url: URL) throws(MediaError) -> (rgb: RGBImage, alpha: [UInt8]?) {
        _ = ffmpegLogging
        let file = url.path
        try checkLocalFile(file)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw MediaError(url: file, message: "cannot read: \(error.localizedDescription)")
        }
        let bytes = [UInt8](data.prefix(8))
        let codecID: AVCodecID
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            codecID = AV_CODEC_ID_PNG
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            codecID = AV_CODEC_ID_MJPEG
        } else {
            throw MediaError(url: file, message: "not a PNG or JPEG image")
        }
        let kind = codecID == AV_CODEC_ID_PNG ? "PNG" : "JPEG"
        guard let codec = avcodec_find_decoder(codecID), let ctx = avcodec_alloc_context3(codec) else {
            throw MediaError(url: file, message: "no \(kind) decoder in this FFmpeg")
        }
        var ctxOpt: UnsafeMutablePointer<AVCodecContext>? = ctx
        defer { avcodec_free_context(&ctxOpt) }
        ctx.pointee.thread_count = 1
        var r = avcodec_open2(ctx, codec, nil)
        if r < 0 { throw MediaError(url: file, message: "cannot open the \(kind) decoder: \(avErrorText(r))") }
        guard let packet = av_packet_alloc(), let frame = av_frame_alloc() else { throw MediaError(url: file, message: "out of memory") }
        var packetOpt: UnsafeMutablePointer<AVPacket>? = packet
        var frameOpt: UnsafeMutablePointer<AVFrame>? = frame
        defer { av_packet_free(&packetOpt); av_frame_free(&frameOpt) }
        r = av_new_packet(packet, Int32(data.count))
        if r < 0 { throw MediaError(url: file, message: "out of memory") }
        data.withUnsafeBytes { packet.pointee.data.update(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: data.count) }
        r = avcodec_send_packet(ctx, packet)
        if r >= 0 { r = avcodec_send_packet(ctx, nil) }
        if r >= 0 { r = avcodec_receive_frame(ctx, frame) }
        if r < 0 { throw MediaError(url: file, message: "corrupt \(kind) image: \(avErrorText(r))") }
        let w = Int(frame.pointee.width), h = Int(frame.pointee.height)
        guard w > 0, h > 0 else { throw MediaError(url: file, message: "the \(kind) image has no pixels") }

        let src = AVPixelFormat(frame.pointee.format)
        if lanesight_pix_fmt_has_alpha(src) == 0 {
            var context: OpaquePointer? = nil
            defer { sws_freeContext(context) }
            guard let rgb = convertToRGB(frame, width: w, height: h, context: &context) else {
                throw MediaError(url: file, message: "cannot convert pixel format \(pixelFormatName(frame.pointee.format)) to RGB")
            }
            return (rgb, nil)
        }
        // With alpha: go through RGBA and split.
        guard let sws = sws_getContext(Int32(w), Int32(h), src, Int32(w), Int32(h), AV_PIX_FMT_RGBA,
                                       SWS_POINT | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nil, nil, nil),
              let out = av_frame_alloc() else {
            throw MediaError(url: file, message: "cannot convert pixel format \(pixelFormatName(frame.pointee.format)) to RGBA")
        }
        var outOpt: UnsafeMutablePointer<AVFrame>? = out
        defer { sws_freeContext(sws); av_frame_free(&outOpt) }
        out.pointee.width = Int32(w)
        out.pointee.height = Int32(h)
        out.pointee.format = AV_PIX_FMT_RGBA.rawValue
        guard av_frame_get_buffer(out, 64) >= 0, sws_scale_frame(sws, out, frame) >= 0 else {
            throw MediaError(url: file, message: "cannot convert pixel format \(pixelFormatName(frame.pointee.format)) to RGBA")
        }
        let rgba = copyPlane(out, 0, width: w * 4, height: h)
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        var alpha = [UInt8](repeating: 0, count: w * h)
        var opaque = true
        for i in 0..<(w * h) {
            rgb[3 * i] = rgba[4 * i]; rgb[3 * i + 1] = rgba[4 * i + 1]; rgb[3 * i + 2] = rgba[4 * i + 2]
            alpha[i] = rgba[4 * i + 3]
            if alpha[i] != 255 { opaque = false }
        }
        return (RGBImage(width: w, height: h, pixels: rgb), opaque ? nil : alpha)
    }

    /// Writes a PNG (RGBA when `alpha` is given, one byte a pixel, else RGB).
    public static func writePNG(_ image: RGBImage, alpha: [UInt8]?, to url: URL) throws(MediaError) {
        _ = ffmpegLogging
        let file = url.path
        let w = image.width, h = image.height
        guard w > 0, h > 0 else { throw MediaError(url: file, message: "cannot write an empty image (\(w)x\(h))") }
        if let alpha, alpha.count != w * h {
            throw MediaError(url: file, message: "alpha has \(alpha.count) values, the image has \(w * h) pixels")
        }
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_PNG), let ctx = avcodec_alloc_context3(codec) else {
            throw MediaError(url: file, message: "no PNG encoder in this FFmpeg")
        }
        var ctxOpt: UnsafeMutablePointer<AVCodecContext>? = ctx
        defer { avcodec_free_context(&ctxOpt) }
        let pixelFormat = alpha == nil ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_RGBA
        ctx.pointee.width = Int32(w)
        ctx.pointee.height = Int32(h)
        ctx.pointee.pix_fmt = pixelFormat
        ctx.pointee.time_base = AVRational(num: 1, den: 1)
        var r = avcodec_open2(ctx, codec, nil)
        if r < 0 { throw MediaError(url: file, message: "cannot open the PNG encoder: \(avErrorText(r))") }
        guard let frame = av_frame_alloc(), let packet = av_packet_alloc() else { throw MediaError(url: file, message: "out of memory") }
        var frameOpt: UnsafeMutablePointer<AVFrame>? = frame
        var packetOpt: UnsafeMutablePointer<AVPacket>? = packet
        defer { av_frame_free(&frameOpt); av_packet_free(&packetOpt) }
        frame.pointee.width = Int32(w)
        frame.pointee.height = Int32(h)
        frame.pointee.format = pixelFormat.rawValue
        if av_frame_get_buffer(frame, 64) < 0 { throw MediaError(url: file, message: "out of memory") }
        let stride = Int(frame.pointee.linesize.0)
        let dst = frame.pointee.data.0!
        image.pixels.withUnsafeBufferPointer { px in
            for y in 0..<h {
                let row = dst + y * stride
                if let alpha {
                    for x in 0..<w {
                        let s = 3 * (y * w + x)
                        row[4 * x] = px[s]; row[4 * x + 1] = px[s + 1]; row[4 * x + 2] = px[s + 2]
                        row[4 * x + 3] = alpha[y * w + x]
                    }
                } else {
                    row.update(from: px.baseAddress! + 3 * y * w, count: 3 * w)
                }
            }
        }
        r = avcodec_send_frame(ctx, frame)
        if r >= 0 { r = avcodec_receive_packet(ctx, packet) }
        if r < 0 { throw MediaError(url: file, message: "PNG encoding failed: \(avErrorText(r))") }
        let bytes = Data(bytes: packet.pointee.data, count: Int(packet.pointee.size))
        do { try bytes.write(to: url, options: .atomic) } catch {
            throw MediaError(url: file, message: "cannot write: \(error.localizedDescription)")
        }
    }
}

public enum DecodeBenchmark {
    /// Decodes every frame of the file, nothing else (same thread settings as VideoSource).
    public static func decodeAll(url: String, threads: Int = 0) throws(MediaError) -> (frames: Int, seconds: Double) {
        let defaults = SourceOptions()
        let decoder = try Decoder(url: url, threads: threads, rtspTransport: defaults.rtspTransport, timeout: defaults.openTimeout)
        guard let frame = av_frame_alloc() else { throw MediaError(url: url, message: "out of memory") }
        var frameOpt: UnsafeMutablePointer<AVFrame>? = frame
        defer { av_frame_free(&frameOpt) }
        let clock = ContinuousClock()
        let start = clock.now
        var frames = 0
        while try decoder.receive(frame) {
            frames += 1
            av_frame_unref(frame)
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (frames, seconds)
    }
}
