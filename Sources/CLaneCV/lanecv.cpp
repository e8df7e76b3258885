#include "CLaneCV.h"

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <vector>

struct lcv_canvas {
    cv::Mat rgb;  // CV_8UC3, RGB order (OpenCV's drawing does not care about channel order)
};

struct lcv_net {
    cv::dnn::Net net;
};

namespace {

thread_local std::string last_error;

int fail(int code, const std::string &message) {
    last_error = message;
    return code;
}

// OpenCV's own thread pool would compete with the decoder's threads for two cores.
void configure_once() {
    static std::once_flag once;
    std::call_once(once, [] { cv::setNumThreads(1); });
}

// Runs `body`, turning any exception into an error code and message.
template <typename F>
int guarded(const char *what, F body) {
    try {
        last_error.clear();
        return body();
    } catch (const cv::Exception &e) {
        return fail(LCV_ECV, std::string(what) + ": " + e.what());
    } catch (const std::bad_alloc &) {
        return fail(LCV_ENOMEM, std::string(what) + ": out of memory");
    } catch (const std::exception &e) {
        return fail(LCV_ECV, std::string(what) + ": " + e.what());
    } catch (...) {
        return fail(LCV_ECV, std::string(what) + ": unknown exception");
    }
}

cv::Scalar colour(uint8_t r, uint8_t g, uint8_t b) { return cv::Scalar(r, g, b); }

// The part of (x, y, w, h) inside the canvas.
cv::Rect clipped(const lcv_canvas *c, int x, int y, int w, int h) {
    return cv::Rect(x, y, w, h) & cv::Rect(0, 0, c->rgb.cols, c->rgb.rows);
}

}  // namespace

extern "C" {

int lcv_version(void) { return CV_VERSION_MAJOR * 100 + CV_VERSION_MINOR; }

const char *lcv_last_error(void) { return last_error.c_str(); }

void lcv_free(void *p) { std::free(p); }

lcv_canvas *lcv_canvas_create(int width, int height, const uint8_t *rgb) {
    configure_once();
    if (width <= 0 || height <= 0 || !rgb) {
        fail(LCV_EINVAL, "canvas: bad size or no pixels");
        return nullptr;
    }
    lcv_canvas *canvas = nullptr;
    int rc = guarded("canvas", [&]() -> int {
        canvas = new lcv_canvas;
        canvas->rgb = cv::Mat(height, width, CV_8UC3, const_cast<uint8_t *>(rgb)).clone();
        return LCV_OK;
    });
    if (rc != LCV_OK) {
        delete canvas;
        return nullptr;
    }
    return canvas;
}

void lcv_canvas_free(lcv_canvas *canvas) { delete canvas; }

int lcv_canvas_width(const lcv_canvas *canvas) { return canvas ? canvas->rgb.cols : 0; }
int lcv_canvas_height(const lcv_canvas *canvas) { return canvas ? canvas->rgb.rows : 0; }

int lcv_canvas_read_rgb(const lcv_canvas *canvas, uint8_t *out) {
    if (!canvas || !out) return fail(LCV_EINVAL, "read: no canvas or buffer");
    return guarded("read", [&]() -> int {
        cv::Mat dst(canvas->rgb.rows, canvas->rgb.cols, CV_8UC3, out);
        canvas->rgb.copyTo(dst);
        return LCV_OK;
    });
}

int lcv_draw_polygon(lcv_canvas *canvas, const int *xy, int n, uint8_t r, uint8_t g, uint8_t b,
                     int thickness, double fill_alpha) {
    if (!canvas || !xy || n < 2) return fail(LCV_EINVAL, "polygon: needs a canvas and at least 2 points");
    return guarded("polygon", [&]() -> int {
        std::vector<cv::Point> points;
        points.reserve(n);
        for (int i = 0; i < n; i++) points.emplace_back(xy[2 * i], xy[2 * i + 1]);
        if (fill_alpha > 0 && n >= 3) {
            // Blend only inside the polygon's bounding box: a full-frame copy per zone is wasteful.
            cv::Rect box = cv::boundingRect(points) & cv::Rect(0, 0, canvas->rgb.cols, canvas->rgb.rows);
            if (box.area() > 0) {
                cv::Mat roi = canvas->rgb(box);
                cv::Mat filled = roi.clone();
                std::vector<cv::Point> shifted;
                for (auto &p : points) shifted.emplace_back(p.x - box.x, p.y - box.y);
                cv::fillPoly(filled, std::vector<std::vector<cv::Point>>{shifted}, colour(r, g, b), cv::LINE_AA);
                double a = fill_alpha > 1 ? 1 : fill_alpha;
                cv::addWeighted(filled, a, roi, 1 - a, 0, roi);
            }
        }
        if (thickness > 0) {
            cv::polylines(canvas->rgb, std::vector<std::vector<cv::Point>>{points}, true, colour(r, g, b), thickness,
                          cv::LINE_AA);
        }
        return LCV_OK;
    });
}

int lcv_draw_rect(lcv_canvas *canvas, int x, int y, int w, int h, uint8_t r, uint8_t g, uint8_t b, int thickness) {
    if (!canvas || w < 0 || h < 0 || thickness <= 0) return fail(LCV_EINVAL, "rect: bad canvas, size or thickness");
    return guarded("rect", [&]() -> int {
        cv::rectangle(canvas->rgb, cv::Rect(x, y, w, h), colour(r, g, b), thickness, cv::LINE_AA);
        return LCV_OK;
    });
}

int lcv_fill_rect(lcv_canvas *canvas, int x, int y, int w, int h, uint8_t r, uint8_t g, uint8_t b, double alpha) {
    if (!canvas || w < 0 || h < 0) return fail(LCV_EINVAL, "fill: bad canvas or size");
    return guarded("fill", [&]() -> int {
        cv::Rect box = clipped(canvas, x, y, w, h);
        if (box.area() == 0) return LCV_OK;
        cv::Mat roi = canvas->rgb(box);
        if (alpha >= 1) {
            roi.setTo(colour(r, g, b));
        } else if (alpha > 0) {
            cv::Mat solid(roi.size(), roi.type(), colour(r, g, b));
            cv::addWeighted(solid, alpha, roi, 1 - alpha, 0, roi);
        }
        return LCV_OK;
    });
}

int lcv_text_size(const char *text, double scale, int thickness, int *width, int *height, int *baseline) {
    if (!text || scale <= 0 || thickness <= 0) return fail(LCV_EINVAL, "text size: bad text, scale or thickness");
    return guarded("text size", [&]() -> int {
        int base = 0;
        cv::Size s = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &base);
        if (width) *width = s.width;
        if (height) *height = s.height;
        if (baseline) *baseline = base;
        return LCV_OK;
    });
}

