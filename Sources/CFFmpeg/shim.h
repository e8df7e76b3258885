#ifndef LANESIGHT_CFFMPEG_SHIM_H
#define LANESIGHT_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
#include <libavutil/pixdesc.h>
#include <libavutil/time.h>
#include <libswscale/swscale.h>
#include <errno.h>

// Function-like macros and variadic functions do not import into Swift;
// these re-export them as plain functions.
static inline int lanesight_averror(int e) { return AVERROR(e); }
static inline int lanesight_averror_eof(void) { return AVERROR_EOF; }
static inline int lanesight_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int lanesight_averror_exit(void) { return AVERROR_EXIT; }
static inline int lanesight_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int lanesight_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int lanesight_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int lanesight_averror_http_not_found(void) { return AVERROR_HTTP_NOT_FOUND; }
static inline int64_t lanesight_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int lanesight_av_error_max_string_size(void) { return AV_ERROR_MAX_STRING_SIZE; }
static inline void lanesight_av_log_set_quiet(void) { av_log_set_level(AV_LOG_QUIET); }
static inline void lanesight_av_log_set_errors_only(void) { av_log_set_level(AV_LOG_ERROR); }
static inline AVRational lanesight_av_time_base_q(void) { return AV_TIME_BASE_Q; }
static inline int64_t lanesight_av_time_base(void) { return AV_TIME_BASE; }

// errno values Swift's Glibc import does not always expose as constants on every platform.
static inline int lanesight_econnrefused(void) { return ECONNREFUSED; }
static inline int lanesight_etimedout(void) { return ETIMEDOUT; }
static inline int lanesight_enoent(void) { return ENOENT; }
static inline int lanesight_eacces(void) { return EACCES; }
static inline int lanesight_ehostunreach(void) { return EHOSTUNREACH; }
static inline int lanesight_enetunreach(void) { return ENETUNREACH; }
static inline int lanesight_eio(void) { return EIO; }

// A deadline the demuxer's blocking I/O checks through AVIOInterruptCB; Swift
// cannot easily hand FFmpeg a C callback with state, so the callback lives here.
// deadline_us is on av_gettime_relative()'s clock; 0 means no deadline.
typedef struct LaneSightDeadline {
    int64_t deadline_us;
    int fired;
} LaneSightDeadline;

static inline int lanesight_deadline_cb(void *opaque) {
    LaneSightDeadline *d = (LaneSightDeadline *)opaque;
    if (d && d->deadline_us > 0 && av_gettime_relative() > d->deadline_us) {
        d->fired = 1;
        return 1;
    }
    return 0;
}

static inline void lanesight_install_deadline(AVFormatContext *ctx, LaneSightDeadline *d) {
    ctx->interrupt_callback.callback = lanesight_deadline_cb;
    ctx->interrupt_callback.opaque = d;
}

static inline void lanesight_deadline_arm(LaneSightDeadline *d, double seconds) {
    d->fired = 0;
    d->deadline_us = seconds > 0 ? av_gettime_relative() + (int64_t)(seconds * 1e6) : 0;
}

static inline int lanesight_pkt_is_key(const AVPacket *p) { return (p->flags & AV_PKT_FLAG_KEY) != 0; }
static inline int lanesight_pkt_is_corrupt(const AVPacket *p) { return (p->flags & AV_PKT_FLAG_CORRUPT) != 0; }
static inline int lanesight_pix_fmt_has_alpha(enum AVPixelFormat f) {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f);
    return d && (d->flags & AV_PIX_FMT_FLAG_ALPHA) != 0;
}
static inline int lanesight_fmt_flag_global_header(void) { return AVFMT_GLOBALHEADER; }
static inline int lanesight_fmt_flag_nofile(void) { return AVFMT_NOFILE; }
static inline int lanesight_codec_flag_global_header(void) { return AV_CODEC_FLAG_GLOBAL_HEADER; }
static inline int lanesight_thread_frame_slice(void) { return FF_THREAD_FRAME | FF_THREAD_SLICE; }
static inline int lanesight_avio_flag_write(void) { return AVIO_FLAG_WRITE; }

#endif
