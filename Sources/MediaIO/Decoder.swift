import CFFmpeg
import Foundation
import LaneCore

/// Opens an input, picks its video stream and runs the decoder. Shared by VideoSource
/// and DecodeBenchmark so both decode with exactly the same settings. Not thread-safe:
/// one instance lives on one thread.
final class Decoder {
    let url: String
    let format: UnsafeMutablePointer<AVFormatContext>
    let codec: UnsafeMutablePointer<AVCodecContext>
    let stream: UnsafeMutablePointer<AVStream>
    let streamIndex: Int32
    let network: Bool
    /// No data for this long while reading is an error (live sources).
    let stallTimeout: Double
    /// Called with every packet of the video stream before it is decoded.
    var onPacket: ((UnsafeMutablePointer<AVPacket>) -> Void)?
    private(set) var corruptPackets = 0

    private let deadline: UnsafeMutablePointer<LaneSightDeadline>
    private let packet: UnsafeMutablePointer<AVPacket>
    private var inputEnded = false
    private var decoderEnded = false

    init(url: String, threads: Int, rtspTransport: String, timeout: Double) throws(MediaError) {
        _ = ffmpegLogging
        let network = isNetworkURL(url)
        if !network { try checkLocalFile(url) }

        let deadline = UnsafeMutablePointer<LaneSightDeadline>.allocate(capacity: 1)
        deadline.initialize(to: LaneSightDeadline(deadline_us: 0, fired: 0))
        var fmt: UnsafeMutablePointer<AVFormatContext>? = avformat_alloc_context()
        guard let allocated = fmt else {
            deadline.deallocate()
            throw MediaError(url: url, message: "out of memory")
        }
        lanesight_install_deadline(allocated, deadline)

        var options: OpaquePointer? = nil
        let micros = String(Int64(max(timeout, 0.1) * 1_000_000))
        let lower = url.lowercased()
        if lower.hasPrefix("rtsp://") || lower.hasPrefix("rtsps://") {
            av_dict_set(&options, "rtsp_transport", rtspTransport, 0)
            av_dict_set(&options, "timeout", micros, 0)  // socket I/O timeout, µs
        } else if network {
            av_dict_set(&options, "rw_timeout", micros, 0)
        }
        lanesight_deadline_arm(deadline, timeout)
        let openPath = url.hasPrefix("file://") ? String(url.dropFirst(7)) : url
        var r = avformat_open_input(&fmt, openPath, nil, &options)
        av_dict_free(&options)
        guard r >= 0, let fmt else {
            // avformat_open_input frees the context on failure.
            let fired = deadline.pointee.fired != 0
            deadline.deallocate()
            throw MediaError(url: url, message: describeOpenError(r, network: network, timedOut: fired, timeout: timeout))
        }
        func fail(_ message: String) -> MediaError {
            var f: UnsafeMutablePointer<AVFormatContext>? = fmt
            avformat_close_input(&f)
            deadline.deallocate()
            return MediaError(url: url, message: message)
        }

        r = avformat_find_stream_info(fmt, nil)
        if r < 0 {
            let fired = deadline.pointee.fired != 0
            throw fail("could not read the stream information: " + describeOpenError(r, network: network, timedOut: fired, timeout: timeout))
        }
        var decoderPointer: UnsafePointer<AVCodec>? = nil
        r = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &decoderPointer, 0)
        if r == lanesight_averror_stream_not_found() {
            let kinds = (0..<Int(fmt.pointee.nb_streams)).map { i -> String in
                let type = fmt.pointee.streams[i]!.pointee.codecpar.pointee.codec_type
                return av_get_media_type_string(type).map { String(cString: $0) } ?? "unknown"
            }
            throw fail(kinds.isEmpty ? "no video stream (the input has no streams)"
                                     : "no video stream (it has: \(kinds.joined(separator: ", ")))")
        }
        if r == lanesight_averror_decoder_not_found() {
            // The stream exists but nothing here decodes it: name the codec.
            var name = "unknown"
            for i in 0..<Int(fmt.pointee.nb_streams) {
                let par = fmt.pointee.streams[i]!.pointee.codecpar!
                if par.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
                    name = String(cString: avcodec_get_name(par.pointee.codec_id)); break
                }
            }
            throw fail("unsupported video codec '\(name)' (no decoder for it in this FFmpeg)")
        }
        guard r >= 0, let decoder = decoderPointer else { throw fail("no usable video stream: \(avErrorText(r))") }
        let streamIndex = r
        let stream = fmt.pointee.streams[Int(r)]!
        for i in 0..<Int(fmt.pointee.nb_streams) where i != Int(r) {
            fmt.pointee.streams[i]!.pointee.discard = AVDISCARD_ALL
        }
        let par = stream.pointee.codecpar!
        if par.pointee.width <= 0 || par.pointee.height <= 0 {
            throw fail("could not determine the video size")
        }

        guard let ctx = avcodec_alloc_context3(decoder) else { throw fail("out of memory") }
        var ctxOpt: UnsafeMutablePointer<AVCodecContext>? = ctx
        r = avcodec_parameters_to_context(ctx, par)
        if r < 0 { avcodec_free_context(&ctxOpt); throw fail("bad codec parameters: \(avErrorText(r))") }
        ctx.pointee.pkt_timebase = stream.pointee.time_base
        ctx.pointee.thread_count = Int32(max(threads, 0))
        ctx.pointee.thread_type = lanesight_thread_frame_slice()
        r = avcodec_open2(ctx, decoder, nil)
        if r < 0 {
            avcodec_free_context(&ctxOpt)
            throw fail("cannot open the \(String(cString: avcodec_get_name(par.pointee.codec_id))) decoder: \(avErrorText(r))")
        }
        guard let p = av_packet_alloc() else {
            avcodec_free_context(&ctxOpt)
            throw fail("out of memory")
        }
        self.url = url
        self.network = network
        self.stallTimeout = timeout
        self.deadline = deadline
        self.format = fmt
        self.stream = stream
        self.streamIndex = streamIndex
        self.codec = ctx
        self.packet = p
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&p)
        var c: UnsafeMutablePointer<AVCodecContext>? = codec
        avcodec_free_context(&c)
        var f: UnsafeMutablePointer<AVFormatContext>? = format
        avformat_close_input(&f)
        deadline.deallocate()
    }

    var timeBase: AVRational { stream.pointee.time_base }

    /// Decodes the next frame into `frame` (unreferenced first); false at the end of the stream.
    func receive(_ frame: UnsafeMutablePointer<AVFrame>) throws(MediaError) -> Bool {
        if decoderEnded { return false }
        while true {
            let r = avcodec_receive_frame(codec, frame)
            if r == 0 { return true }
            if r == lanesight_averror_eof() { decoderEnded = true; return false }
            if r == lanesight_averror_invaliddata() { corruptPackets += 1; continue }
            if r != lanesight_averror_eagain() {
                throw MediaError(url: url, message: "decoding failed: \(avErrorText(r))")
            }
            if inputEnded { decoderEnded = true; return false }
            try feed()
        }
    }

    /// Reads packets until one of the video stream went to the decoder, or the input ended.
    private func feed() throws(MediaError) {
        while true {
            lanesight_deadline_arm(deadline, network ? stallTimeout : 0)
            let r = av_read_frame(format, packet)
            if r == lanesight_averror_eof() || (r < 0 && !network && avio_feof(format.pointee.pb) != 0) {
                inputEnded = true
                _ = avcodec_send_packet(codec, nil)  // drain the frames still inside
                return
            }
            if r < 0 {
                let fired = deadline.pointee.fired != 0
                if fired || r == lanesight_averror_exit() {
                    throw MediaError(url: url, message: "no data for \(formatSeconds(stallTimeout)) (stream stalled or camera offline)")
                }
                throw MediaError(url: url, message: "read failed: \(describeOpenError(r, network: network, timedOut: false, timeout: stallTimeout))")
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            onPacket?(packet)
            let s = avcodec_send_packet(codec, packet)
            if s == 0 { return }
            if s == lanesight_averror_invaliddata() { corruptPackets += 1; continue }
            // EAGAIN cannot happen here: the caller drained the decoder first.
            throw MediaError(url: url, message: "decoding failed: \(avErrorText(s))")
        }
    }
}