int lcv_draw_text(lcv_canvas *canvas, const char *text, int x, int y, double scale, int thickness,
                  uint8_t r, uint8_t g, uint8_t b) {
    if (!canvas || !text || scale <= 0 || thickness <= 0) return fail(LCV_EINVAL, "text: bad canvas, text or scale");
    return guarded("text", [&]() -> int {
        int base = 0;
        cv::Size s = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &base);
        cv::putText(canvas->rgb, text, cv::Point(x, y + s.height), cv::FONT_HERSHEY_SIMPLEX, scale, colour(r, g, b),
                    thickness, cv::LINE_AA);
        return LCV_OK;
    });
}

int lcv_blur_rect(lcv_canvas *canvas, int x, int y, int w, int h, int cell) {
    if (!canvas || w < 0 || h < 0 || cell < 1) return fail(LCV_EINVAL, "blur: bad canvas, size or cell");
    return guarded("blur", [&]() -> int {
        cv::Rect box = clipped(canvas, x, y, w, h);
        if (box.area() == 0) return LCV_OK;
        cv::Mat roi = canvas->rgb(box);
        cv::Mat small;
        cv::resize(roi, small, cv::Size(std::max(1, box.width / cell), std::max(1, box.height / cell)), 0, 0,
                   cv::INTER_AREA);
        cv::resize(small, roi, roi.size(), 0, 0, cv::INTER_NEAREST);
        int k = (cell | 1);
        cv::GaussianBlur(roi, roi, cv::Size(k, k), 0);
        return LCV_OK;
    });
}

int lcv_encode_jpeg(const lcv_canvas *canvas, int quality, uint8_t **out, size_t *size) {
    if (!canvas || !out || !size) return fail(LCV_EINVAL, "jpeg: no canvas or output");
    if (quality < 1 || quality > 100) return fail(LCV_EINVAL, "jpeg: quality must be 1…100");
    *out = nullptr;
    *size = 0;
    return guarded("jpeg", [&]() -> int {
        cv::Mat bgr;
        cv::cvtColor(canvas->rgb, bgr, cv::COLOR_RGB2BGR);
        std::vector<uint8_t> bytes;
        if (!cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, quality})) {
            return fail(LCV_ECV, "jpeg: the encoder refused the image");
        }
        auto *buffer = static_cast<uint8_t *>(std::malloc(bytes.size()));
        if (!buffer) return fail(LCV_ENOMEM, "jpeg: out of memory");
        std::memcpy(buffer, bytes.data(), bytes.size());
        *out = buffer;
        *size = bytes.size();
        return LCV_OK;
    });
}

lcv_net *lcv_net_open(const char *onnx_path) {
    configure_once();
    if (!onnx_path) {
        fail(LCV_EINVAL, "network: no path");
        return nullptr;
    }
    lcv_net *made = nullptr;
    int rc = guarded("network", [&]() -> int {
        cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx_path);
        if (net.empty()) return fail(LCV_ENOTFOUND, std::string("network: nothing read from ") + onnx_path);
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        made = new lcv_net{net};
        return LCV_OK;
    });
    return rc == LCV_OK ? made : nullptr;
}

int lcv_net_forward(lcv_net *net, const float *input, int n, int c, int h, int w, float *out, int out_count) {
    if (!net || !input || !out || n <= 0 || c <= 0 || h <= 0 || w <= 0 || out_count <= 0)
        return fail(LCV_EINVAL, "network: bad input or output");
    return guarded("network", [&]() -> int {
        int dims[4] = {n, c, h, w};
        // Wraps the caller's buffer: setInput copies it.
        cv::Mat blob(4, dims, CV_32F, const_cast<float *>(input));
        net->net.setInput(blob);
        cv::Mat result = net->net.forward();
        if (result.total() < static_cast<size_t>(out_count))
            return fail(LCV_EINVAL, "network: output has " + std::to_string(result.total()) + " values");
        cv::Mat flat = result.reshape(1, 1);
        if (flat.type() != CV_32F) flat.convertTo(flat, CV_32F);
        std::memcpy(out, flat.ptr<float>(), sizeof(float) * out_count);
        return LCV_OK;
    });
}

void lcv_net_free(lcv_net *net) { delete net; }

}  // extern "C"
