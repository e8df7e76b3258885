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
#include <libswscale/swscale.h>

// Function-like macros and variadic functions do not import into Swift;
// these re-export them as plain functions.
static inline int lanesight_averror(int e) { return AVERROR(e); }
static inline int lanesight_averror_eof(void) { return AVERROR_EOF; }
static inline int lanesight_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int64_t lanesight_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int lanesight_av_error_max_string_size(void) { return AV_ERROR_MAX_STRING_SIZE; }
static inline void lanesight_av_log_set_quiet(void) { av_log_set_level(AV_LOG_QUIET); }
static inline void lanesight_av_log_set_errors_only(void) { av_log_set_level(AV_LOG_ERROR); }
static inline AVRational lanesight_av_time_base_q(void) { return AV_TIME_BASE_Q; }

#endif
