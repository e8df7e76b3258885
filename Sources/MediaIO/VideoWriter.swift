import CFFmpeg
import Foundation
import LaneCore

/// H.264 (libx264, yuv420p, BT.601 limited range) in MP4 with +faststart, for the simulator.
/// `creationTime` goes into the container's `creation_time` with milliseconds (as an
/// MP4 metadata tag; the movie header itself only holds whole seconds).
public final class VideoWriter {
    public let path: URL
    public let width: Int
    public let height: Int
    public let fps: Int
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var sws: OpaquePointer?
    private var frameCount: Int64 = 0
    private var finished = false

    /// `keyframeInterval` in frames; 0 means 2 × fps. Keyframes come exactly that often
    /// (scene-cut keyframes are off) so clip starts are predictable.
    public init(path: URL, width: Int, height: Int, fps: Int, creationTime: Double?, keyframeInterval: Int = 0,
                crf: Int = 23, preset: String = "veryfast") throws(MediaError) {
        _ = ffmpegLogging
        self.path = path; self.width = width; self.height = height; self.fps = fps
        let file = path.path
        guard width > 0, height > 0, width % 2 == 0, height % 2 == 0 else {
            throw MediaError(url: file, message: "frame size \(width)x\(height) must be positive and even (yuv420p)")
        }
        guard fps > 0 else { throw MediaError(url: file, message: "fps must be positive, got \(fps)") }
        guard (0...51).contains(crf) else { throw MediaError(url: file, message: "crf must be 0…51, got \(crf)") }
        let gop = keyframeInterval > 0 ? keyframeInterval : 2 * fps

        var out: UnsafeMutablePointer<AVFormatContext>? = nil
        var r = avformat_alloc_output_context2(&out, nil, "mp4", file)
        guard r >= 0, let fmt = out else { throw MediaError(url: file, message: "cannot create an MP4 muxer: \(avErrorText(r))") }
        format = fmt
        // From here on deinit cleans up whatever was made.
        guard let codec = avcodec_find_encoder_by_name("libx264") else {
            throw MediaError(url: file, message: "this FFmpeg has no libx264 encoder")
        }
        guard let enc = avcodec_alloc_context3(codec) else { throw MediaError(url: file, message: "out of memory") }
        encoder = enc
        enc.pointee.width = Int32(width)
        enc.pointee.height = Int32(height)
        enc.pointee.time_base = AVRational(num: 1, den: Int32(fps))
        enc.pointee.framerate = AVRational(num: Int32(fps), den: 1)
        enc.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        enc.pointee.gop_size = Int32(gop)
        enc.pointee.keyint_min = Int32(gop)
        enc.pointee.color_range = AVCOL_RANGE_MPEG
        enc.pointee.colorspace = AVCOL_SPC_SMPTE170M
        enc.pointee.color_primaries = AVCOL_PRI_SMPTE170M
        enc.pointee.color_trc = AVCOL_TRC_SMPTE170M
        if (fmt.pointee.oformat.pointee.flags & lanesight_fmt_flag_global_header()) != 0 {
            enc.pointee.flags |= lanesight_codec_flag_global_header()
        }
        var options: OpaquePointer? = nil
        av_dict_set(&options, "preset", preset, 0)
        av_dict_set(&options, "crf", String(crf), 0)
        // No macroblock tree: with it libx264 (0.164, even on one thread) now
        // and then encoded the first keyframe interval of the same frames a
        // little differently from one run to the next, and a seed must make
        // the same session to the byte.
        av_dict_set(&options, "x264-params", "scenecut=0:mbtree=0", 0)
        r = avcodec_open2(enc, codec, &options)
        av_dict_free(&options)
        if r < 0 { throw MediaError(url: file, message: "cannot open libx264 (preset '\(preset)', crf \(crf)): \(avErrorText(r))") }

        guard let st = avformat_new_stream(fmt, nil) else { throw MediaError(url: file, message: "out of memory") }
        stream = st
        avcodec_parameters_from_context(st.pointee.codecpar, enc)
        st.pointee.time_base = enc.pointee.time_base
        st.pointee.avg_frame_rate = enc.pointee.framerate
        if let creationTime {
            av_dict_set(&fmt.pointee.metadata, "creation_time", ISOTime.format(epochSeconds: creationTime), 0)
        }
        do {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw MediaError(url: file, message: "cannot create the folder: \(error.localizedDescription)")
        }
        r = avio_open(&fmt.pointee.pb, file, lanesight_avio_flag_write())
        if r < 0 { throw MediaError(url: file, message: "cannot write the file: \(avErrorText(r))") }
        av_dict_set(&options, "movflags", "+faststart+use_metadata_tags", 0)
        r = avformat_write_header(fmt, &options)
        av_dict_free(&options)
        if r < 0 { throw MediaError(url: file, message: "cannot start the MP4: \(avErrorText(r))") }

        guard let f = av_frame_alloc(), let p = av_packet_alloc() else { throw MediaError(url: file, message: "out of memory") }
        frame = f; packet = p
        f.pointee.width = Int32(width)
        f.pointee.height = Int32(height)
        f.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        if av_frame_get_buffer(f, 64) < 0 { throw MediaError(url: file, message: "out of memory") }
        sws = sws_getContext(Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height),
                             AV_PIX_FMT_YUV420P, SWS_BILINEAR | SWS_ACCURATE_RND, nil, nil, nil)
        if sws == nil { throw MediaError(url: file, message: "cannot set up RGB to YUV conversion") }
    }

    deinit {
        if !finished, let format, format.pointee.pb != nil {
            // Abandoned: close the file (it will not be a complete MP4).
            avio_closep(&format.pointee.pb)
        }
        release()
    }

    private func release() {
        sws_freeContext(sws); sws = nil
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&encoder)
        if let format {
            if format.pointee.pb != nil { avio_closep(&format.pointee.pb) }
            avformat_free_context(format)
        }
        format = nil
    }

    public func append(_ image: RGBImage) throws(MediaError) {
        guard !finished, let frame, let sws else { throw MediaError(url: path.path, message: "append after finish()") }
        guard image.width == width, image.height == height else {
            throw MediaError(url: path.path, message: "frame \(frameCount) is \(image.width)x\(image.height), the video is \(width)x\(height)")
        }
        var r = av_frame_make_writable(frame)
        if r < 0 { throw MediaError(url: path.path, message: "out of memory") }
        r = image.pixels.withUnsafeBufferPointer { pixels -> Int32 in
            var source: UnsafePointer<UInt8>? = pixels.baseAddress
            var stride = Int32(width * 3)
            return withUnsafeMutablePointer(to: &frame.pointee.data) { data in
                data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { dst in
                    withUnsafePointer(to: &frame.pointee.linesize) { lines in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { dstStride in
                            sws_scale(sws, &source, &stride, 0, Int32(height), dst, dstStride)
                        }
                    }
                }
            }
        }
        if r < 0 { throw MediaError(url: path.path, message: "colour conversion failed: \(avErrorText(r))") }
        frame.pointee.pts = frameCount
        frameCount += 1
        try encode(frame)
    }

    public func finish() throws(MediaError) {
        guard !finished else { return }
        try encode(nil)
        finished = true
        let r = av_write_trailer(format)
        if let format, format.pointee.pb != nil { avio_closep(&format.pointee.pb) }
        release()
        if r < 0 { throw MediaError(url: path.path, message: "finishing the MP4 failed: \(avErrorText(r))") }
    }

    private func encode(_ frame: UnsafeMutablePointer<AVFrame>?) throws(MediaError) {
        guard let encoder, let packet, let stream, let format else { return }
        var r = avcodec_send_frame(encoder, frame)
        if r < 0 { throw MediaError(url: path.path, message: "encoding failed: \(avErrorText(r))") }
        while true {
            r = avcodec_receive_packet(encoder, packet)
            if r == lanesight_averror_eagain() || r == lanesight_averror_eof() { return }
            if r < 0 { throw MediaError(url: path.path, message: "encoding failed: \(avErrorText(r))") }
            av_packet_rescale_ts(packet, encoder.pointee.time_base, stream.pointee.time_base)
            packet.pointee.stream_index = stream.pointee.index
            r = av_interleaved_write_frame(format, packet)
            av_packet_unref(packet)
            if r < 0 { throw MediaError(url: path.path, message: "writing failed: \(avErrorText(r))") }
        }
    }
}
