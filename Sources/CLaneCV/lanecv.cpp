#include "CLaneCV.h"
#include <opencv2/core.hpp>
extern "C" int lcv_version(void) { return CV_VERSION_MAJOR * 100 + CV_VERSION_MINOR; }
