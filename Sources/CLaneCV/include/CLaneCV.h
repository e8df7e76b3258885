#ifndef LANESIGHT_CLANECV_H
#define LANESIGHT_CLANECV_H
// OpenCV behind a plain C interface: opaque handles, no C++ types and no exceptions
// cross it. Every int-returning call gives LCV_OK or a negative code, with the
// reason in lcv_last_error() (per thread). Colours are RGB; coordinates are pixels.
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

enum {
    LCV_OK = 0,
    LCV_EINVAL = -1,   // bad argument
    LCV_ENOMEM = -2,
    LCV_ECV = -3,      // OpenCV raised an exception
    LCV_ENOTFOUND = -4 // a file (e.g. a cascade) could not be loaded
};

int lcv_version(void);
const char *lcv_last_error(void);
void lcv_free(void *p);

// An 8-bit RGB image to draw on. create copies `rgb` (width*height*3 bytes, packed rows).
typedef struct lcv_canvas lcv_canvas;
lcv_canvas *lcv_canvas_create(int width, int height, const uint8_t *rgb);
void lcv_canvas_free(lcv_canvas *canvas);
int lcv_canvas_width(const lcv_canvas *canvas);
int lcv_canvas_height(const lcv_canvas *canvas);
// Copies the pixels out (width*height*3 bytes).
int lcv_canvas_read_rgb(const lcv_canvas *canvas, uint8_t *out);

// Closed polygon through n points (xy: x0,y0,x1,y1,…); fill_alpha in [0,1] blends a fill
// under the outline (0 = outline only); thickness 0 = no outline.
int lcv_draw_polygon(lcv_canvas *canvas, const int *xy, int n, uint8_t r, uint8_t g, uint8_t b,
                     int thickness, double fill_alpha);
int lcv_draw_rect(lcv_canvas *canvas, int x, int y, int w, int h, uint8_t r, uint8_t g, uint8_t b, int thickness);
// Blends a filled rectangle (alpha 1 = opaque).
int lcv_fill_rect(lcv_canvas *canvas, int x, int y, int w, int h, uint8_t r, uint8_t g, uint8_t b, double alpha);
// ASCII text (Hershey simplex) with its top-left corner at (x, y).
int lcv_draw_text(lcv_canvas *canvas, const char *text, int x, int y, double scale, int thickness,
                  uint8_t r, uint8_t g, uint8_t b);
// Size of `text` as lcv_draw_text draws it: width, height above the baseline, and below it.
int lcv_text_size(const char *text, double scale, int thickness, int *width, int *height, int *baseline);
// Pixelates a rectangle (cells of `cell` pixels) then blurs it: for faces, plates.
int lcv_blur_rect(lcv_canvas *canvas, int x, int y, int w, int h, int cell);

// JPEG bytes of the canvas; free *out with lcv_free.
int lcv_encode_jpeg(const lcv_canvas *canvas, int quality, uint8_t **out, size_t *size);

// A small network from an ONNX file, run by OpenCV's dnn module on the CPU (one thread).
// Not thread-safe: one per lane. `input` is one NCHW float tensor (n*c*h*w values); the
// first `out_count` values of its output go to `out`.
typedef struct lcv_net lcv_net;
lcv_net *lcv_net_open(const char *onnx_path);
int lcv_net_forward(lcv_net *net, const float *input, int n, int c, int h, int w, float *out, int out_count);
void lcv_net_free(lcv_net *net);

// Reserved for face blur (next issue): a Haar cascade from /usr/share/opencv4/haarcascades.
// typedef struct lcv_face_detector lcv_face_detector;
// lcv_face_detector *lcv_face_detector_open(const char *cascade_xml);
// int lcv_face_detect(lcv_face_detector *, const lcv_canvas *, int *rects_xywh, int max, int *found);
// void lcv_face_detector_free(lcv_face_detector *);

#ifdef __cplusplus
}
#endif
#endif
